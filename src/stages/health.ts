import { type Clock, beforeDeadline, formatDuration } from '../lib/clock.js'
import { HttpError, NetworkError, describeError } from '../lib/errors.js'
import { Http } from '../lib/http.js'
import * as log from '../lib/log.js'
import { answerUrlProblem, safeUrl } from '../lib/urls.js'
import type { App } from '../scalingo/client.js'

/**
 * `health-check`: Scalingo's `success` means the new containers started,
 * not that the app serves its users. A GET of a path on the app's URL (or
 * of a full URL), without any credential, redirects not followed: any 2xx
 * or 3xx is healthy. Tried right away, then again after 1 s, 2 s, 4 s…
 * (at most 10 s apart) until `health-check-timeout`.
 */

export interface HealthResult {
  ok: boolean
  /** What is printed for the URL: the path on the app's URL, or the URL without query. */
  target: string
  tries: number
  /** The last answer: a status, or what went wrong. */
  last: string
  elapsedMs: number
}

/** The URL to check: a path on the app's public URL, or the URL given. */
export function healthUrl(check: { path?: string; url?: string }, app: App): string | undefined {
  if (check.url) return check.url
  const base = app.url || app.base_url
  // The app's URL is an answer like any other: https (loopback for tests), no credentials.
  if (!base || !check.path || answerUrlProblem(base)) return undefined
  return `${new URL(base).origin}${check.path}`
}

/** The pause before try n+1: 1 s, 2 s, 4 s… at most 10 s. */
export function healthBackoff(tries: number): number {
  return Math.min(10_000, 1000 * 2 ** (tries - 1))
}

/** One try's longest wait for an answer: a hanging app is a failed try, not a stuck run. */
const TRY_TIMEOUT_MS = 10_000

export async function checkHealth(
  url: string,
  shownAs: string,
  timeoutSeconds: number,
  clock: Clock,
  userAgent: string
): Promise<HealthResult> {
  const started = clock.now()
  const deadline = started + timeoutSeconds * 1000
  // Its own HTTP client: no bearer, no retries of its own, redirects not followed.
  const http = new Http({ userAgent, clock, timeoutMs: TRY_TIMEOUT_MS })
  let tries = 0
  let last: string
  try {
    for (;;) {
      tries++
      const answer = await tryOnce(http, url, clock, Math.min(deadline, clock.now() + TRY_TIMEOUT_MS))
      last = answer.what
      if (answer.ok) return { ok: true, target: shownAs, tries, last, elapsedMs: clock.now() - started }
      const pause = healthBackoff(tries)
      if (clock.now() + pause >= deadline) break
      log.info(`(health check: ${shownAs} ${last}; trying again in ${formatDuration(pause)})`)
      await clock.sleep(pause)
    }
  } finally {
    http.dispose()
  }
  return { ok: false, target: shownAs, tries, last, elapsedMs: clock.now() - started }
}

async function tryOnce(http: Http, url: string, clock: Clock, until: number): Promise<{ ok: boolean; what: string }> {
  const redirects = [300, 301, 302, 303, 304, 305, 307, 308]
  try {
    const res = await beforeDeadline(
      http.request({
        method: 'GET',
        url,
        headers: { Accept: '*/*' },
        retry: 'none',
        accept: redirects,
        maxBodyBytes: 64 * 1024
      }),
      until,
      clock,
      () => undefined
    )
    if (!res) return { ok: false, what: `gave no answer within ${formatDuration(TRY_TIMEOUT_MS)}` }
    return { ok: true, what: `answered ${res.status}` }
  } catch (err) {
    if (err instanceof HttpError) return { ok: false, what: `answered ${err.status}` }
    if (err instanceof NetworkError) return { ok: false, what: `failed (${err.code ?? describeError(err)})` }
    throw err
  }
}

/** How the check is shown: the path on the app's URL or the URL, never its query (a probe key) or fragment. */
export function healthTarget(check: { path?: string; url?: string }): string {
  return check.path !== undefined ? check.path.replace(/[?#].*$/s, '') : safeUrl(check.url ?? '')
}
