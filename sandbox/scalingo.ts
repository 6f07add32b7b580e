import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import {
  type Fault,
  type RecordedRequest,
  type SandboxServer,
  json,
  paginate,
  startServer,
  str,
  text
} from './http-util.js'
import { type OneOffBehaviour, RunService } from './oneoff.js'
import { ChildApps, type ChildAppsBehaviour } from './childapps.js'

/**
 * A loopback Scalingo: the auth service (token exchange) and a regional
 * API (apps, deployments with a scripted status timeline, build output),
 * following ../shared/scalingo-api.md rather than our client.
 */

export interface Step {
  /** Wait this long after the previous step. */
  afterMs: number
  status?: string
  log?: string[]
  /** Something else that happens at this step (a bearer expiring, say). */
  run?: (sandbox: ScalingoSandbox, deployment: SandboxDeployment) => void
}

export interface AppSpec {
  /** Public URL of the app; default https://<name>.<region>.scalingo.io */
  url?: string
}

export interface ScalingoOptions {
  apiTokens?: string[]
  apps?: Record<string, AppSpec>
  /** The status timeline every new deployment follows (or a function of it). */
  timeline?: Step[] | ((d: SandboxDeployment) => Step[])
  bearerTtlSeconds?: number
  region?: string
  faults?: Fault[]
  /** Fetch loopback source URLs as Scalingo would; a failed fetch is a build-error. */
  fetchSource?: boolean
  /**
   * When Scalingo fetches `source_url` (undocumented): when its build starts,
   * after any wait in the queue (default), or when the deployment is created.
   */
  fetchSourceAt?: 'build' | 'create'
  /** How long a source from `POST /v1/sources` lives (Scalingo: 10 minutes), then it is deleted. */
  sourceTtlMs?: number
  /** Scalingo's clock minus the runner's: deployments' `created_at` are off by this much. */
  clockSkewMs?: number
  /** Order of `GET …/deployments`: newest first (Scalingo), or shuffled (a list not to be trusted). */
  listOrder?: 'newest-first' | 'shuffled'
  stream?: StreamBehaviour
  /**
   * Hostile or odd answers: where the links point (the stream, a
   * deployment's output) and what the sources API hands out.
   */
  answers?: {
    streamLink?: (app: string, standard: string) => string
    outputLink?: (deployment: SandboxDeployment, standard: string) => string
    /** The id a new deployment gets (a hostile one, say); default a random hex id. */
    deploymentId?: (standard: string) => string
    sourceUrls?: (standard: { upload_url: string; download_url: string }) => {
      upload_url: string
      download_url: string
    }
  }
  /**
   * The app's own web server (for health checks): when set, apps' URL is
   * this loopback server, and it answers as this function says, given what
   * runs on the app and since when.
   */
  web?: (request: WebRequest) => WebAnswer
  /**
   * The app events API (`GET …/events`), where undocumented behaviour is a
   * switch: which events a bulk `PUT …/variables` records, whether a write
   * that changes nothing records one, the order of a page.
   */
  events?: EventsBehaviour
  /** Child apps, addons and their plans, app deletion (review apps). */
  childApps?: ChildAppsBehaviour
  /** One-off containers (`POST …/run`, operations, the run service's CONNECT terminal and /wait). */
  oneOff?: OneOffBehaviour
  /** Scalingo's rate limit (about 60 requests a minute): beyond it, 429 "Retry later". */
  rateLimit?: { requests: number; windowMs: number; retryAfter?: boolean }
}

export interface EventsBehaviour {
  /** A bulk PUT records one `edit_variables` event (default), or one `new_variable`/`edit_variable` per variable. */
  bulk?: 'edit_variables' | 'per-variable'
  /** Whether a write that changes no value records an event anyway (default `record`). */
  noopWrites?: 'record' | 'skip'
  /** A page newest first (default), or in no order. */
  order?: 'newest-first' | 'shuffled'
  /** The largest page the API serves, whatever per_page asks (default 50). */
  maxPerPage?: number
  /** Whether a deployment records an event of its own (default true): events of other types to read past. */
  deploymentEvents?: boolean
}

/** An app event as the API answers it (go-scalingo events_structs.go); `type_data` holds variable values. */
export interface SandboxEvent {
  id: string
  app_id: string
  created_at: string
  type: string
  type_data: Record<string, unknown>
  user: { id: string; username: string; email: string }
  atMs: number
}

export interface WebRequest {
  app: string
  path: string
  /** What runs on the app (its last successful deployment), and for how long. */
  live?: SandboxDeployment
  liveForMs: number
}

export type WebAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang'

/** Ready-made web servers for health checks. */
export const webAnswers = {
  healthy: (): WebAnswer => ({ status: 200, body: 'ok' }),
  failing:
    (status = 503) =>
    (): WebAnswer => ({ status, body: 'unhealthy' }),
  /** Failing for the first `ms` after a deployment went live, then healthy. */
  failingFor:
    (ms: number, status = 503) =>
    (r: WebRequest): WebAnswer =>
      r.liveForMs < ms ? { status, body: 'warming up' } : { status: 200, body: 'ok' },
  hanging: (): WebAnswer => 'hang',
  redirecting: (): WebAnswer => ({ status: 302, headers: { Location: 'https://login.example.com/' } })
}

/**
 * How the deployment stream behaves: as documented by default, and each
 * undocumented or faulty behaviour on demand.
 */
export interface StreamBehaviour {
  /**
   * `refuse`: the upgrade is answered 503; `silent`: authenticated, then
   * nothing, ever; `absent`: the app has no `links.deployments_stream`.
   */
  mode?: 'ok' | 'refuse' | 'silent' | 'absent'
  /**
   * How log lines are framed: `bare`, one line per frame without a newline
   * (Scalingo's docs, the default); `newline`, one line per frame ending
   * with `\n`; `multi`, `linesPerFrame` lines per frame joined by `\n`,
   * with a trailing one.
   */
  framing?: 'bare' | 'newline' | 'multi'
  /** Lines per log frame with `multi` framing. */
  linesPerFrame?: number
  /**
   * What a new connection gets first: `all`, the existing logs (the docs:
   * "existing logs and real time logs", the default), or `none`, only what
   * follows.
   */
  replay?: 'all' | 'none'
  /** Every connection is cut this long after it opened (a flaky proxy). */
  cutEveryMs?: number
  /** Drop the first connection after this many frames. */
  dropAfterFrames?: number
  pingMs?: number
  /** Frames sent to every connection of the app right after authentication (forged events). */
  extraFrames?: unknown[]
}

export interface SandboxDeployment {
  id: string
  app_id: string
  app: string
  status: string
  git_ref: string | null
  source_url: string
  duration: number
  log: string[]
  finishedAt?: number
  createdAtMs: number
  /** The source fetched at creation (`fetchSourceAt: 'create'`): what went wrong, if anything. */
  fetched?: Promise<string | undefined>
}

export interface SandboxVariable {
  id: string
  name: string
  value: string
}

interface AppState {
  id: string
  name: string
  /** The parent, for a child app. */
  parent?: string
  url: string
  created_at: string
  deployments: SandboxDeployment[]
  variables: SandboxVariable[]
  events: SandboxEvent[]
}

export const DEFAULT_API_TOKEN = 'tk-us-sandbox-0123456789abcdef0123456789abcdef'

const RUNNING = new Set(['queued', 'building', 'pushing', 'starting'])

export function defaultTimeline(): Step[] {
  return [
    {
      afterMs: 150,
      status: 'building',
      log: ['-----> Downloading archive', '-----> Node.js app detected', '-----> Installing dependencies']
    },
    { afterMs: 150, log: ['       added 42 packages in 1s', '-----> Build succeeded!'] },
    { afterMs: 100, status: 'pushing', log: ['-----> Pushing image to the registry'] },
    { afterMs: 100, status: 'starting', log: ['-----> Starting containers'] },
    { afterMs: 100, status: 'success', log: ['-----> Application deployed'] }
  ]
}

function hexId(prefix = ''): string {
  return prefix + randomBytes(12).toString('hex')
}

function b64url(data: unknown): string {
  return Buffer.from(JSON.stringify(data)).toString('base64url')
}

/** A JSON body as an object ({} when absent or not JSON). */
function parseBody(body: string): Record<string, unknown> {
  try {
    const v = JSON.parse(body || '{}') as unknown
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function isLoopbackUrl(url: string): boolean {
  try {
    const h = new URL(url).hostname
    return h === 'localhost' || h === '[::1]' || /^127\./.test(h)
  } catch {
    return false
  }
}

export class ScalingoSandbox {
  readonly requests: RecordedRequest[] = []
  /** Values a test put in answers that must never be seen (the suite-wide secrets scan reads them). */
  readonly secrets: string[] = []
  readonly apps = new Map<string, AppState>()
  /** Every bearer issued, with its expiry in ms. */
  readonly bearers = new Map<string, number>()
  faults: Fault[]
  private readonly counters = new Map<Fault, number>()
  private auth?: SandboxServer
  private api?: SandboxServer
  private deploymentsHost?: SandboxServer
  private webServer?: SandboxServer
  /** The run service of one-off containers. */
  runService!: RunService
  /** Child apps and addons. */
  readonly childApps: ChildApps
  private wss?: WebSocketServer
  /** Authenticated stream connections, by app name. */
  private readonly sockets = new Map<string, Set<WebSocket>>()
  /** Answers of 429 given by the rate limit. */
  rateLimited = 0
  private readonly window: number[] = []
  /** Stream connections made so far, authenticated or not. */
  streamConnections = 0
  /** Frames sent on the stream, by type. */
  readonly streamFrames: Record<string, number> = {}
  private closed = false
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly listeners = new Set<() => void>()

  constructor(readonly options: ScalingoOptions = {}) {
    this.faults = options.faults ?? []
    for (const [name, spec] of Object.entries(options.apps ?? { 'my-app': {} })) this.addApp(name, spec)
    this.childApps = new ChildApps(
      {
        apps: this.apps,
        addApp: name => this.addApp(name),
        removeApp: name => void this.apps.delete(name),
        appJson: name => this.appJson(this.apps.get(name)!),
        setVariable: (app, name, value) => this.setVariable(app, name, value, { addonName: 'addon' })
      },
      options.childApps
    )
  }

  get region(): string {
    return this.options.region ?? 'osc-fr1'
  }

  get authUrl(): string {
    return this.auth!.url
  }

  get apiUrl(): string {
    return this.api!.url
  }

  get apiTokens(): string[] {
    return this.options.apiTokens ?? [DEFAULT_API_TOKEN]
  }

  addApp(name: string, spec: AppSpec = {}): AppState {
    const app: AppState = {
      id: hexId(),
      name,
      url: spec.url ?? `https://${name}.${this.region}.scalingo.io`,
      created_at: new Date(Date.now() - 86_400_000).toISOString(),
      deployments: [],
      variables: [],
      events: []
    }
    this.apps.set(name, app)
    return app
  }

  async start(): Promise<this> {
    const faults = (): Fault[] => this.faults
    this.auth = await startServer(
      'scalingo-auth',
      (req, res) => this.handleAuth(req, res),
      this.requests,
      faults,
      this.counters
    )
    this.api = await startServer(
      'scalingo-api',
      (req, res, body, url, raw) => this.handleApi(req, res, body, url, raw),
      this.requests,
      faults,
      this.counters
    )
    this.deploymentsHost = await startServer(
      'scalingo-deployments',
      (_req, res) => json(res, 404, { error: 'not found' }),
      this.requests,
      faults,
      this.counters
    )
    if (this.options.web) {
      this.webServer = await startServer(
        'app-web',
        (req, res, _b, url) => this.handleWeb(req, res, url),
        this.requests,
        faults,
        this.counters
      )
    }
    this.runService = await new RunService(this.options.oneOff ?? {}, token => {
      const exp = this.bearers.get(token)
      return exp !== undefined && exp > Date.now()
    }).start()
    this.wss = new WebSocketServer({ noServer: true })
    this.deploymentsHost.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head))
    return this
  }

  /** The app's own web server (set with the `web` option). */
  get webUrl(): string {
    return this.webServer!.url
  }

  get deploymentsUrl(): string {
    return this.deploymentsHost!.url.replace(/^http/, 'ws')
  }

  // --- deployment stream -------------------------------------------------

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.streamConnections++
    this.requests.push({
      server: 'scalingo-deployments',
      method: 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: '',
      at: Date.now()
    })
    const m = /^\/apps\/([^/?]+)$/.exec((req.url ?? '').split('?')[0])
    const app = m ? this.apps.get(decodeURIComponent(m[1])) : undefined
    const behaviour = this.options.stream ?? {}
    if (!app || behaviour.mode === 'refuse') {
      socket.end(
        `HTTP/1.1 ${app ? '503 Service Unavailable' : '404 Not Found'}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`
      )
      return
    }
    this.wss!.handleUpgrade(req, socket, head, ws => this.serveStream(app, ws, this.streamConnections))
  }

  private serveStream(app: AppState, ws: WebSocket, connection: number): void {
    const behaviour = this.options.stream ?? {}
    let frames = 0
    let authed = false
    const send = (frame: { type: string } & Record<string, unknown>): void => {
      if (ws.readyState !== ws.OPEN) return
      if (behaviour.mode === 'silent') return
      ws.send(JSON.stringify(frame))
      this.streamFrames[frame.type] = (this.streamFrames[frame.type] ?? 0) + 1
      frames++
      if (connection === 1 && behaviour.dropAfterFrames !== undefined && frames >= behaviour.dropAfterFrames)
        ws.terminate()
    }
    ;(ws as WebSocket & { sendEvent?: typeof send }).sendEvent = send
    const authTimer = setTimeout(() => ws.close(4001, 'authentication timeout'), 5000)
    const cut = behaviour.cutEveryMs !== undefined ? setTimeout(() => ws.terminate(), behaviour.cutEveryMs) : undefined
    const ping = setInterval(
      () => send({ type: 'ping', data: { ts: Math.floor(Date.now() / 1000) } }),
      behaviour.pingMs ?? 15_000
    )
    ws.on('close', () => {
      clearTimeout(authTimer)
      clearTimeout(cut)
      clearInterval(ping)
      this.sockets.get(app.name)?.delete(ws)
    })
    ws.on('message', data => {
      if (authed) return
      let frame: { type?: string; data?: { token?: string } } = {}
      try {
        frame = JSON.parse((data as Buffer).toString('utf8')) as typeof frame
      } catch {
        // not JSON: refused below
      }
      const token = frame.type === 'auth' ? frame.data?.token : undefined
      const exp = token ? this.bearers.get(token) : undefined
      clearTimeout(authTimer)
      if (exp === undefined || exp <= Date.now()) {
        ws.close(4003, 'invalid token')
        return
      }
      authed = true
      // Replay what was already logged (unless told not to), then go live.
      if ((behaviour.replay ?? 'all') === 'all') {
        for (const d of app.deployments) {
          for (const chunk of this.frames(d.log)) send({ type: 'log', id: d.id, data: { content: chunk } })
        }
      }
      for (const f of behaviour.extraFrames ?? []) send(f as { type: string })
      if (!this.sockets.has(app.name)) this.sockets.set(app.name, new Set())
      this.sockets.get(app.name)!.add(ws)
    })
  }

  /** The `content` of each log frame for these lines, as the framing says. */
  private frames(lines: string[]): string[] {
    const behaviour = this.options.stream ?? {}
    switch (behaviour.framing ?? 'bare') {
      case 'bare':
        return lines
      case 'newline':
        return lines.map(l => `${l}\n`)
      case 'multi': {
        const per = behaviour.linesPerFrame ?? 3
        const out: string[] = []
        for (let i = 0; i < lines.length; i += per) out.push(`${lines.slice(i, i + per).join('\n')}\n`)
        return out
      }
    }
  }

  /** Sends a frame to every authenticated stream connection of an app (and forged events in tests). */
  sendStreamFrame(app: string, frame: { type: string } & Record<string, unknown>): void {
    for (const ws of this.sockets.get(app) ?? [])
      (ws as WebSocket & { sendEvent?: (f: typeof frame) => void }).sendEvent?.(frame)
  }

  private appendLog(d: SandboxDeployment, lines: string[]): void {
    d.log.push(...lines)
    for (const chunk of this.frames(lines))
      this.sendStreamFrame(d.app, { type: 'log', id: d.id, data: { content: chunk } })
  }

  private setStatus(d: SandboxDeployment, status: string): void {
    d.status = status
    this.sendStreamFrame(d.app, { type: 'status', id: d.id, data: { status } })
  }

  async close(): Promise<void> {
    this.closed = true
    for (const t of this.timers) clearTimeout(t)
    this.childApps.close()
    for (const set of this.sockets.values()) for (const ws of set) ws.terminate()
    for (const ws of this.wss?.clients ?? []) ws.terminate()
    this.wss?.close()
    await Promise.all([
      this.auth?.close(),
      this.api?.close(),
      this.deploymentsHost?.close(),
      this.webServer?.close(),
      this.runService?.close()
    ])
  }

  /** Makes every bearer issued so far invalid, as an expiry would. */
  expireBearers(): void {
    for (const k of this.bearers.keys()) this.bearers.set(k, 0)
  }

  /** Adds a finished deployment to an app's history (a staging app's last release, say). */
  seedDeployment(app: string, d: { git_ref: string | null; status: string; ageMs?: number }): SandboxDeployment {
    const state = this.apps.get(app) ?? this.addApp(app)
    const at = Date.now() - (d.ageMs ?? 3_600_000)
    const dep: SandboxDeployment = {
      id: hexId(),
      app_id: state.id,
      app,
      status: d.status,
      git_ref: d.git_ref,
      source_url: 'https://example.com/seeded.tar.gz',
      duration: 120,
      log: ['-----> seeded'],
      createdAtMs: at,
      finishedAt: at + 120_000
    }
    state.deployments.push(dep)
    return dep
  }

  /**
   * Another run's deployment, `building` on the app, that succeeds after
   * `endsAfterMs`: it keeps ours queued (and an expiring archive waiting).
   */
  seedRunning(
    app: string,
    endsAfterMs: number,
    d: { git_ref?: string | null; ageMs?: number } = {}
  ): SandboxDeployment {
    const dep = this.seedDeployment(app, {
      git_ref: d.git_ref === undefined ? 'other' : d.git_ref,
      status: 'building',
      ageMs: d.ageMs ?? 1000
    })
    void this.sleep(endsAfterMs).then(() => {
      dep.status = 'success'
      dep.finishedAt = Date.now()
      this.notify()
    })
    return dep
  }

  /** Records an app event now (Scalingo's clock: with the skew). */
  recordEvent(app: string, type: string, typeData: Record<string, unknown>, atMs = Date.now()): SandboxEvent {
    const state = this.apps.get(app) ?? this.addApp(app)
    const e: SandboxEvent = {
      id: hexId(),
      app_id: state.id,
      created_at: new Date(atMs + (this.options.clockSkewMs ?? 0)).toISOString(),
      type,
      type_data: typeData,
      user: { id: 'us-sandbox', username: 'sandbox-ci', email: 'ci@example.com' },
      atMs
    }
    state.events.push(e)
    return e
  }

  /** A variable edited by hand in the dashboard: set, with its `new_variable` or `edit_variable` event. */
  setVariableByHand(app: string, name: string, value: string, ageMs = 0): void {
    this.setVariable(app, name, value, { atMs: Date.now() - ageMs })
  }

  /** Sets one variable outside the variables API (by hand, or by an addon), with its `new_variable` or `edit_variable` event. */
  setVariable(app: string, name: string, value: string, opts: { atMs?: number; addonName?: string } = {}): void {
    const state = this.apps.get(app)
    if (!state) return
    const existing = state.variables.find(v => v.name === name)
    if (existing) existing.value = value
    else state.variables.push({ id: hexId(), name, value })
    const data = opts.addonName ? { name, value, addon_name: opts.addonName } : { name, value }
    this.recordEvent(app, existing ? 'edit_variable' : 'new_variable', data, opts.atMs)
  }

  /** All deployments of all apps, oldest first. */
  allDeployments(): SandboxDeployment[] {
    return [...this.apps.values()].flatMap(a => a.deployments)
  }

  /** Resolves when a deployment reaches a finished status. */
  waitFinished(id: string): Promise<SandboxDeployment> {
    return new Promise(resolve => {
      const check = (): void => {
        const d = this.allDeployments().find(x => x.id === id)
        if (d && !RUNNING.has(d.status)) {
          this.listeners.delete(check)
          resolve(d)
        }
      }
      this.listeners.add(check)
      check()
    })
  }

  private notify(): void {
    for (const l of [...this.listeners]) l()
  }

  private sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const t = setTimeout(() => {
        this.timers.delete(t)
        resolve()
      }, ms)
      this.timers.add(t)
    })
  }

  // --- the app's own web server ------------------------------------------

  private handleWeb(_req: IncomingMessage, res: ServerResponse, url: URL): void {
    const app = [...this.apps.keys()][0]
    const live = this.liveDeployment(app)
    const answer = this.options.web!({
      app,
      path: url.pathname,
      live,
      liveForMs: live?.finishedAt ? Date.now() - live.finishedAt : 0
    })
    if (answer === 'hang') return
    res.writeHead(answer.status, { 'Content-Type': 'text/plain', ...answer.headers })
    res.end(answer.body ?? '')
  }

  // --- auth service -------------------------------------------------------

  /** True (and answered 429) when the account is over its request budget. */
  private overLimit(res: ServerResponse): boolean {
    const limit = this.options.rateLimit
    if (!limit) return false
    const now = Date.now()
    while (this.window.length && this.window[0] <= now - limit.windowMs) this.window.shift()
    if (this.window.length >= limit.requests) {
      this.rateLimited++
      const retryIn = Math.ceil((this.window[0] + limit.windowMs - now) / 1000)
      res.writeHead(429, {
        'Content-Type': 'text/plain',
        ...(limit.retryAfter ? { 'Retry-After': String(retryIn) } : {})
      })
      res.end('Retry later')
      return true
    }
    this.window.push(now)
    return false
  }

  private handleAuth(req: IncomingMessage, res: ServerResponse): void {
    if (this.overLimit(res)) return
    const url = new URL(req.url ?? '/', 'http://x')
    if (req.method === 'POST' && url.pathname === '/v1/tokens/exchange') {
      const header = req.headers.authorization ?? ''
      const m = /^Basic (.+)$/i.exec(header)
      const decoded = m ? Buffer.from(m[1], 'base64').toString('utf8') : ''
      const sep = decoded.indexOf(':')
      const password = sep >= 0 ? decoded.slice(sep + 1) : ''
      if (!m || sep < 0 || !this.apiTokens.includes(password)) {
        return json(res, 401, { error: 'invalid credentials' })
      }
      const now = Math.floor(Date.now() / 1000)
      const exp = now + (this.options.bearerTtlSeconds ?? 3600)
      const jwt = `${b64url({ alg: 'HS512', typ: 'JWT' })}.${b64url({ iss: 'Scalingo', iat: now, exp, uuid: hexId(), sa: false })}.${randomBytes(32).toString('base64url')}`
      this.bearers.set(jwt, exp * 1000)
      return json(res, 200, { token: jwt })
    }
    if (req.method === 'GET' && url.pathname === '/v1/regions') {
      return json(res, 200, {
        regions: [
          {
            name: this.region,
            display_name: 'Sandbox',
            api: this.apiUrl,
            dashboard: 'https://dashboard.scalingo.com',
            database_api: this.apiUrl,
            ssh: 'ssh.sandbox:22',
            default: true
          }
        ]
      })
    }
    return json(res, 404, { error: 'not found' })
  }

  // --- regional API -------------------------------------------------------

  private authorized(req: IncomingMessage): boolean {
    const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')
    if (!m) return false
    const exp = this.bearers.get(m[1])
    return exp !== undefined && exp > Date.now()
  }

  private deploymentJson(d: SandboxDeployment): Record<string, unknown> {
    return {
      id: d.id,
      app_id: d.app_id,
      created_at: new Date(d.createdAtMs + (this.options.clockSkewMs ?? 0)).toISOString(),
      status: d.status,
      git_ref: d.git_ref,
      image_size: RUNNING.has(d.status) ? 0 : 104_857_600,
      stack_base_image: 'registry-1.osc-fr1.scalingo.com/scalingo/scalingo-22:latest',
      duration: d.duration,
      pusher: { id: 'us-sandbox', username: 'sandbox-ci', email: 'ci@example.com' },
      links: { output: this.outputLink(d) }
    }
  }

  /** What runs on the app: its last successful deployment (Scalingo's `last_deployment_id`). */
  liveDeployment(app: string): SandboxDeployment | undefined {
    const state = this.apps.get(app)
    if (!state) return undefined
    return [...state.deployments]
      .sort((a, b) => a.createdAtMs - b.createdAtMs)
      .filter(d => d.status === 'success')
      .pop()
  }

  private appJson(app: AppState): Record<string, unknown> {
    const last = this.liveDeployment(app.name)
    return {
      id: app.id,
      name: app.name,
      created_at: app.created_at,
      region: this.region,
      url: this.webServer ? `${this.webServer.url}/` : app.url,
      base_url: this.webServer ? `${this.webServer.url}/` : app.url,
      git_url: `git@ssh.${this.region}.scalingo.com:${app.name}.git`,
      last_deployment_id: last?.id ?? null,
      ...(app.parent ? { parent_app_name: app.parent } : {}),
      status: 'running',
      links: this.options.stream?.mode === 'absent' ? {} : { deployments_stream: this.streamLink(app.name) }
    }
  }

  private streamLink(app: string): string {
    const standard = `${this.deploymentsUrl}/apps/${app}`
    return this.options.answers?.streamLink?.(app, standard) ?? standard
  }

  private outputLink(d: SandboxDeployment): string {
    const standard = `${this.apiUrl}/v1/apps/${d.app}/deployments/${d.id}/output`
    return this.options.answers?.outputLink?.(d, standard) ?? standard
  }

  /** Uploaded sources: id → bytes and the two signed tokens (valid ~10 minutes). */
  readonly sources = new Map<
    string,
    { upload: string; download: string; expires: number; createdAt: number; data?: Buffer; contentType?: string }
  >()
  /** Whether the sources API exists (a Scalingo without it answers 404). */
  sourcesApi = true

  private handleStorage(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): void {
    const m = /^\/sources-storage\/([0-9a-f]+)(\/download)?$/.exec(url.pathname)
    const src = m ? this.sources.get(m[1]) : undefined
    const token = url.searchParams.get('token')
    if (!m || !src || src.expires < Date.now()) return text(res, 404, 'NoSuchKey')
    if (!m[2] && req.method === 'PUT') {
      if (token !== src.upload) return text(res, 403, 'SignatureDoesNotMatch')
      if (req.headers.authorization) return text(res, 400, 'Only one auth mechanism allowed')
      const length = Number(req.headers['content-length'])
      if (!Number.isFinite(length) || length !== raw.length) return text(res, 411, 'MissingContentLength')
      src.data = raw
      src.contentType = String(req.headers['content-type'] ?? '')
      return text(res, 200, '')
    }
    if (m[2] && req.method === 'GET') {
      if (token !== src.download) return text(res, 403, 'SignatureDoesNotMatch')
      if (!src.data) return text(res, 404, 'NoSuchKey')
      res.writeHead(200, { 'Content-Type': 'application/x-gzip', 'Content-Length': src.data.length })
      return void res.end(src.data)
    }
    return text(res, 405, 'MethodNotAllowed')
  }

  private handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
    url: URL,
    raw: Buffer = Buffer.alloc(0)
  ): void {
    if (url.pathname.startsWith('/sources-storage/')) return this.handleStorage(req, res, url, raw)
    if (this.overLimit(res)) return
    if (!this.authorized(req)) return json(res, 401, { error: 'You are not authorized to do this operation' })
    const method = req.method ?? 'GET'
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
    if (parts[0] === 'v1' && parts[1] === 'sources' && parts.length === 2 && method === 'POST' && this.sourcesApi) {
      const id = hexId()
      const src = {
        upload: randomBytes(16).toString('hex'),
        download: randomBytes(16).toString('hex'),
        expires: Date.now() + (this.options.sourceTtlMs ?? 10 * 60_000),
        createdAt: Date.now()
      }
      this.sources.set(id, src)
      const standard = {
        upload_url: `${this.apiUrl}/sources-storage/${id}?token=${src.upload}`,
        download_url: `${this.apiUrl}/sources-storage/${id}/download?token=${src.download}`
      }
      return json(res, 201, { source: this.options.answers?.sourceUrls?.(standard) ?? standard })
    }
    if (parts[0] === 'v1' && parts[1] === 'addon_providers' && parts[3] === 'plans' && method === 'GET')
      return this.childApps.plans(parts[2], res)
    if (parts[0] !== 'v1' || parts[1] !== 'apps' || !parts[2]) return json(res, 404, { error: 'not found' })
    const app = this.apps.get(parts[2])
    if (!app && this.childApps.isForeign(parts[2])) return this.childApps.foreign(res)
    if (!app) return json(res, 404, { resource: 'app', error: 'not found' })
    if (parts.length === 3 && method === 'DELETE') return this.childApps.destroy(app.name, url, res)
    if (parts[3] === 'child_apps' && parts.length === 4) {
      if (method === 'GET') return this.childApps.list(app.name, url, res)
      if (method === 'POST') return this.childApps.create(app.name, parseBody(body), res)
    }
    if (parts[3] === 'addons' && method === 'GET' && parts.length <= 5)
      return this.childApps.get(app.name, parts[4], res)
    if (parts[3] === 'addons' && method === 'POST' && parts.length === 4)
      return this.childApps.provision(app.name, parseBody(body), res)

    if (parts.length === 3 && method === 'GET') return json(res, 200, { app: this.appJson(app) })

    if (parts[3] === 'variables')
      return this.handleVariables(app, method, parts[4], body, res, url.searchParams.get('aliases'))
    if (parts[3] === 'events' && parts.length === 4 && method === 'GET') return this.listEvents(app, url, res)
    if (parts[3] === 'run' && parts.length === 4 && method === 'POST') {
      let parsed: unknown
      try {
        parsed = JSON.parse(body || '{}')
      } catch {
        return json(res, 400, { error: 'invalid JSON' })
      }
      return this.runService.create(app, (parsed ?? {}) as Record<string, unknown>, res)
    }
    if (parts[3] === 'operations' && parts.length === 5 && method === 'GET')
      return this.runService.operation(parts[4], res)

    if (parts[3] === 'deployments') {
      if (parts.length === 4 && method === 'POST') return this.createDeployment(app, res, body)
      if (parts.length === 4 && method === 'GET') {
        const all = [...app.deployments].sort((a, b) => b.createdAtMs - a.createdAtMs)
        if (this.options.listOrder === 'shuffled') all.reverse()
        const { items, meta } = paginate(all, url, 100)
        return json(res, 200, { deployments: items.map(d => this.deploymentJson(d)), meta })
      }
      const d = app.deployments.find(x => x.id === parts[4])
      if (!d) return json(res, 404, { resource: 'deployment', error: 'not found' })
      if (parts.length === 5 && method === 'GET') return json(res, 200, { deployment: this.deploymentJson(d) })
      if (parts.length === 6 && parts[5] === 'output' && method === 'GET') {
        if (d.log.length === 0) return json(res, 404, { error: 'not found' })
        return text(res, 200, d.log.map(l => `${l}\n`).join(''))
      }
    }
    return json(res, 404, { error: 'not found' })
  }

  /** `GET …/events`: newest first (or shuffled within a page), paginated like every Scalingo list. */
  private listEvents(app: AppState, url: URL, res: ServerResponse): void {
    const ev = this.options.events ?? {}
    const all = [...app.events].sort((a, b) => b.atMs - a.atMs)
    const { items, meta } = paginate(all, url, ev.maxPerPage ?? 50)
    if (ev.order === 'shuffled') items.reverse()
    return json(res, 200, { events: items.map(({ atMs: _atMs, ...e }) => ({ ...e, app_name: app.name })), meta })
  }

  /** Environment variables, as in Scalingo's API and its JS/Go clients (bulk PUT creates or updates). */
  private handleVariables(
    app: AppState,
    method: string,
    id: string | undefined,
    body: string,
    res: ServerResponse,
    aliases: string | null = null
  ): void {
    let parsed: Record<string, unknown> = {}
    if (body) {
      try {
        parsed = JSON.parse(body) as Record<string, unknown>
      } catch {
        return json(res, 400, { error: 'invalid JSON' })
      }
    }
    const validName = (n: unknown): n is string => typeof n === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(n)
    const ev = this.options.events ?? {}
    /** Sets a variable; what changed (undefined: the same value was written again). */
    const upsert = (name: string, value: string): { v: SandboxVariable; change?: 'new' | 'edit' } => {
      const existing = app.variables.find(v => v.name === name)
      if (existing) {
        const change = existing.value === value ? undefined : 'edit'
        existing.value = value
        return { v: existing, change }
      }
      const v = { id: hexId(), name, value }
      app.variables.push(v)
      return { v, change: 'new' }
    }
    const recordOne = (r: { v: SandboxVariable; change?: 'new' | 'edit' }): void => {
      if (!r.change && ev.noopWrites === 'skip') return
      this.recordEvent(app.name, r.change === 'new' ? 'new_variable' : 'edit_variable', {
        name: r.v.name,
        value: r.v.value
      })
    }
    if (!id && method === 'GET') {
      // aliases=true (the default) lists values as stored; false resolves `$NAME` to what NAME holds.
      if (aliases !== 'false') return json(res, 200, { variables: app.variables })
      const resolve = (v: SandboxVariable): SandboxVariable => {
        const m = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(v.value)
        const target = m && app.variables.find(x => x.name === m[1])
        return target ? { ...v, value: target.value } : v
      }
      return json(res, 200, { variables: app.variables.map(resolve) })
    }
    if (!id && method === 'POST') {
      const v = parsed.variable as { name?: unknown; value?: unknown } | undefined
      if (!v || !validName(v.name)) return json(res, 422, { errors: { name: ['is invalid'] } })
      if (app.variables.some(x => x.name === v.name))
        return json(res, 422, { errors: { name: ['has already been taken'] } })
      const r = upsert(v.name, str(v.value))
      recordOne(r)
      return json(res, 201, { variable: r.v })
    }
    if (!id && method === 'PUT') {
      const list = parsed.variables
      if (!Array.isArray(list)) return json(res, 422, { errors: { variables: ['must be an array'] } })
      for (const v of list as { name?: unknown }[])
        if (!validName(v?.name)) return json(res, 422, { errors: { name: [`${String(v?.name)} is invalid`] } })
      const updated = (list as { name: string; value?: unknown }[]).map(v => upsert(v.name, str(v.value)))
      if (ev.bulk === 'per-variable') updated.forEach(recordOne)
      else {
        const changed = updated.filter(r => r.change || ev.noopWrites !== 'skip')
        const pick = (c: 'new' | 'edit') =>
          changed.filter(r => (r.change ?? 'edit') === c).map(r => ({ name: r.v.name, value: r.v.value }))
        if (changed.length > 0)
          this.recordEvent(app.name, 'edit_variables', {
            new_vars: pick('new'),
            updated_vars: pick('edit'),
            deleted_vars: []
          })
      }
      return json(res, 200, { variables: updated.map(r => r.v) })
    }
    if (!id && method === 'DELETE') {
      const ids = Array.isArray(parsed.variable_ids) ? (parsed.variable_ids as string[]) : []
      for (const v of app.variables.filter(x => ids.includes(x.id)))
        this.recordEvent(app.name, 'delete_variable', { name: v.name, value: v.value })
      app.variables = app.variables.filter(v => !ids.includes(v.id))
      return json(res, 200, { variable_ids: ids })
    }
    const v = app.variables.find(x => x.id === id)
    if (!v) return json(res, 404, { resource: 'variable', error: 'not found' })
    if (method === 'PATCH') {
      const value = str((parsed.variable as { value?: unknown } | undefined)?.value)
      const same = v.value === value
      v.value = value
      if (!same || ev.noopWrites !== 'skip') this.recordEvent(app.name, 'edit_variable', { name: v.name, value })
      return json(res, 200, { variable: v })
    }
    if (method === 'DELETE') {
      this.recordEvent(app.name, 'delete_variable', { name: v.name, value: v.value })
      app.variables = app.variables.filter(x => x !== v)
      res.writeHead(204)
      return void res.end()
    }
    return json(res, 404, { error: 'not found' })
  }

  private createDeployment(app: AppState, res: ServerResponse, body: string): void {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      return json(res, 400, { error: 'invalid JSON' })
    }
    const params = (parsed as { deployment?: { git_ref?: unknown; source_url?: unknown } })?.deployment
    if (!params || typeof params !== 'object') return json(res, 422, { errors: { deployment: ['is missing'] } })
    const sourceUrl = params.source_url
    if (typeof sourceUrl !== 'string' || sourceUrl === '')
      return json(res, 422, { errors: { source_url: ["can't be blank"] } })
    if (!/^https?:\/\//.test(sourceUrl)) return json(res, 422, { errors: { source_url: ['is invalid'] } })
    const gitRef = params.git_ref
    if (gitRef !== undefined && gitRef !== null && typeof gitRef !== 'string')
      return json(res, 422, { errors: { git_ref: ['is invalid'] } })
    if (typeof gitRef === 'string' && gitRef.startsWith('-'))
      return json(res, 422, { errors: { git_ref: ['is invalid'] } })
    const now = Date.now()
    const standardId = hexId()
    const d: SandboxDeployment = {
      id: this.options.answers?.deploymentId?.(standardId) ?? standardId,
      app_id: app.id,
      app: app.name,
      status: 'queued',
      git_ref: typeof gitRef === 'string' ? gitRef : null,
      source_url: sourceUrl,
      duration: 0,
      log: [],
      createdAtMs: now
    }
    app.deployments.push(d)
    if (this.options.events?.deploymentEvents !== false)
      this.recordEvent(app.name, 'deployment', { deployment_id: d.id, git_ref: d.git_ref }, now)
    if (this.options.fetchSourceAt === 'create') d.fetched = this.fetchSource(d)
    json(res, 201, { deployment: this.deploymentJson(d) })
    this.sendStreamFrame(app.name, { type: 'new', data: { deployment: this.deploymentJson(d) } })
    void this.runTimeline(app, d)
  }

  private async fetchSource(d: SandboxDeployment): Promise<string | undefined> {
    if (this.options.fetchSource === false || !isLoopbackUrl(d.source_url)) return undefined
    try {
      let url = d.source_url
      for (let hops = 0; hops < 5; hops++) {
        const r = await fetch(url, { redirect: 'manual' })
        if (r.status >= 300 && r.status < 400 && r.headers.get('location')) {
          url = new URL(r.headers.get('location')!, url).toString()
          await r.arrayBuffer().catch(() => undefined)
          continue
        }
        const data = Buffer.from(await r.arrayBuffer())
        if (r.status !== 200) return `archive download failed: HTTP ${r.status}`
        if (data[0] !== 0x1f || data[1] !== 0x8b) return 'archive is not a gzip file'
        return undefined
      }
      return 'too many redirects'
    } catch (err) {
      return `archive download failed: ${(err as Error).message}`
    }
  }

  private async runTimeline(app: AppState, d: SandboxDeployment): Promise<void> {
    // One deployment at a time per app: later ones wait, queued.
    while (
      !this.closed &&
      app.deployments.some(
        o =>
          o !== d &&
          o.createdAtMs <= d.createdAtMs &&
          RUNNING.has(o.status) &&
          app.deployments.indexOf(o) < app.deployments.indexOf(d)
      )
    ) {
      await this.sleep(20)
    }
    const problem = await (d.fetched ?? this.fetchSource(d))
    if (this.closed) return
    if (problem) {
      this.appendLog(d, ['-----> Downloading archive', ` !     ${problem}`])
      this.finish(d, 'build-error')
      return
    }
    const t = this.options.timeline
    const steps = typeof t === 'function' ? t(d) : (t ?? defaultTimeline())
    for (const step of steps) {
      await this.sleep(step.afterMs)
      if (this.closed) return
      // A new running status comes before its lines; a final one after them.
      const running = step.status !== undefined && RUNNING.has(step.status)
      if (running) {
        this.setStatus(d, step.status!)
        this.notify()
      }
      if (step.log) this.appendLog(d, step.log)
      step.run?.(this, d)
      if (step.status && !running) {
        this.finish(d, step.status)
        return
      }
    }
  }

  private finish(d: SandboxDeployment, status: string): void {
    d.finishedAt = Date.now()
    d.duration = Math.max(1, Math.round((d.finishedAt - d.createdAtMs) / 1000))
    this.setStatus(d, status)
    this.notify()
  }
}
