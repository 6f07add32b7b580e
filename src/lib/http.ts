import * as log from './log.js'
import { HttpClient } from '@actions/http-client'
import { createReadStream } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { type Clock, beforeDeadline, systemClock } from './clock.js'
import { HttpError, NetworkError, extractServerMessage, networkError } from './errors.js'
import { scrub } from './secrets.js'
import { safeUrl } from './urls.js'

/**
 * The one HTTP layer every endpoint goes through: JSON or text bodies,
 * a per-request timeout, and the retry policy the caller asks for.
 */

/**
 * - `idempotent`: retry network errors, 5xx and 429 (GETs, token exchange).
 * - `unsent-only`: retry only when the request certainly never reached the
 *   server (connection refused) or was refused unprocessed (429): the
 *   deployment POST, which must never create two deployments.
 * - `none`: a single attempt.
 */
export type RetryPolicy = 'idempotent' | 'unsent-only' | 'none'

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'HEAD' | 'DELETE'
  url: string
  headers?: Record<string, string>
  /** Sent as JSON. */
  json?: unknown
  retry: RetryPolicy
  /** Statuses that are answers, not errors (2xx always are). */
  accept?: number[]
  /** Never sleep past this instant (ms since epoch) between attempts. */
  deadline?: number
  /** How long this request may run past the deadline (the last look at a deployment at the timeout). */
  graceMs?: number
  /** Largest body read into memory; larger bodies are cut (logs are streamed elsewhere). */
  maxBodyBytes?: number
}

export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  requestId?: string
}

export interface RetrySettings {
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** Longest Retry-After we honour; longer ones are capped (and bounded by the deadline). */
  maxRetryAfterMs: number
  /**
   * 429 without Retry-After: Scalingo counts requests per minute, so short
   * retries only burn the budget. More attempts, longer waits.
   */
  rateLimitAttempts: number
  rateLimitBaseDelayMs: number
  rateLimitMaxDelayMs: number
}

export const defaultRetry: RetrySettings = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
  rateLimitAttempts: 10,
  rateLimitBaseDelayMs: 2000,
  rateLimitMaxDelayMs: 30_000
}

export interface HttpOptions {
  userAgent: string
  /** Idle-socket timeout per request. */
  timeoutMs?: number
  retry?: Partial<RetrySettings>
  clock?: Clock
  random?: () => number
  /** Called before each retry, for the log. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void
}

/** `Retry-After` as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = headerValue(value)
  if (!v) return undefined
  const trimmed = v.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(parseFloat(trimmed) * 1000)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/** Exponential backoff with full jitter, bounded; Retry-After wins when present. */
export function backoffDelay(
  attempt: number,
  settings: RetrySettings,
  random: () => number,
  retryAfterMs?: number
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, settings.maxRetryAfterMs)
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1))
  // Half fixed, half random: never zero, never in lock-step with other runs.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599)
}

/** The first value of a header Node may give as a list. */
export function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h
}

async function readBody(msg: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of msg) {
    const buf = chunk as Buffer
    if (size < maxBytes) chunks.push(size + buf.length > maxBytes ? buf.subarray(0, maxBytes - size) : buf)
    size += buf.length
  }
  return Buffer.concat(chunks).toString('utf8')
}

export class Http {
  private readonly client: HttpClient
  private readonly settings: RetrySettings
  private readonly clock: Clock
  private readonly random: () => number
  private readonly onRetry?: HttpOptions['onRetry']
  /** Every request attempted, for the summary and the benchmarks. */
  requestCount = 0
  /** 429 answers met, for the log. */
  rateLimited = 0
  /** No request outlives this instant (ms since epoch): the action's timeout. */
  deadline?: number

  constructor(opts: HttpOptions) {
    this.client = new HttpClient(opts.userAgent, [], {
      allowRedirects: false,
      allowRetries: false,
      keepAlive: true,
      socketTimeout: opts.timeoutMs ?? 30_000
    })
    this.settings = { ...defaultRetry, ...opts.retry }
    this.clock = opts.clock ?? systemClock
    this.random = opts.random ?? Math.random
    this.onRetry = opts.onRetry
  }

  dispose(): void {
    this.client.dispose()
  }

  /** One attempt, the raw answer: its body is the caller's to read (build output, archives). */
  async raw(opts: Pick<RequestOptions, 'method' | 'url' | 'headers' | 'json'>): Promise<IncomingMessage> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
    let data: string | null = null
    if (opts.json !== undefined) {
      data = JSON.stringify(opts.json)
      headers['Content-Type'] = 'application/json'
    }
    this.requestCount++
    try {
      const res = await this.client.request(opts.method, opts.url, data, headers)
      return res.message
    } catch (err) {
      throw networkError(err, opts.method, opts.url)
    }
  }

  async request(opts: RequestOptions): Promise<HttpResponse> {
    const max = opts.retry === 'none' ? 1 : this.settings.attempts
    const deadline = Math.min(opts.deadline ?? Infinity, this.deadline ?? Infinity) + (opts.graceMs ?? 0)
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(opts, deadline)
      if ('response' in outcome) return outcome.response
      const { failure, retry } = outcome
      const limit = retry?.rateLimitedWithoutHint ? Math.max(max, this.settings.rateLimitAttempts) : max
      if (!retry || attempt >= limit) throw failure
      const delayMs = retry.rateLimitedWithoutHint
        ? backoffDelay(attempt, this.rateLimitSettings(), this.random)
        : backoffDelay(attempt, this.settings, this.random, retry.afterMs)
      if (this.clock.now() + delayMs > deadline) throw failure
      this.onRetry?.({ attempt, delayMs, reason: retry.reason })
      log.debug(`retrying ${opts.method} ${safeUrl(opts.url)} in ${delayMs} ms after ${retry.reason}`)
      await this.clock.sleep(delayMs)
    }
  }

  private rateLimitSettings(): RetrySettings {
    return {
      ...this.settings,
      baseDelayMs: this.settings.rateLimitBaseDelayMs,
      maxDelayMs: this.settings.rateLimitMaxDelayMs
    }
  }

  /** One attempt: the answer, or the failure and whether (and why) it may be retried. */
  private async attempt(
    opts: RequestOptions,
    deadline: number
  ): Promise<
    | { response: HttpResponse }
    | { failure: Error; retry?: { reason: string; afterMs?: number; rateLimitedWithoutHint?: boolean } }
  > {
    const sentAt = Date.now()
    if (this.clock.now() >= deadline) {
      // Nothing is sent once the timeout has passed: a request started now could outlive the run.
      const cause = 'not sent: the timeout has passed'
      return { failure: new NetworkError({ method: opts.method, url: safeUrl(opts.url), cause, unsent: true }) }
    }
    try {
      const msg = await this.beforeDeadline(this.raw(opts), deadline, opts)
      const body = await this.beforeDeadline(this.readBody(msg, opts), deadline, opts)
      const status = msg.statusCode ?? 0
      const requestId = headerValue(msg.headers['x-request-id'])
      log.debug(
        `${opts.method} ${safeUrl(opts.url)} → ${status} in ${Date.now() - sentAt} ms${requestId ? ` (request id ${requestId})` : ''}`
      )
      if ((status >= 200 && status < 300) || opts.accept?.includes(status)) {
        return { response: { status, headers: msg.headers, body, requestId } }
      }
      const failure = httpError(status, opts.method, opts.url, body, msg.headers)
      if (status === 429) this.rateLimited++
      const retryable =
        opts.retry === 'idempotent' ? isRetryableStatus(status) : opts.retry === 'unsent-only' && status === 429
      if (!retryable) return { failure }
      const afterMs = parseRetryAfter(msg.headers['retry-after'], this.clock.now())
      return {
        failure,
        retry: { reason: `${status}`, afterMs, rateLimitedWithoutHint: status === 429 && afterMs === undefined }
      }
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err
      log.debug(`${opts.method} ${safeUrl(opts.url)} → ${err.code ?? 'network error'} after ${Date.now() - sentAt} ms`)
      const retryable = opts.retry === 'idempotent' || (opts.retry === 'unsent-only' && err.unsent)
      return { failure: err, retry: retryable ? { reason: err.code ?? 'network error' } : undefined }
    }
  }

  /** The whole body; a connection dropped while it is read is a network error like any other. */
  private async readBody(
    msg: IncomingMessage,
    opts: Pick<RequestOptions, 'method' | 'url' | 'maxBodyBytes'>
  ): Promise<string> {
    try {
      return await readBody(msg, opts.maxBodyBytes ?? 10 * 1024 * 1024)
    } catch (err) {
      throw networkError(err, opts.method, opts.url, 'the answer was cut short')
    }
  }

  /** A request that hangs past the deadline fails as a network error instead of holding the run. */
  private beforeDeadline<T>(p: Promise<T>, deadline: number, opts: Pick<RequestOptions, 'method' | 'url'>): Promise<T> {
    return beforeDeadline(p, deadline, this.clock, () => {
      throw new NetworkError({
        code: 'ETIMEDOUT',
        method: opts.method,
        url: safeUrl(opts.url),
        cause: 'no answer before the timeout',
        unsent: false
      })
    })
  }

  /**
   * Streams a file as the body of a PUT (an upload URL carries its own
   * signature: no Authorization header). One attempt: the caller decides.
   */
  async putFile(url: string, path: string, size: number, contentType: string): Promise<number> {
    this.requestCount++
    const started = Date.now()
    try {
      const res = await this.client.sendStream('PUT', url, createReadStream(path), {
        'Content-Type': contentType,
        'Content-Length': String(size)
      })
      const body = await res.readBody()
      const status = res.message.statusCode ?? 0
      log.debug(`PUT ${safeUrl(url)} → ${status} in ${Date.now() - started} ms (${size} bytes)`)
      if (status < 200 || status >= 300) {
        throw httpError(status, 'PUT', url, body, res.message.headers)
      }
      return status
    } catch (err) {
      if (err instanceof HttpError) throw err
      throw networkError(err, 'PUT', url, 'upload failed')
    }
  }

  /** A JSON body, parsed; a clear error when it is not JSON. */
  async json<T>(opts: RequestOptions): Promise<{ data: T; response: HttpResponse }> {
    const response = await this.request(opts)
    return { data: parseJson<T>(response, opts), response }
  }
}

/** An HttpError for a non-2xx answer: the URL without query, the server's message scrubbed. */
export function httpError(
  status: number,
  method: string,
  url: string,
  body: string,
  headers: HttpResponse['headers']
): HttpError {
  return new HttpError({
    status,
    method,
    url: safeUrl(url),
    // Scrubbed before it is flattened to one line: a multi-line secret is then still whole.
    serverMessage: extractServerMessage(scrub(body), headerValue(headers['content-type'])),
    requestId: headerValue(headers['x-request-id']),
    headers
  })
}

/**
 * A 2xx body as JSON (a leading BOM tolerated). When it is not clean JSON,
 * the error says its status, content type and length, never its text: a
 * 2xx body may be a bearer, signed URLs or the app's variables.
 */
export function parseJson<T>(response: HttpResponse, opts: Pick<RequestOptions, 'method' | 'url'>): T {
  try {
    return JSON.parse(response.body.replace(/^\uFEFF/, '')) as T
  } catch {
    const type = headerValue(response.headers['content-type']) ?? 'no content type'
    const length = Buffer.byteLength(response.body)
    const what = length === 0 ? 'an empty body' : `a body that is not JSON (${type.split(';')[0]}, ${length} bytes)`
    throw new HttpError({
      status: response.status,
      method: opts.method,
      url: safeUrl(opts.url),
      serverMessage: `expected JSON, got ${what}`,
      requestId: response.requestId,
      headers: response.headers
    })
  }
}
