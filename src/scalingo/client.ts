import type { IncomingMessage } from 'node:http'
import { type Clock, systemClock } from '../lib/clock.js'
import { ActionError, HttpError } from '../lib/errors.js'
import { type Http, type HttpResponse, type RequestOptions, headerValue, httpError, parseJson } from '../lib/http.js'
import { registerSecret, registerSecretUrl } from '../lib/secrets.js'
import { statusLabel } from '../lib/text.js'
import { answerUrlProblem, safeUrl, sameOrigin } from '../lib/urls.js'

/**
 * Scalingo only: the token exchange, the bearer (masked, exchanged again
 * before it expires or once after a 401), and the few endpoints we use.
 */

export interface App {
  id: string
  name: string
  url?: string
  base_url?: string
  last_deployment_id?: string
  links?: { deployments_stream?: string }
}

export interface Deployment {
  id: string
  created_at?: string
  status: string
  git_ref?: string | null
  duration?: number
  links?: { output?: string }
}

export interface ScalingoConfig {
  apiUrl: string
  authUrl: string
  apiToken: string
  app: string
  region: string
  clock?: Clock
  /** The inputs that name this app, its region and its token: what an error tells the user to check. */
  inputs?: { app: string; region: string; token: string }
}

const MAIN_INPUTS = { app: 'app', region: 'region', token: 'api-token' }

/** Exchange again when fewer than 5 minutes are left, as go-scalingo does. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000

/** The `exp` claim of a JWT in ms, or undefined when it has none we can read. */
export function jwtExpiry(token: string): number | undefined {
  const part = token.split('.')[1]
  if (!part) return undefined
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown }
    return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined
  } catch {
    return undefined
  }
}

/**
 * An app event, as far as we keep it: its type, its time and the names of
 * the variables it changed. `type_data` also carries their values: they are
 * read only to find the names, never kept or printed.
 */
export interface AppEvent {
  type: string
  createdAt: string
  variableNames: string[]
}

/** The event types that change a variable (go-scalingo events_structs.go). */
export const VARIABLE_EVENTS = ['new_variable', 'edit_variable', 'edit_variables', 'delete_variable']

/** The names an event's `type_data` mentions (single or bulk form); values are left where they are. */
function variableNamesOf(type: string, data: unknown): string[] {
  if (!VARIABLE_EVENTS.includes(type) || !data || typeof data !== 'object') return []
  const d = data as Record<string, unknown>
  const named = (v: unknown): string[] =>
    v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string'
      ? [(v as { name: string }).name]
      : []
  if (type !== 'edit_variables') return named(d)
  return ['new_vars', 'updated_vars', 'deleted_vars'].flatMap(k => (Array.isArray(d[k]) ? d[k].flatMap(named) : []))
}

/** Scalingo's `meta.pagination`, as far as paging goes. */
export interface PageMeta {
  pagination?: { next_page?: unknown }
}

/**
 * Whether a list has a page after `page`: its `meta.pagination.next_page`
 * says; without pagination metadata, a full page may have a next one; an
 * empty page never does.
 */
export function hasNextPage(meta: PageMeta | undefined, page: number, count: number, perPage: number): boolean {
  if (count === 0) return false
  const pagination = meta?.pagination
  if (!pagination) return count >= perPage
  return typeof pagination.next_page === 'number' && pagination.next_page > page
}

/** A one-off just started: its container, and the operation to poll when attaching. */
export interface OneOffStarted {
  containerId?: string
  /** `one-off-7123`: what `scalingo logs --filter` takes. */
  label: string
  operationId?: string
}

/** The operation that starts an attached one-off (`GET …/operations/{id}`). */
export interface Operation {
  status: string
  error?: string
  attachUrl?: string
}

/** An operation id as it may go in a path of ours: the bearer never follows a URL from an answer. */
const OPERATION_ID = /^[A-Za-z0-9_-]{1,100}$/

/** The operation id of a run answer: from `operation_url` (as the CLI since 1.44.1), else `operation`, else `Location`. */
export function operationIdOf(
  body: { operation_url?: unknown; operation?: unknown },
  location?: string
): string | undefined {
  const last = (url: unknown): string | undefined => {
    if (typeof url !== 'string') return undefined
    const path = url.split(/[?#]/)[0].replace(/\/+$/, '')
    return path.slice(path.lastIndexOf('/') + 1)
  }
  for (const candidate of [last(body.operation_url), body.operation, last(location)]) {
    if (typeof candidate === 'string' && OPERATION_ID.test(candidate)) return candidate
  }
  return undefined
}

/** A 2xx answer we cannot read: for the POST, it may still have created the deployment. */
export class MalformedAnswerError extends ActionError {
  constructor(message: string) {
    super(message)
    this.name = 'MalformedAnswerError'
  }
}

/** Checks a `{"deployment": {...}}` answer has what we rely on. */
export function readDeployment(data: unknown, what: string): Deployment {
  const d = (data as { deployment?: unknown } | null)?.deployment as Partial<Deployment> | undefined
  if (!d || typeof d !== 'object' || typeof d.id !== 'string' || typeof d.status !== 'string') {
    throw new MalformedAnswerError(
      `Scalingo answered ${what} without a deployment (no "deployment" object with an id and a status)`
    )
  }
  return { ...(d as Deployment), status: statusLabel(d.status) }
}

export class ScalingoClient {
  /** The bearer and its expiry: shared with the clients `forApp` makes (same token, same account). */
  private session: { token?: string; expiry?: number } = {}
  private readonly clock: Clock
  exchanges = 0

  constructor(
    private readonly http: Http,
    readonly config: ScalingoConfig
  ) {
    this.clock = config.clock ?? systemClock
  }

  private appPath(suffix = ''): string {
    return `${this.config.apiUrl}/v1/apps/${encodeURIComponent(this.config.app)}${suffix}`
  }

  /**
   * A client for another app of the same account (a review app of its
   * parent), with this client's bearer: one exchange per run.
   */
  forApp(app: string, inputs?: ScalingoConfig['inputs']): ScalingoClient {
    const other = new ScalingoClient(this.http, { ...this.config, app, inputs: inputs ?? this.config.inputs })
    other.session = this.session
    return other
  }

  /**
   * Any other endpoint of the API (`path` from `/v1/`), with the bearer:
   * the child apps and addons calls of `childapps.ts`. Errors are left as
   * they are: the caller knows what a 404 or a 422 means there.
   */
  async api<T>(
    method: RequestOptions['method'],
    path: string,
    opts: { json?: unknown; retry: RequestOptions['retry'] }
  ): Promise<{ status: number; data: T }> {
    const url = `${this.config.apiUrl}${path}`
    const response = await this.call({ method, url, json: opts.json, retry: opts.retry })
    if (response.status === 204 || response.body.length === 0) return { status: response.status, data: {} as T }
    return { status: response.status, data: parseJson<T>(response, { method, url }) }
  }

  /** Basic auth with an empty user and the API token as password. */
  async exchange(): Promise<string> {
    const basic = Buffer.from(`:${this.config.apiToken}`).toString('base64')
    registerSecret(basic)
    this.exchanges++
    let token: unknown
    try {
      const { data } = await this.http.json<{ token?: unknown }>({
        method: 'POST',
        url: `${this.config.authUrl}/v1/tokens/exchange`,
        headers: { Authorization: `Basic ${basic}` },
        retry: 'idempotent'
      })
      token = data?.token
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) {
        throw new ActionError(
          `the Scalingo API token was refused (401: ${err.serverMessage})`,
          `check the ${(this.config.inputs ?? MAIN_INPUTS).token} secret: it must be a valid, unexpired API token of the account that owns the app`
        )
      }
      throw err
    }
    if (typeof token !== 'string' || token === '') {
      throw new ActionError('the Scalingo token exchange answered without a token')
    }
    registerSecret(token)
    this.session.token = token
    this.session.expiry = jwtExpiry(token)
    return token
  }

  /** The bearer, exchanged again when it is about to expire. */
  async bearer(): Promise<string> {
    if (
      !this.session.token ||
      (this.session.expiry !== undefined && this.session.expiry - this.clock.now() < REFRESH_MARGIN_MS)
    ) {
      return this.exchange()
    }
    return this.session.token
  }

  /**
   * Sends with the bearer; a 401 means it expired: exchange again once and
   * send again. The one place that decides about a refused bearer.
   */
  private async withBearer<T>(
    what: string,
    send: (bearer: string) => Promise<T>,
    refused: (result: T) => boolean = () => false
  ): Promise<T> {
    const first = await this.tryBearer(send)
    if (!first.unauthorized && !refused(first.result as T)) return first.result as T
    this.session.token = undefined
    const again = await this.tryBearer(send)
    if (again.unauthorized || refused(again.result as T)) {
      throw new ActionError(
        `Scalingo refused the bearer token for ${what} (401${again.message ? `: ${again.message}` : ''})`,
        'the API token may have been revoked during the run'
      )
    }
    return again.result as T
  }

  private async tryBearer<T>(
    send: (bearer: string) => Promise<T>
  ): Promise<{ result?: T; unauthorized: boolean; message?: string }> {
    try {
      return { result: await send(await this.bearer()), unauthorized: false }
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) return { unauthorized: true, message: err.serverMessage }
      throw err
    }
  }

  private call(opts: RequestOptions): Promise<HttpResponse> {
    return this.withBearer(`${opts.method} ${safeUrl(opts.url)}`, bearer =>
      this.http.request({ ...opts, headers: { ...opts.headers, Authorization: `Bearer ${bearer}` } })
    )
  }

  /** A call whose 2xx answer is JSON, parsed (never quoted when it is not). */
  private async callJson<T>(opts: RequestOptions): Promise<T> {
    return parseJson<T>(await this.call(opts), opts)
  }

  /** Scalingo's refusal as a sentence about our app; other errors as they are. */
  toActionError(err: unknown): unknown {
    if (!(err instanceof HttpError)) return err
    const { app, region } = this.config
    const inputs = this.config.inputs ?? MAIN_INPUTS
    const rid = err.requestId ? `, request id ${err.requestId}` : ''
    switch (err.status) {
      case 404:
        return new ActionError(
          `app "${app}" was not found in region ${region} (404: ${err.serverMessage}${rid})`,
          `check ${inputs.app} and ${inputs.region}; the app may live in another region, or the account of ${inputs.token} has no access to it`
        )
      case 402:
        return new ActionError(
          `Scalingo refused: payment required for app "${app}" (402: ${err.serverMessage}${rid})`,
          'check the billing of the account that owns the app'
        )
      case 403:
        return new ActionError(
          `Scalingo refused access to app "${app}" (403: ${err.serverMessage}${rid})`,
          `the account of ${inputs.token} needs the right to deploy this app`
        )
      case 422:
        return new ActionError(`Scalingo rejected the deployment for app "${app}" (422: ${err.serverMessage}${rid})`)
      default:
        return err
    }
  }

  async getApp(): Promise<App> {
    const url = this.appPath()
    try {
      const { app } = await this.callJson<{ app?: App }>({ method: 'GET', url, retry: 'idempotent' })
      if (!app || typeof app !== 'object') throw new ActionError(`Scalingo answered GET app without an "app" object`)
      return app
    } catch (err) {
      throw this.toActionError(err)
    }
  }

  /** The one non-idempotent call: retried only when certainly unsent or refused with 429. */
  async createDeployment(gitRef: string | null, sourceUrl: string): Promise<Deployment> {
    const url = this.appPath('/deployments')
    try {
      const data = await this.callJson({
        method: 'POST',
        url,
        json: { deployment: { git_ref: gitRef, source_url: sourceUrl } },
        retry: 'unsent-only'
      })
      return readDeployment(data, 'the deployment creation')
    } catch (err) {
      throw this.toActionError(err)
    }
  }

  /** One deployment of the app; `graceMs` lets the last look at the timeout run a little past it. */
  async getDeployment(id: string, opts: { graceMs?: number } = {}): Promise<Deployment> {
    const url = this.appPath(`/deployments/${encodeURIComponent(id)}`)
    const data = await this.callJson({ method: 'GET', url, retry: 'idempotent', graceMs: opts.graceMs })
    const deployment = readDeployment(data, `GET deployment ${id}`)
    if (deployment.id !== id) {
      throw new MalformedAnswerError(
        `Scalingo answered GET deployment ${id} with another deployment (${JSON.stringify(deployment.id.slice(0, 40))})`
      )
    }
    return deployment
  }

  /** `aliases: true` asks for values as stored (an alias stays `$OTHER`), as go-scalingo's VariablesList. */
  async listVariables(opts: { aliases?: boolean } = {}): Promise<{ name: string; value: string; id?: string }[]> {
    const url = this.appPath(opts.aliases === undefined ? '/variables' : `/variables?aliases=${opts.aliases}`)
    try {
      const list = (await this.callJson<{ variables?: unknown }>({ method: 'GET', url, retry: 'idempotent' })).variables
      if (!Array.isArray(list))
        throw new ActionError('Scalingo answered the variables list without a "variables" array')
      return (list as { name?: unknown; value?: unknown }[])
        .filter((v): v is { name: string; value?: unknown; id?: unknown } => !!v && typeof v.name === 'string')
        .map(v => ({
          name: v.name,
          value: typeof v.value === 'string' ? v.value : v.value == null ? '' : JSON.stringify(v.value),
          id: typeof v.id === 'string' ? v.id : undefined
        }))
    } catch (err) {
      throw this.toActionError(err)
    }
  }

  /** Bulk create-or-update (PUT is idempotent: retried like a GET). Variables not named are left alone. `from`: the inputs they came from, for the message. */
  async setVariables(variables: { name: string; value: string }[], from = 'variables'): Promise<void> {
    const url = this.appPath('/variables')
    try {
      await this.call({ method: 'PUT', url, json: { variables }, retry: 'idempotent' })
    } catch (err) {
      if (err instanceof HttpError && err.status === 422) {
        throw new ActionError(
          `Scalingo rejected the variables (from ${from}) for app "${this.config.app}" (422: ${err.serverMessage})`
        )
      }
      throw this.toActionError(err)
    }
  }

  /** `DELETE …/variables/{id}`; a variable already gone (404) is fine. */
  async unsetVariable(id: string): Promise<void> {
    const url = this.appPath(`/variables/${encodeURIComponent(id)}`)
    try {
      await this.call({ method: 'DELETE', url, retry: 'idempotent' })
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return
      throw this.toActionError(err)
    }
  }

  /**
   * One page of the app's events (`GET …/events`), each reduced to its
   * type, time and variable names on the spot: the answer holds variable
   * values. `more`: whether a next page exists.
   */
  async listEvents(page: number, perPage: number): Promise<{ events: AppEvent[]; more: boolean }> {
    const url = this.appPath(`/events?page=${page}&per_page=${perPage}`)
    const data = await this.callJson<{ events?: unknown; meta?: PageMeta }>({
      method: 'GET',
      url,
      retry: 'idempotent'
    })
    if (!Array.isArray(data.events))
      throw new MalformedAnswerError('Scalingo answered the events list without an "events" array')
    const events = (data.events as { type?: unknown; created_at?: unknown; type_data?: unknown }[])
      .filter(e => !!e && typeof e.type === 'string' && typeof e.created_at === 'string')
      .map(e => ({
        type: e.type as string,
        createdAt: e.created_at as string,
        variableNames: variableNamesOf(e.type as string, e.type_data)
      }))
    return { events, more: hasNextPage(data.meta, page, data.events.length, perPage) }
  }

  /**
   * `POST …/run`: starts a one-off. Never sent twice once it may have
   * reached Scalingo (a command must not run twice): retried only when
   * certainly unsent or refused with 429, and after a 401 (refused unread).
   */
  async startOneOff(request: {
    command: string
    env: Record<string, string>
    size?: string
    detached: boolean
  }): Promise<OneOffStarted> {
    const url = this.appPath('/run')
    const json: Record<string, unknown> = { command: request.command, env: request.env, detached: request.detached }
    if (request.size) json.size = request.size
    let response: HttpResponse
    try {
      response = await this.call({ method: 'POST', url, json, retry: 'unsent-only' })
    } catch (err) {
      if (err instanceof HttpError && err.status === 422)
        throw new ActionError(
          `Scalingo refused to start the one-off on app "${this.config.app}" (422: ${err.serverMessage})`
        )
      throw this.toActionError(err)
    }
    const data = parseJson<{ container?: Record<string, unknown>; operation_url?: unknown; operation?: unknown }>(
      response,
      { method: 'POST', url }
    )
    const c = data.container && typeof data.container === 'object' ? data.container : {}
    const index = typeof c.type_index === 'number' ? c.type_index : undefined
    const label =
      typeof c.label === 'string' && /^[A-Za-z0-9_.-]{1,100}$/.test(c.label)
        ? c.label
        : index !== undefined
          ? `one-off-${index}`
          : ''
    return {
      containerId: typeof c.id === 'string' ? c.id : undefined,
      label,
      operationId: operationIdOf(data, headerValue(response.headers.location))
    }
  }

  /** An operation of the app, on the API's own origin. */
  async getOperation(id: string): Promise<Operation> {
    const url = this.appPath(`/operations/${encodeURIComponent(id)}`)
    const data = await this.callJson<{ operation?: Record<string, unknown> }>({
      method: 'GET',
      url,
      retry: 'idempotent'
    })
    const o = data.operation
    if (!o || typeof o !== 'object' || typeof o.status !== 'string')
      throw new MalformedAnswerError(`Scalingo answered GET operation ${id} without an operation status`)
    const started = o.start_one_off_data as { attach_url?: unknown } | undefined
    return {
      status: statusLabel(o.status),
      error: typeof o.error === 'string' ? o.error : undefined,
      attachUrl: typeof started?.attach_url === 'string' ? started.attach_url : undefined
    }
  }

  /** A signed upload/download pair from the sources API (both secrets, valid ~10 minutes). */
  async createSource(): Promise<{ uploadUrl: string; downloadUrl: string }> {
    const url = `${this.config.apiUrl}/v1/sources`
    const { source: src } = await this.callJson<{ source?: { upload_url?: unknown; download_url?: unknown } }>({
      method: 'POST',
      url,
      retry: 'unsent-only'
    })
    if (!src || typeof src.upload_url !== 'string' || typeof src.download_url !== 'string') {
      throw new MalformedAnswerError('Scalingo answered the sources request without upload_url and download_url')
    }
    registerSecretUrl(src.upload_url)
    registerSecretUrl(src.download_url)
    for (const [name, url] of [
      ['upload_url', src.upload_url],
      ['download_url', src.download_url]
    ]) {
      const problem = answerUrlProblem(url)
      if (problem)
        throw new ActionError(
          `Scalingo's sources API answered an ${name} that cannot be used: ${problem}; nothing was uploaded`
        )
    }
    return { uploadUrl: src.upload_url, downloadUrl: src.download_url }
  }

  /** The app's most recent deployments, newest first by `created_at` (the answer's order is not trusted). */
  async listDeployments(perPage = 10, opts: { graceMs?: number } = {}): Promise<Deployment[]> {
    const url = this.appPath(`/deployments?page=1&per_page=${perPage}`)
    const { deployments: list } = await this.callJson<{ deployments?: unknown }>({
      method: 'GET',
      url,
      retry: 'idempotent',
      graceMs: opts.graceMs
    })
    if (!Array.isArray(list))
      throw new ActionError('Scalingo answered the deployment list without a "deployments" array')
    const time = (d: Deployment): number => (d.created_at ? Date.parse(d.created_at) : NaN) || 0
    return (list as Partial<Deployment>[])
      .filter((d): d is Deployment => !!d && typeof d.id === 'string' && typeof d.status === 'string')
      .map(d => ({ ...d, status: statusLabel(d.status) }))
      .sort((a, b) => time(b) - time(a))
  }

  /**
   * The build output so far (the whole log: Scalingo documents no offset),
   * as a stream the caller reads; undefined when there is none yet (404).
   * The bearer goes only to the API's own origin: a link elsewhere is read
   * without it, or not at all. One attempt: the caller polls again.
   */
  async openOutput(outputUrl: string): Promise<IncomingMessage | undefined> {
    if (!sameOrigin(outputUrl, this.config.apiUrl)) {
      throw new ActionError(
        `the deployment's output link ${safeUrl(outputUrl)} is not on the API's origin (${this.config.apiUrl}): not sending the bearer token there`
      )
    }
    const msg = await this.withBearer(
      `GET ${safeUrl(outputUrl)}`,
      bearer =>
        this.http.raw({
          method: 'GET',
          url: outputUrl,
          headers: { Accept: 'text/plain, */*', Authorization: `Bearer ${bearer}` }
        }),
      res => {
        if (res.statusCode !== 401) return false
        res.resume()
        return true
      }
    )
    const status = msg.statusCode ?? 0
    if (status >= 200 && status < 300) return msg
    let body = ''
    for await (const c of msg) if (body.length < 4096) body += String(c)
    if (status === 404) return undefined
    throw httpError(status, 'GET', outputUrl, body, msg.headers)
  }
}
