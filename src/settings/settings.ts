import { resolve as resolvePath } from 'node:path'
import { InputError } from '../lib/errors.js'
import { canonicalRef, isFullSha } from '../lib/refs.js'
import { quote } from '../lib/text.js'
import type { Repository } from '../github/client.js'
import { DEFAULT_AUTH_URL, DEFAULT_REGION, KNOWN_REGIONS, isKnownRegion, regionApiUrl } from '../scalingo/regions.js'
import { type EnvVariable, parseVariableLines } from './dotenv.js'
import { INPUTS, type InputReader } from './inputs.js'
import {
  parseAppName,
  parseBaseUrl,
  parseBoolean,
  parseChoice,
  parseDuration,
  parseRef,
  parseRegionName,
  parseRepository,
  parseHttpsUrl,
  parseServerUrl,
  parseSourceUrl,
  parseToken,
  refuseCredentials,
  singleLine
} from './parse.js'

/**
 * Every input and the workflow's environment, validated into one
 * `Settings` value before anything else happens. No network, no files:
 * reading the env-file and the archive belongs to the prepare stage.
 */

export type ArchiveTransfer = 'auto' | 'url' | 'upload'

/** Longer than Scalingo's own limits (a 30-minute build, plus time queued): Scalingo ends a deployment first. */
export const DEFAULT_TIMEOUT = '45m'
export const DEFAULT_HEALTH_CHECK_TIMEOUT = '2m'

/** Which app, where, and with which token. */
export interface Target {
  app: string
  apiToken: string
  region: string
  apiUrl: string
  authUrl: string
}

/** The workflow run the action is a step of, as the runner describes it. */
export interface Workflow {
  /** GITHUB_EVENT_NAME: push, workflow_dispatch, workflow_run, pull_request… */
  event: string
  /** GITHUB_SHA: the commit the run was started for. */
  sha: string
  /** GITHUB_REF_TYPE and GITHUB_REF_NAME: on a tag push, `tag` and the tag's name. */
  refType: string
  refName: string
  /** GITHUB_EVENT_PATH: the event's payload (read by the prepare stage, for workflow_run). */
  eventPath: string
}

/** Events whose GITHUB_SHA is not the code to deploy: a ref must be given. */
const EVENTS_NEEDING_A_REF = ['pull_request_target', 'issue_comment']

/** What ships: a commit of a repository, or an archive given as a URL or a file. */
export interface SourceSettings {
  /**
   * What the user asked to deploy: the ref input, or the workflow's SHA when
   * it is empty ('' when the commit comes from the workflow_run event).
   */
  ref: string
  /** Where `ref` came from. */
  refFrom: 'input' | 'workflow' | 'workflow-run'
  workflow: Workflow
  repository: Repository
  githubToken: string
  githubApiUrl: string
  githubServerUrl: string
  /** Deploy this URL as given, skipping GitHub. */
  sourceUrl?: string
}

export interface ArchiveSettings {
  /** A local .tar.gz to upload through the sources API (absolute path, not read yet). */
  archivePath?: string
  archiveTransfer: ArchiveTransfer
}

export interface PromotionSettings {
  promoteFrom?: { app: string; apiToken: string; region: string; apiUrl: string }
}

export interface BehaviourSettings {
  wait: boolean
  timeoutSeconds: number
  force: boolean
  dryRun: boolean
  /** The env-file as given (read and parsed by the prepare stage). */
  envFile?: string
  /** `variables`: NAME=value lines, over the env-file's values. */
  variables: EnvVariable[]
  /** GitHub environment to record a deployment in. */
  environment?: string
  /** Where relative paths are resolved (GITHUB_WORKSPACE). */
  workspace: string
  /** After success: GET this path of the app's URL, or this URL, until it answers 2xx/3xx. */
  healthCheck?: { path?: string; url?: string; timeoutSeconds: number }
  /** When the health check fails: deploy the commit that was live before again. */
  rollback: boolean
  /**
   * Set when the deploy stages serve the review-app action: no downgrade
   * guard (pull requests are force-pushed), a transient GitHub environment
   * recorded in the base repository, and the action's own state variables
   * not counted as changes to deploy for.
   */
  reviewApp?: { baseRepository: Repository; ownVariables: string[] }
}

export type Settings = Target & SourceSettings & ArchiveSettings & PromotionSettings & BehaviourSettings

/** The app, its region and the token; `appInput`: the input that names the app (`parent` for review apps). */
export function readTarget(get: InputReader, appInput: typeof INPUTS.app | 'parent' = INPUTS.app): Target {
  const app = parseAppName(appInput, get(appInput))
  const apiToken = parseToken(
    INPUTS.apiToken,
    get(INPUTS.apiToken),
    'a Scalingo API token of the production account, stored as a secret'
  )
  const region = parseRegionName(INPUTS.region, get(INPUTS.region) || DEFAULT_REGION, KNOWN_REGIONS)
  const apiUrlInput = get(INPUTS.apiUrl)
  if (apiUrlInput === '' && !isKnownRegion(region)) {
    throw new InputError(
      INPUTS.region,
      `${quote(region)} is not a known region (${KNOWN_REGIONS.join(', ')}); set api-url for another region`
    )
  }
  const apiUrl = parseBaseUrl(INPUTS.apiUrl, apiUrlInput || regionApiUrl(region)).replace(/\/v1$/, '')
  const authUrl = parseBaseUrl(INPUTS.authUrl, get(INPUTS.authUrl) || DEFAULT_AUTH_URL).replace(/\/v1$/, '')
  return { app, apiToken, region, apiUrl, authUrl }
}

export function readSource(get: InputReader, env: NodeJS.ProcessEnv): SourceSettings {
  const sourceUrlInput = get(INPUTS.sourceUrl)
  const sourceUrl = sourceUrlInput ? parseSourceUrl(INPUTS.sourceUrl, sourceUrlInput) : undefined

  const workflow: Workflow = {
    event: env.GITHUB_EVENT_NAME ?? '',
    sha: env.GITHUB_SHA ?? '',
    refType: env.GITHUB_REF_TYPE ?? '',
    refName: env.GITHUB_REF_NAME ?? '',
    eventPath: env.GITHUB_EVENT_PATH ?? ''
  }
  // A source-url, a local archive or a promotion say what ships: the workflow's event does not.
  const commitElsewhere = !!sourceUrl || !!get(INPUTS.archivePath) || !!get(INPUTS.promoteFrom)
  const { ref, refFrom } = readRef(get(INPUTS.ref), workflow, commitElsewhere)

  const repoInput = get(INPUTS.repository) || env.GITHUB_REPOSITORY || ''
  if (repoInput === '' && !sourceUrl)
    throw new InputError(INPUTS.repository, 'is empty and GITHUB_REPOSITORY is not set; expected owner/name')
  const repository = repoInput ? parseRepository(INPUTS.repository, repoInput) : { owner: '', repo: '' }

  const githubToken = parseToken(INPUTS.githubToken, get(INPUTS.githubToken))
  // GITHUB_API_URL carries the GitHub token: same rule as our own URLs, checked
  // here when a commit is resolved, and by readSettings when a rollback or a
  // GitHub deployment may call GitHub for a source-url.
  const githubApiUrl = sourceUrl
    ? env.GITHUB_API_URL || 'https://api.github.com'
    : parseBaseUrl('GITHUB_API_URL', env.GITHUB_API_URL || 'https://api.github.com')
  const githubServerUrl = parseServerUrl('GITHUB_SERVER_URL', env.GITHUB_SERVER_URL || 'https://github.com')
  return { ref, refFrom, workflow, repository, githubToken, githubApiUrl, githubServerUrl, sourceUrl }
}

/** The ref input, or what the workflow's event says to deploy when it is empty. */
function readRef(input: string, workflow: Workflow, commitElsewhere: boolean): Pick<SourceSettings, 'ref' | 'refFrom'> {
  if (input) {
    const ref = parseRef(INPUTS.ref, input)
    if (canonicalRef(ref).kind === 'pull') {
      throw new InputError(
        INPUTS.ref,
        `${quote(ref)} is a pull request ref: its head or merge commit is not a release, and GitHub serves commits from forks under the repository's own name; give a tag, branch or commit SHA`
      )
    }
    return { ref, refFrom: 'input' }
  }
  if (!commitElsewhere && EVENTS_NEEDING_A_REF.includes(workflow.event)) {
    throw new InputError(
      INPUTS.ref,
      `is empty, and on ${workflow.event} GITHUB_SHA is the base branch's commit, not the pull request's code: give the ref to deploy explicitly`
    )
  }
  if (!commitElsewhere && workflow.event === 'workflow_run') return { ref: '', refFrom: 'workflow-run' }
  const ref = workflow.sha
  if (ref === '' && !commitElsewhere)
    throw new InputError(INPUTS.ref, 'is empty and GITHUB_SHA is not set; give a tag, branch or commit SHA')
  if (ref && !isFullSha(ref))
    throw new InputError(INPUTS.ref, `is empty and GITHUB_SHA (${quote(ref)}) is not a commit SHA`)
  return { ref, refFrom: 'workflow' }
}

export function readPromotion(get: InputReader, target: Target, source: SourceSettings): PromotionSettings {
  const promoteApp = get(INPUTS.promoteFrom)
  if (!promoteApp) {
    if (get(INPUTS.promoteFromApiToken) || get(INPUTS.promoteFromRegion)) {
      throw new InputError(INPUTS.promoteFrom, 'is needed when promote-from-api-token or promote-from-region is set')
    }
    return {}
  }
  const app = parseAppName(INPUTS.promoteFrom, promoteApp)
  if (app === target.app) throw new InputError(INPUTS.promoteFrom, 'must be another app than app')
  const apiToken = parseToken(INPUTS.promoteFromApiToken, get(INPUTS.promoteFromApiToken) || target.apiToken)
  const region = parseRegionName(
    INPUTS.promoteFromRegion,
    get(INPUTS.promoteFromRegion) || target.region,
    KNOWN_REGIONS
  )
  let apiUrl = target.apiUrl
  if (region !== target.region) {
    if (!isKnownRegion(region)) {
      throw new InputError(
        INPUTS.promoteFromRegion,
        `${quote(region)} is not a known region (${KNOWN_REGIONS.join(', ')})`
      )
    }
    apiUrl = regionApiUrl(region)
  }
  if (get(INPUTS.ref))
    throw new InputError(INPUTS.ref, 'cannot be combined with promote-from (the commit comes from the promoted app)')
  if (source.sourceUrl) throw new InputError(INPUTS.sourceUrl, 'cannot be combined with promote-from')
  return { promoteFrom: { app, apiToken, region, apiUrl } }
}

export function readArchive(
  get: InputReader,
  workspace: string,
  exclusive: { sourceUrl?: string; promoting: boolean }
): ArchiveSettings {
  const transfer = parseChoice(INPUTS.archiveTransfer, get(INPUTS.archiveTransfer), ['auto', 'url', 'upload'])
  const archiveInput = get(INPUTS.archivePath)
  if (!archiveInput) return { archiveTransfer: transfer }
  singleLine(INPUTS.archivePath, archiveInput)
  if (exclusive.sourceUrl) throw new InputError(INPUTS.archivePath, 'cannot be combined with source-url')
  if (exclusive.promoting) throw new InputError(INPUTS.archivePath, 'cannot be combined with promote-from')
  return { archivePath: resolvePath(workspace, archiveInput), archiveTransfer: transfer }
}

export function readBehaviour(get: InputReader, workspace: string): BehaviourSettings {
  const wait = parseBoolean(INPUTS.wait, get(INPUTS.wait), true)
  const timeoutSeconds = parseDuration(INPUTS.timeout, get(INPUTS.timeout) || DEFAULT_TIMEOUT)
  const force = parseBoolean(INPUTS.force, get(INPUTS.force), false)
  const dryRun = parseBoolean(INPUTS.dryRun, get(INPUTS.dryRun), false)
  const envFile = get(INPUTS.envFile) || undefined
  const variables = parseVariableLines(get(INPUTS.variables), INPUTS.variables)
  const environment = get(INPUTS.environment) || undefined
  if (environment !== undefined) {
    singleLine(INPUTS.environment, environment)
    if (environment.length > 255) throw new InputError(INPUTS.environment, 'must be at most 255 characters')
  }
  const healthCheck = readHealthCheck(get)
  const rollback = parseBoolean(INPUTS.rollback, get(INPUTS.rollback), false)
  if (rollback && !healthCheck)
    throw new InputError(INPUTS.rollback, 'needs health-check: a rollback follows a failed health check')
  if (healthCheck && !wait)
    throw new InputError(INPUTS.healthCheck, 'needs wait: true (the app is checked once the deployment succeeded)')
  if (environment && !wait) {
    throw new InputError(
      INPUTS.environment,
      'needs wait: true: without following the deployment, its GitHub deployment could never be finished'
    )
  }
  return { wait, timeoutSeconds, force, dryRun, envFile, variables, environment, workspace, healthCheck, rollback }
}

/** `health-check`: a path on the app's URL (`/health`) or a full https URL; no credentials. */
function readHealthCheck(get: InputReader): BehaviourSettings['healthCheck'] {
  const value = get(INPUTS.healthCheck).trim()
  const timeoutSeconds = parseDuration(
    INPUTS.healthCheckTimeout,
    get(INPUTS.healthCheckTimeout) || DEFAULT_HEALTH_CHECK_TIMEOUT
  )
  if (!value) return undefined
  singleLine(INPUTS.healthCheck, value)
  if (value.startsWith('/')) {
    if (value.startsWith('//') || /\s/.test(value))
      throw new InputError(INPUTS.healthCheck, 'must be a path like /health, or an https:// URL')
    return { path: value, timeoutSeconds }
  }
  const url = parseHttpsUrl(INPUTS.healthCheck, value, 'a path like /health, or an https:// URL')
  refuseCredentials(INPUTS.healthCheck, new URL(url))
  return { url, timeoutSeconds }
}

/** Builds `Settings` from the inputs and the workflow's environment, or throws an `InputError` naming the input. */
export function readSettings(get: InputReader, env: NodeJS.ProcessEnv): Settings {
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const target = readTarget(get)
  const source = readSource(get, env)
  const behaviour = readBehaviour(get, workspace)
  const promotion = readPromotion(get, target, source)
  const archive = readArchive(get, workspace, {
    sourceUrl: source.sourceUrl,
    promoting: promotion.promoteFrom !== undefined
  })
  // Any GitHub request carries the GitHub token: its URL is checked whenever one may happen.
  if (source.sourceUrl && (behaviour.rollback || behaviour.environment))
    source.githubApiUrl = parseBaseUrl('GITHUB_API_URL', source.githubApiUrl)
  return { ...target, ...source, ...behaviour, ...promotion, ...archive }
}
