/**
 * Where a secret may travel, and how a URL is printed: the one URL policy
 * every client uses.
 */

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h === '::1') return true
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/** The URL, or undefined when it is not one. */
export function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

/**
 * Whether a URL may carry a secret: https/wss, or plain http/ws to a
 * loopback host (tests). The one rule for every token we send.
 */
export function mayCarrySecrets(url: string): boolean {
  const u = parseUrl(url)
  if (!u) return false
  if (u.protocol === 'https:' || u.protocol === 'wss:') return true
  return (u.protocol === 'http:' || u.protocol === 'ws:') && isLoopbackHost(u.hostname)
}

/** https, or plain http to a loopback host: the rule for base URLs given as inputs. */
export function isHttpsOrLoopback(u: URL): boolean {
  return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname))
}

/** A URL safe to print: no credentials, no query string. */
export function safeUrl(url: string): string {
  const u = parseUrl(url)
  return u ? `${u.protocol}//${u.host}${u.pathname}` : '(invalid URL)'
}

/** Same scheme, host and port: where the bearer may go besides the API's own URLs. */
export function sameOrigin(url: string, base: string): boolean {
  const u = parseUrl(url)
  const b = parseUrl(base)
  return !!u && !!b && u.origin === b.origin && !u.username && !u.password
}

/**
 * What is wrong with a URL an answer hands us to use (a redirect's
 * Location, a signed upload or download URL): it must be https (plain http
 * to a loopback host, for tests) and carry no `user:password@`. Its signing
 * query string is expected (and masked). Undefined when it is fine.
 */
export function answerUrlProblem(url: string): string | undefined {
  const u = parseUrl(url)
  if (!u) return 'it is not a URL'
  if (!isHttpsOrLoopback(u)) return `it is not https (${u.protocol}//${u.host})`
  if (u.username || u.password) return 'it carries a user name or password'
  return undefined
}

/**
 * Why a URL an answer hands us (the deployment stream, a one-off's attach
 * URL) may not get the bearer, or undefined when it may: `scheme` (its
 * plain form only to a loopback host, for tests), no `user:pass@`, on the
 * API's own host or, when `underScalingo`, a host under scalingo.com.
 */
export function bearerUrlProblem(
  url: string,
  apiUrl: string,
  opts: { scheme: 'https' | 'wss'; underScalingo: boolean }
): string | undefined {
  const u = parseUrl(url)
  const api = parseUrl(apiUrl)
  if (!u || !api) return 'it is not a URL'
  const plain = opts.scheme === 'https' ? 'http:' : 'ws:'
  if (u.protocol !== `${opts.scheme}:` && !(u.protocol === plain && isLoopbackHost(u.hostname)))
    return `it is not ${opts.scheme} (${u.protocol}//${u.host})`
  if (u.username || u.password) return 'it carries a user name or password'
  const host = u.hostname.toLowerCase()
  if (host === api.hostname.toLowerCase() || (opts.underScalingo && host.endsWith('.scalingo.com'))) return undefined
  return opts.underScalingo
    ? `${u.hostname} is neither the API's host nor under scalingo.com`
    : `${u.hostname} is not the API's host`
}
