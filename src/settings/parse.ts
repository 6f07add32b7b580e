import { InputError } from '../lib/errors.js'
import { hasControlChars, quote } from '../lib/text.js'
import { refFormatProblem } from '../lib/refs.js'
import { isHttpsOrLoopback } from '../lib/urls.js'

/** One parser per kind of input value: each returns the value or throws an InputError naming the input. */

/** Six hours: the longest a GitHub-hosted job may run. */
export const MAX_TIMEOUT_SECONDS = 6 * 3600

const APP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/
const REGION_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/
const REPO = /^[A-Za-z0-9._-]{1,100}$/

export function singleLine(name: string, value: string): string {
  if (hasControlChars(value)) throw new InputError(name, 'must be a single line without control characters')
  return value
}

/** A token: one word, no spaces or line breaks (`required` says what it is for). */
export function parseToken(name: string, value: string, required?: string): string {
  if (value === '' && required) throw new InputError(name, `is required: ${required}`)
  if (hasControlChars(value) || /\s/.test(value))
    throw new InputError(name, 'must be a single token without spaces or newlines')
  return value
}

function parseUrl(name: string, value: string, expected: string): URL {
  singleLine(name, value)
  try {
    return new URL(value)
  } catch {
    throw new InputError(name, expected)
  }
}

function requireHttps(name: string, u: URL): void {
  if (!isHttpsOrLoopback(u)) {
    throw new InputError(
      name,
      `must be an https:// URL (plain http is only allowed for loopback hosts), got ${u.protocol}//…`
    )
  }
}

/** No `user:password@` in a URL given as an input. */
export function refuseCredentials(name: string, u: URL): void {
  if (u.username || u.password) throw new InputError(name, 'must not contain credentials')
}

/**
 * An https base URL (http only for loopback hosts, so tests can run):
 * a token never travels over plain http. Returns it without a trailing slash.
 */
export function parseBaseUrl(name: string, value: string): string {
  const u = parseUrl(name, value, `${quote(value)} is not a URL; expected https://host[/path]`)
  requireHttps(name, u)
  refuseCredentials(name, u)
  if (u.search || u.hash) throw new InputError(name, 'must not contain a query string or fragment')
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`
}

/** An https URL (loopback http for tests); `expected` says what it is for. */
export function parseHttpsUrl(name: string, value: string, expected: string): string {
  requireHttps(name, parseUrl(name, value, `is not a URL; expected ${expected}`))
  return value
}

/** The archive Scalingo will fetch. */
export function parseSourceUrl(name: string, value: string): string {
  return parseHttpsUrl(name, value, 'an https:// URL of a .tar.gz archive')
}

/** GITHUB_SERVER_URL only builds public archive URLs (no token goes there). */
export function parseServerUrl(name: string, value: string): string {
  const u = parseUrl(name, value, `${quote(value)} is not a URL`)
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new InputError(name, 'must be an http(s) URL')
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`
}

/** `900`, `90s`, `15m`, `1h`, `1h30m`: seconds, between 1 s and 6 h. */
export function parseDuration(name: string, value: string): number {
  singleLine(name, value)
  const accepted = 'expected seconds (900) or a duration like 90s, 15m, 1h, 1h30m'
  const v = value.trim().toLowerCase()
  let seconds: number
  if (/^\d{1,6}$/.test(v)) {
    seconds = parseInt(v, 10)
  } else {
    const m = /^(?:(\d{1,3})h)?(?:(\d{1,5})m)?(?:(\d{1,6})s)?$/.exec(v)
    if (!m || v === '') throw new InputError(name, `${quote(value)} is not a duration; ${accepted}`)
    seconds = parseInt(m[1] ?? '0', 10) * 3600 + parseInt(m[2] ?? '0', 10) * 60 + parseInt(m[3] ?? '0', 10)
  }
  if (seconds < 1) throw new InputError(name, `must be at least 1 second, got ${quote(value)}`)
  if (seconds > MAX_TIMEOUT_SECONDS)
    throw new InputError(name, `must be at most 6h (a job's longest run), got ${quote(value)}`)
  return seconds
}

/** One of a few words (the first is the default when empty): `must be a, b or c, got "x"` otherwise. */
export function parseChoice<C extends string>(name: string, value: string, choices: readonly [C, ...C[]]): C {
  const v = value || choices[0]
  if ((choices as readonly string[]).includes(v)) return v as C
  const words = `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`
  throw new InputError(name, `must be ${words}, got ${quote(v)}`)
}

export function parseBoolean(name: string, value: string, fallback: boolean): boolean {
  const v = value.trim()
  if (v === '') return fallback
  if (['true', 'True', 'TRUE'].includes(v)) return true
  if (['false', 'False', 'FALSE'].includes(v)) return false
  throw new InputError(name, `must be true or false, got ${quote(v)}`)
}

export function parseAppName(name: string, value: string): string {
  if (value === '') throw new InputError(name, 'is required: the name of the Scalingo app to deploy')
  singleLine(name, value)
  if (!APP_NAME.test(value)) {
    throw new InputError(
      name,
      `${quote(value)} is not a Scalingo app name; expected lowercase letters, digits and hyphens (at most 48), not starting or ending with a hyphen`
    )
  }
  return value
}

export function parseRegionName(name: string, value: string, known: readonly string[]): string {
  singleLine(name, value)
  if (!REGION_NAME.test(value))
    throw new InputError(name, `${quote(value)} is not a region name; known regions: ${known.join(', ')}`)
  return value
}

export function parseRepository(name: string, value: string): { owner: string; repo: string } {
  singleLine(name, value)
  const parts = value.split('/')
  if (parts.length !== 2 || !OWNER.test(parts[0]) || !REPO.test(parts[1]) || parts[1] === '.' || parts[1] === '..') {
    throw new InputError(name, `${quote(value)} is not a repository; expected owner/name`)
  }
  return { owner: parts[0], repo: parts[1].replace(/\.git$/, '') }
}

/** A git ref as `git check-ref-format` would accept it, or a SHA. */
export function parseRef(name: string, value: string): string {
  singleLine(name, value)
  const problem = refFormatProblem(value)
  if (problem)
    throw new InputError(
      name,
      `${quote(value)} is not a valid git ref (${problem}); expected a tag, branch or commit SHA`
    )
  return value
}
