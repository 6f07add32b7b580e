import { scrub } from './secrets.js'
import { oneLine } from './text.js'
import { safeUrl } from './urls.js'

/**
 * An error meant for the user: its message is the one line `core.setFailed`
 * prints, the hint says what to check. Nothing else reaches the user.
 */
export class ActionError extends Error {
  readonly hint?: string
  /** The annotation's title, when the failure deserves one (`Scalingo build-error`). */
  readonly title?: string
  constructor(message: string, hint?: string, title?: string) {
    super(message)
    this.name = 'ActionError'
    this.hint = hint
    this.title = title
  }
}

/** An input that cannot be used: raised before any request is made. */
export class InputError extends ActionError {
  readonly input: string
  constructor(input: string, message: string) {
    super(`Input '${input}': ${message}`)
    this.name = 'InputError'
    this.input = input
  }
}

/** A non-2xx answer, with what the server said about it. */
export class HttpError extends Error {
  readonly status: number
  readonly method: string
  /** The URL without query string or credentials: safe to print. */
  readonly url: string
  /** The server's own message, extracted from JSON or text, one line. */
  readonly serverMessage: string
  readonly requestId?: string
  readonly headers: Record<string, string | string[] | undefined>
  constructor(opts: {
    status: number
    method: string
    url: string
    serverMessage: string
    requestId?: string
    headers: Record<string, string | string[] | undefined>
  }) {
    super(`${opts.method} ${opts.url} answered ${opts.status}: ${opts.serverMessage}`)
    this.name = 'HttpError'
    this.status = opts.status
    this.method = opts.method
    this.url = opts.url
    this.serverMessage = opts.serverMessage
    this.requestId = opts.requestId
    this.headers = opts.headers
  }
}

/** No HTTP answer at all: refused, reset, timed out, DNS failure. */
export class NetworkError extends Error {
  readonly code?: string
  readonly method: string
  readonly url: string
  /** True when the request certainly never reached the server (safe to send again). */
  readonly unsent: boolean
  constructor(opts: { code?: string; method: string; url: string; cause: string; unsent: boolean }) {
    super(`${opts.method} ${opts.url} failed: ${opts.cause}`)
    this.name = 'NetworkError'
    this.code = opts.code
    this.method = opts.method
    this.url = opts.url
    this.unsent = opts.unsent
  }
}

/** Error codes raised before a single byte of the request left this machine. */
const UNSENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_INVALID_URL'
])

export function isUnsentCode(code: string | undefined): boolean {
  return code !== undefined && UNSENT_CODES.has(code)
}

/**
 * Whether a request that must not be sent twice may have been acted on
 * although it failed: no answer after it left, a 5xx, or a 2xx whose body
 * could not be read. Only then is it looked up instead of refused.
 */
export function mayHaveBeenProcessed(err: unknown): boolean {
  if (err instanceof NetworkError) return !err.unsent
  return err instanceof HttpError && (err.status >= 500 || (err.status >= 200 && err.status < 300))
}

/**
 * A Node error (refused, reset, timed out…) as a NetworkError: the URL
 * without query, only our own words for the cause (http-client's timeout
 * message carries the path and query).
 */
export function networkError(err: unknown, method: string, url: string, fallback = 'network error'): NetworkError {
  const e = err as NodeJS.ErrnoException
  const cause = e.code
    ? e.code
    : /timeout/i.test(e.message ?? '')
      ? 'request timed out'
      : e.message
        ? oneLine(e.message, 120)
        : fallback
  return new NetworkError({
    code: e.code,
    method,
    url: safeUrl(url),
    cause: scrub(cause),
    unsent: isUnsentCode(e.code)
  })
}

/**
 * JSON string escapes in a text that is not JSON (a cut body, a JSON
 * fragment in plain text) decoded, so a secret written `\u0026`- or
 * `\/`-escaped is scrubbed like any other.
 */
export function decodeJsonEscapes(text: string): string {
  const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: ' ', f: ' ', n: '\n', r: '\r', t: '\t' }
  return text.replace(/\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g, (_m, e: string) =>
    e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : simple[e]
  )
}

/**
 * Pulls a readable message out of whatever an API answered: Scalingo's
 * `{"error"}`, `{"errors": {field: [..]}}`, GitHub's `{"message"}`, an HTML
 * page from a proxy, plain text, or nothing.
 */
export function extractServerMessage(body: string, contentType?: string): string {
  const trimmed = body.trim()
  if (trimmed === '') return '(empty body)'
  let parsed: unknown
  try {
    parsed = JSON.parse(trimmed)
  } catch {
    parsed = undefined
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const o = parsed as Record<string, unknown>
    const parts: string[] = []
    if (typeof o.error === 'string' && o.error) parts.push(o.error)
    else if (o.error && typeof o.error === 'object') parts.push(JSON.stringify(o.error))
    if (typeof o.message === 'string' && o.message) parts.push(o.message)
    if (o.errors && typeof o.errors === 'object') {
      if (Array.isArray(o.errors)) {
        for (const e of o.errors) parts.push(typeof e === 'string' ? e : JSON.stringify(e))
      } else {
        for (const [field, msgs] of Object.entries(o.errors as Record<string, unknown>)) {
          const list = Array.isArray(msgs) ? msgs.map(String).join(', ') : String(msgs)
          parts.push(`${field} ${list}`)
        }
      }
    }
    if (parts.length > 0) return oneLine(parts.join('; '))
    return oneLine(decodeJsonEscapes(trimmed))
  }
  if ((contentType ?? '').includes('html') || /^<(!doctype|html)/i.test(trimmed)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1]
    const text = decodeJsonEscapes(title ?? trimmed.replace(/<[^>]*>/g, ' ')).trim()
    return oneLine(`HTML page: ${text || '(no text)'}`, 200)
  }
  return oneLine(decodeJsonEscapes(trimmed), 200)
}

/** The message shown to the user for any error, scrubbed of every secret. */
export function describeError(err: unknown): string {
  if (err instanceof ActionError) {
    return oneLine(scrub(err.hint ? `${err.message} (${err.hint})` : err.message), 1000)
  }
  if (err instanceof HttpError) {
    const rid = err.requestId ? ` [request id ${err.requestId}]` : ''
    return oneLine(scrub(`${err.method} ${err.url} answered ${err.status}: ${err.serverMessage}${rid}`), 1000)
  }
  if (err instanceof Error) return oneLine(scrub(err.message || err.name), 1000)
  if (err !== null && typeof err === 'object') {
    try {
      return oneLine(scrub(JSON.stringify(err)), 1000)
    } catch {
      return 'unexpected error'
    }
  }
  return oneLine(scrub(String(err)), 1000)
}
