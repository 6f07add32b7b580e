import { type IncomingMessage, request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Duplex } from 'node:stream'
import { HttpError, NetworkError, networkError } from '../lib/errors.js'
import type { Http } from '../lib/http.js'
import { registerSecret } from '../lib/secrets.js'
import { bearerUrlProblem, safeUrl } from '../lib/urls.js'

/**
 * The one-off's terminal, as Scalingo's CLI reaches it (`apps/run.go`):
 * `CONNECT <path>` to the attach URL's host with `Authorization: Basic
 * base64(":" + bearer)`; a 200 (the CLI's helper also takes 202) turns the
 * connection into the raw terminal. `GET <attach_url>/wait` says how the
 * command ended.
 */

/**
 * Why the bearer may not go to this attach URL, or undefined when it may:
 * https (plain http only to a loopback host, for tests), no `user:pass@`,
 * on the API's host or a host under `scalingo.com`.
 */
export function attachUrlProblem(url: string, apiUrl: string): string | undefined {
  return bearerUrlProblem(url, apiUrl, { scheme: 'https', underScalingo: true })
}

/** The Basic credentials of the run service: an empty user, the bearer as password (masked). */
export function attachAuthorization(bearer: string): string {
  const basic = Buffer.from(`:${bearer}`).toString('base64')
  registerSecret(basic)
  return `Basic ${basic}`
}

export interface Terminal {
  socket: Duplex
  /** Bytes that arrived with the answer's head: the terminal's first output. */
  head: Buffer
}

/** A CONNECT answered with anything but 200 or 202. */
function refusal(attachUrl: string, res: IncomingMessage): HttpError {
  return new HttpError({
    status: res.statusCode ?? 0,
    method: 'CONNECT',
    url: safeUrl(attachUrl),
    serverMessage: res.statusMessage || '(no message)',
    headers: res.headers
  })
}

/** Opens the terminal: one CONNECT, no retry (the caller decides); a refusal is an HttpError with its status. */
export function openTerminal(
  attachUrl: string,
  bearer: string,
  userAgent: string,
  timeoutMs: number
): Promise<Terminal> {
  const u = new URL(attachUrl)
  const tls = u.protocol === 'https:'
  return new Promise<Terminal>((resolve, reject) => {
    let settled = false
    const settle = (f: () => void): void => {
      if (settled) return
      settled = true
      f()
    }
    const req = (tls ? httpsRequest : httpRequest)({
      method: 'CONNECT',
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port || (tls ? 443 : 80),
      // As the CLI's http.NewRequest + req.Write: the path on the request line, the host in Host.
      path: u.pathname || '/',
      servername: tls ? u.hostname : undefined,
      agent: false,
      headers: { Host: u.host, Authorization: attachAuthorization(bearer), 'User-Agent': userAgent }
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')))
    req.on('connect', (res, socket, head) => {
      const ok = res.statusCode === 200 || res.statusCode === 202
      if (!ok || settled) socket.destroy()
      if (ok) req.setTimeout(0)
      settle(() => (ok ? resolve({ socket, head }) : reject(refusal(attachUrl, res))))
    })
    req.on('response', res => {
      res.resume()
      settle(() => reject(refusal(attachUrl, res)))
    })
    req.on('error', err => settle(() => reject(networkError(err, 'CONNECT', attachUrl))))
    req.end()
  })
}

export type WaitAnswer = { exitCode: number } | { inactive: true }

/**
 * `GET <attach_url>/wait` → `{"exit_code": N}`; 408: Scalingo stopped the
 * one-off for inactivity. It answers once the command has ended. `until`
 * may lie past the run's deadline (the few seconds after a Ctrl-C).
 */
export async function waitForExit(http: Http, attachUrl: string, bearer: string, until: number): Promise<WaitAnswer> {
  const url = `${attachUrl.split(/[?#]/)[0].replace(/\/+$/, '')}/wait`
  const res = await http.request({
    method: 'GET',
    url,
    headers: { Authorization: attachAuthorization(bearer) },
    retry: 'idempotent',
    accept: [408],
    deadline: until,
    graceMs: Math.max(0, until - (http.deadline ?? until)),
    maxBodyBytes: 64 * 1024
  })
  if (res.status === 408) return { inactive: true }
  let code: unknown
  try {
    code = (JSON.parse(res.body) as { exit_code?: unknown }).exit_code
  } catch {
    code = undefined
  }
  if (typeof code !== 'number' || !Number.isInteger(code))
    throw new NetworkError({ method: 'GET', url: safeUrl(url), cause: 'the answer holds no exit code', unsent: false })
  return { exitCode: code }
}
