import { readEnvFile } from './envfile.js'
import { resolve as resolvePath } from 'node:path'
import { InputError } from './errors.js'

/**
 * Reads and validates every input before any network call. The only module
 * that knows input names; everything after it works on `Settings`.
 */

export const KNOWN_REGIONS = ['osc-fr1', 'osc-secnum-fr1'] as const
export const DEFAULT_AUTH_URL = 'https://auth.scalingo.com'
/** Six hours: the longest a GitHub-hosted job may run. */
export const MAX_TIMEOUT_SECONDS = 6 * 3600

export interface Repository {
  owner: string
  repo: string
}

export interface Settings {
  app: string
  apiToken: string
  region: string
  apiUrl: string
  authUrl: string
  /** What the user asked to deploy: a ref, or the workflow's SHA. */
  ref: string
  repository: Repository
  githubToken: string
  githubApiUrl: string
  githubServerUrl: string
  /** Deploy this URL as given, skipping GitHub. */
  sourceUrl?: string
  wait: boolean
  timeoutSeconds: number
  force: boolean
  dryRun: boolean
  /** Absolute path of the dotenv file, and its parsed variables. */
  envFile?: { path: string; variables: EnvVariable[] }
  /** GitHub environment to record a deployment in. */
  environment?: string
  promoteFrom?: { app: string; apiToken: string; region: string; apiUrl: string }
  /** A local .tar.gz to upload through the sources API (absolute path). */
  archivePath?: string
  archiveTransfer: ArchiveTransfer
}

export type ArchiveTransfer = 'auto' | 'url' | 'upload'

export interface EnvVariable {
  name: string
  value: string
}

/** Reads one input by name (`core.getInput` in the action, a map in tests). */
export type InputReader = (name: string) => string

const APP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/
const REGION_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/
const REPO = /^[A-Za-z0-9._-]{1,100}$/
const FULL_SHA = /^[0-9a-f]{40}$/i

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

function show(value: string): string {
  const v = value.length > 40 ? `${value.slice(0, 40)}…` : value
  return JSON.stringify(v)
}

function noControl(name: string, value: string): void {
  if (CONTROL.test(value)) throw new InputError(name, 'must be a single line without control characters')
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h === '::1') return true
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/**
 * Whether a URL may carry a secret: https/wss, or plain http/ws to a
 * loopback host (tests). The one rule for every token we send.
 */
export function mayCarrySecrets(url: string): boolean {
  try {
    const u = new URL(url)
    if (u.protocol === 'https:' || u.protocol === 'wss:') return true
    return (u.protocol === 'http:' || u.protocol === 'ws:') && isLoopbackHost(u.hostname)
  } catch {
    return false
  }
}

/**
 * An https base URL (http only for loopback hosts, so tests can run):
 * a token never travels over plain http. Returns it without a trailing slash.
 */
export function parseBaseUrl(name: string, value: string): string {
  noControl(name, value)
  let u: URL
  try {
    u = new URL(value)
  } catch {
    throw new InputError(name, `${show(value)} is not a URL; expected https://host[/path]`)
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackHost(u.hostname))) {
    throw new InputError(name, `must be an https:// URL (plain http is only allowed for loopback hosts), got ${u.protocol}//…`)
  }
  if (u.username || u.password) throw new InputError(name, 'must not contain credentials')
  if (u.search || u.hash) throw new InputError(name, 'must not contain a query string or fragment')
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`
}

/** `900`, `90s`, `15m`, `1h`, `1h30m`: seconds, between 1 s and 6 h. */
export function parseTimeout(value: string): number {
  const name = 'timeout'
  noControl(name, value)
  const accepted = 'expected seconds (900) or a duration like 90s, 15m, 1h, 1h30m'
  const v = value.trim().toLowerCase()
  let seconds: number
  if (/^\d{1,6}$/.test(v)) {
    seconds = parseInt(v, 10)
  } else {
    const m = /^(?:(\d{1,3})h)?(?:(\d{1,5})m)?(?:(\d{1,6})s)?$/.exec(v)
    if (!m || v === '') throw new InputError(name, `${show(value)} is not a duration; ${accepted}`)
    seconds = parseInt(m[1] ?? '0', 10) * 3600 + parseInt(m[2] ?? '0', 10) * 60 + parseInt(m[3] ?? '0', 10)
  }
  if (seconds < 1) throw new InputError(name, `must be at least 1 second, got ${show(value)}`)
  if (seconds > MAX_TIMEOUT_SECONDS) throw new InputError(name, `must be at most 6h (a job's longest run), got ${show(value)}`)
  return seconds
}

export function parseBoolean(name: string, value: string, fallback: boolean): boolean {
  const v = value.trim()
  if (v === '') return fallback
  if (['true', 'True', 'TRUE'].includes(v)) return true
  if (['false', 'False', 'FALSE'].includes(v)) return false
  throw new InputError(name, `must be true or false, got ${show(v)}`)
}

export function parseAppName(name: string, value: string): string {
  if (value === '') throw new InputError(name, 'is required: the name of the Scalingo app to deploy')
  noControl(name, value)
  if (!APP_NAME.test(value)) {
    throw new InputError(
      name,
      `${show(value)} is not a Scalingo app name; expected lowercase letters, digits and hyphens (at most 48), not starting or ending with a hyphen`
    )
  }
  return value
}

export function parseRepository(value: string): Repository {
  const name = 'repository'
  noControl(name, value)
  const parts = value.split('/')
  if (parts.length !== 2 || !OWNER.test(parts[0]) || !REPO.test(parts[1]) || parts[1] === '.' || parts[1] === '..') {
    throw new InputError(name, `${show(value)} is not a repository; expected owner/name`)
  }
  return { owner: parts[0], repo: parts[1].replace(/\.git$/, '') }
}

/** A git ref as `git check-ref-format` would accept it, or a SHA. */
export function parseRef(value: string): string {
  const name = 'ref'
  noControl(name, value)
  const bad =
    value.length > 255 ||
    /[\s~^:?*[\\]/.test(value) ||
    value.includes('..') ||
    value.includes('@{') ||
    value.includes('//') ||
    value.startsWith('-') ||
    value.startsWith('/') ||
    value.endsWith('/') ||
    value.endsWith('.') ||
    value.endsWith('.lock') ||
    value === '@'
  if (bad) throw new InputError(name, `${show(value)} is not a valid git ref; expected a tag, branch or commit SHA`)
  return value
}

/** The archive Scalingo will fetch: https (loopback http for tests). */
export function parseSourceUrl(value: string): string {
  const name = 'source-url'
  noControl(name, value)
  let u: URL
  try {
    u = new URL(value)
  } catch {
    throw new InputError(name, `is not a URL; expected an https:// URL of a .tar.gz archive`)
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackHost(u.hostname))) {
    throw new InputError(name, `must be an https:// URL (plain http is only allowed for loopback hosts), got ${u.protocol}//…`)
  }
  return value
}

/** GITHUB_SERVER_URL only builds public archive URLs (no token goes there). */
function parseServerUrl(value: string): string {
  let u: URL
  try {
    u = new URL(value)
  } catch {
    throw new InputError('GITHUB_SERVER_URL', `${show(value)} is not a URL`)
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new InputError('GITHUB_SERVER_URL', 'must be an http(s) URL')
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`
}

export function isFullSha(value: string): boolean {
  return FULL_SHA.test(value)
}

/**
 * Builds `Settings` from the inputs and the workflow's environment, or
 * throws an `InputError` naming the input. Pure: no network, no masking.
 */
export function readSettings(get: InputReader, env: NodeJS.ProcessEnv): Settings {
  const app = parseAppName('app', get('app'))

  const apiToken = get('api-token')
  if (apiToken === '') throw new InputError('api-token', 'is required: a Scalingo API token of the production account, stored as a secret')
  if (CONTROL.test(apiToken) || /\s/.test(apiToken)) throw new InputError('api-token', 'must be a single token without spaces or newlines')

  const region = get('region') || KNOWN_REGIONS[0]
  noControl('region', region)
  if (!REGION_NAME.test(region))
    throw new InputError('region', `${show(region)} is not a region name; known regions: ${KNOWN_REGIONS.join(', ')}`)

  const apiUrlInput = get('api-url')
  if (apiUrlInput === '' && !(KNOWN_REGIONS as readonly string[]).includes(region)) {
    throw new InputError('region', `${show(region)} is not a known region (${KNOWN_REGIONS.join(', ')}); set api-url for another region`)
  }
  const apiUrl = parseBaseUrl('api-url', apiUrlInput || `https://api.${region}.scalingo.com`).replace(/\/v1$/, '')
  const authUrl = parseBaseUrl('auth-url', get('auth-url') || DEFAULT_AUTH_URL).replace(/\/v1$/, '')

  const sourceUrlInput = get('source-url')
  const sourceUrl = sourceUrlInput ? parseSourceUrl(sourceUrlInput) : undefined

  const refInput = get('ref')
  const ref = refInput ? parseRef(refInput) : (env.GITHUB_SHA ?? '')
  if (ref === '' && !sourceUrl && !get('archive-path'))
    throw new InputError('ref', 'is empty and GITHUB_SHA is not set; give a tag, branch or commit SHA')
  if (!refInput && ref && !isFullSha(ref)) throw new InputError('ref', `is empty and GITHUB_SHA (${show(ref)}) is not a commit SHA`)

  const repoInput = get('repository') || env.GITHUB_REPOSITORY || ''
  if (repoInput === '' && !sourceUrl) throw new InputError('repository', 'is empty and GITHUB_REPOSITORY is not set; expected owner/name')
  const repository = repoInput ? parseRepository(repoInput) : { owner: '', repo: '' }

  const githubToken = get('github-token')
  if (CONTROL.test(githubToken) || /\s/.test(githubToken))
    throw new InputError('github-token', 'must be a single token without spaces or newlines')

  // GITHUB_API_URL carries the GitHub token: same rule as our own URLs.
  const githubApiUrl = sourceUrl
    ? env.GITHUB_API_URL || 'https://api.github.com'
    : parseBaseUrl('GITHUB_API_URL', env.GITHUB_API_URL || 'https://api.github.com')
  const githubServerUrl = parseServerUrl(env.GITHUB_SERVER_URL || 'https://github.com')

  const wait = parseBoolean('wait', get('wait'), true)
  const timeoutSeconds = parseTimeout(get('timeout') || '30m')
  const force = parseBoolean('force', get('force'), false)
  const dryRun = parseBoolean('dry-run', get('dry-run'), false)

  const envFileInput = get('env-file')
  const envFile = envFileInput ? readEnvFile(envFileInput, env.GITHUB_WORKSPACE || process.cwd()) : undefined

  const environment = get('environment') || undefined
  if (environment !== undefined) {
    noControl('environment', environment)
    if (environment.length > 255) throw new InputError('environment', 'must be at most 255 characters')
  }

  let promoteFrom: Settings['promoteFrom']
  const promoteApp = get('promote-from')
  if (promoteApp) {
    const name = parseAppName('promote-from', promoteApp)
    if (name === app) throw new InputError('promote-from', 'must be another app than app')
    const token = get('promote-from-api-token') || apiToken
    if (CONTROL.test(token) || /\s/.test(token))
      throw new InputError('promote-from-api-token', 'must be a single token without spaces or newlines')
    const pRegion = get('promote-from-region') || region
    if (!REGION_NAME.test(pRegion)) throw new InputError('promote-from-region', `${show(pRegion)} is not a region name`)
    let pApiUrl = apiUrl
    if (pRegion !== region) {
      if (!(KNOWN_REGIONS as readonly string[]).includes(pRegion)) {
        throw new InputError('promote-from-region', `${show(pRegion)} is not a known region (${KNOWN_REGIONS.join(', ')})`)
      }
      pApiUrl = `https://api.${pRegion}.scalingo.com`
    }
    promoteFrom = { app: name, apiToken: token, region: pRegion, apiUrl: pApiUrl }
  } else if (get('promote-from-api-token') || get('promote-from-region')) {
    throw new InputError('promote-from', 'is needed when promote-from-api-token or promote-from-region is set')
  }
  if (promoteFrom && refInput) throw new InputError('ref', 'cannot be combined with promote-from (the commit comes from the promoted app)')
  if (promoteFrom && sourceUrl) throw new InputError('source-url', 'cannot be combined with promote-from')

  const transfer = get('archive-transfer') || 'auto'
  if (transfer !== 'auto' && transfer !== 'url' && transfer !== 'upload')
    throw new InputError('archive-transfer', `must be auto, url or upload, got ${show(transfer)}`)
  const archiveInput = get('archive-path')
  let archivePath: string | undefined
  if (archiveInput) {
    noControl('archive-path', archiveInput)
    if (sourceUrl) throw new InputError('archive-path', 'cannot be combined with source-url')
    if (promoteFrom) throw new InputError('archive-path', 'cannot be combined with promote-from')
    archivePath = resolvePath(env.GITHUB_WORKSPACE || process.cwd(), archiveInput)
  }

  return {
    app,
    apiToken,
    region,
    apiUrl,
    authUrl,
    ref,
    repository,
    githubToken,
    githubApiUrl,
    githubServerUrl,
    sourceUrl,
    wait,
    timeoutSeconds,
    force,
    dryRun,
    envFile,
    environment,
    promoteFrom,
    archivePath,
    archiveTransfer: transfer
  }
}
