import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { json } from './http-util.js'

/**
 * Scalingo's one-off containers, as `scalingo run` meets them
 * (../shared/scalingo-api.md, "One-off containers"): the run service that
 * answers `CONNECT /<id>` with Basic credentials (an empty user, the bearer
 * as password) by turning the connection into a raw terminal, and
 * `GET /<id>/wait` with the exit code once the command ended (408 when it
 * was stopped for inactivity). What the command prints is a script.
 */

/** One step of a one-off's terminal: after a pause, some output; the last says how it ends. */
export interface TerminalStep {
  afterMs: number
  /** Raw terminal bytes (a PTY: CRLF line ends, ANSI colours). */
  output?: string | Buffer
  /** The command ends here with this exit code. */
  exit?: number
  /** Scalingo stops the one-off here for inactivity: the connection ends and /wait answers 408. */
  inactive?: boolean
}

export interface OneOffBehaviour {
  /** What the terminal shows and how the command ends; default: one line, exit 0. */
  script?: (command: string, env: Record<string, string>) => TerminalStep[]
  /** Polls of the operation answered `pending`, then `running`, before `done` (default 1). */
  pendingPolls?: number
  /** Instead of a number of polls: the operation is done this long after the POST (a container's boot time). */
  readyAfterMs?: number
  /** The operation ends in `error` with this message. */
  operationError?: string
  /**
   * Where the run answer says the operation is: `operation_url` in the body
   * (the docs since 2024, the default), only the `operation` id, or only the
   * `Location` header (older answers).
   */
  operationIn?: 'body-url' | 'body-id' | 'header'
  /** A container without `label` (the docs' example): the label is `one-off-<type_index>`. */
  omitLabel?: boolean
  /** Where `attach_url` points (a hostile or odd answer); default the sandbox's run service. */
  attachUrl?: (standard: string) => string
  /** The first CONNECTs answered with this status (a container still booting). */
  connectFailures?: { status: number; times: number }
  /** /wait fails with this status this many times first. */
  waitFailures?: { status: number; times: number }
  /** Drop the terminal connection after this many ms, the command going on (a flaky network). */
  dropAfterMs?: number
}

export interface SandboxOneOff {
  id: string
  operationId: string
  app: string
  command: string
  env: Record<string, string>
  size?: string
  detached: boolean
  label: string
  typeIndex: number
  /** Every body field of the POST, as received. */
  body: Record<string, unknown>
  operationPolls: number
  /** When each operation poll came (ms since epoch). */
  operationPollsAt: number[]
  /** Each CONNECT: its request line target, Host and Authorization headers. */
  connects: { path: string; host?: string; authorization?: string }[]
  /** Bytes the client sent on the terminal (0x04 end of input, 0x03 Ctrl-C…). */
  received: number[]
  waits: number
  /** When the POST created it, and when its operation first answered `done` (ms since epoch). */
  createdAt: number
  doneAt?: number
  /** How the command ended: an exit code, or `inactive`; undefined while it runs. */
  ended?: { exitCode: number } | { inactive: true }
  /** Output written to the terminal so far (bytes). */
  written: number
}

export function defaultScript(command: string): TerminalStep[] {
  return [
    { afterMs: 50, output: `Running ${command}\r\n` },
    { afterMs: 50, output: 'done\r\n', exit: 0 }
  ]
}

export class RunService {
  readonly oneOffs: SandboxOneOff[] = []
  private server?: Server
  private readonly sockets = new Set<Socket | Duplex>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly enders = new Map<string, Set<() => void>>()
  private connectFailuresLeft: number
  private waitFailuresLeft: number
  private typeIndex = 7000

  constructor(
    readonly behaviour: OneOffBehaviour,
    private readonly bearerValid: (token: string) => boolean
  ) {
    this.connectFailuresLeft = behaviour.connectFailures?.times ?? 0
    this.waitFailuresLeft = behaviour.waitFailures?.times ?? 0
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res))
    this.server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.attach(req, socket, head))
    this.server.on('connection', s => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve))
    return this
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t)
    for (const s of this.sockets) s.destroy()
    await new Promise<void>(resolve => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  /** `POST /v1/apps/{app}/run`: the answer Scalingo gives, and the one-off it starts. */
  create(app: { name: string; id: string }, body: Record<string, unknown>, res: ServerResponse): void {
    const command = typeof body.command === 'string' ? body.command : ''
    if (!command) return json(res, 422, { errors: { command: ["can't be blank"] } })
    const env: Record<string, string> = {}
    if (body.env && typeof body.env === 'object')
      for (const [k, v] of Object.entries(body.env as Record<string, unknown>)) env[k] = String(v)
    const typeIndex = ++this.typeIndex
    const o: SandboxOneOff = {
      id: randomBytes(12).toString('hex'),
      operationId: randomBytes(12).toString('hex'),
      app: app.name,
      command,
      env,
      size: typeof body.size === 'string' ? body.size : undefined,
      detached: body.detached === true,
      label: `one-off-${typeIndex}`,
      typeIndex,
      body,
      operationPolls: 0,
      operationPollsAt: [],
      connects: [],
      received: [],
      waits: 0,
      written: 0,
      createdAt: Date.now()
    }
    this.oneOffs.push(o)
    const container: Record<string, unknown> = {
      id: o.id,
      type: 'one-off',
      type_index: typeIndex,
      state: 'booting',
      size: o.size ?? 'M',
      command,
      app: { id: app.id, name: app.name }
    }
    if (!this.behaviour.omitLabel) container.label = o.label
    const apiOrigin = res.req.headers.host ? `http://${res.req.headers.host}` : ''
    const operationUrl = `${apiOrigin}/v1/apps/${app.name}/operations/${o.operationId}`
    const answer: Record<string, unknown> = { container }
    const how = this.behaviour.operationIn ?? 'body-url'
    if (how === 'body-url') Object.assign(answer, { operation_url: operationUrl, operation: o.operationId })
    if (how === 'body-id') answer.operation = o.operationId
    json(res, 200, answer, how === 'header' ? { Location: operationUrl } : {})
    // A detached one-off runs on its own: nobody attaches.
    if (o.detached) this.play(o)
  }

  /** `GET /v1/apps/{app}/operations/{id}`. */
  operation(id: string, res: ServerResponse): void {
    const o = this.oneOffs.find(x => x.operationId === id)
    if (!o) return json(res, 404, { resource: 'operation', error: 'not found' })
    o.operationPolls++
    o.operationPollsAt.push(Date.now())
    const pending = this.behaviour.pendingPolls ?? 1
    const ready =
      this.behaviour.readyAfterMs !== undefined
        ? Date.now() >= o.createdAt + this.behaviour.readyAfterMs
        : o.operationPolls > pending
    const status = !ready
      ? o.operationPolls === 1
        ? 'pending'
        : 'running'
      : this.behaviour.operationError
        ? 'error'
        : 'done'
    const standard = `${this.url}/${o.id}`
    const operation: Record<string, unknown> = {
      id: o.operationId,
      type: 'start-one-off',
      status,
      created_at: new Date().toISOString()
    }
    if (status === 'error') operation.error = this.behaviour.operationError
    if (status === 'done') {
      o.doneAt ??= Date.now()
      operation.finished_at = new Date().toISOString()
      operation.start_one_off_data = {
        attach_url: this.behaviour.attachUrl?.(standard) ?? standard,
        container_id: o.id
      }
    }
    json(res, 200, { operation })
  }

  private authorized(header: string | undefined): boolean {
    const m = /^Basic (.+)$/i.exec(header ?? '')
    if (!m) return false
    const decoded = Buffer.from(m[1], 'base64').toString('utf8')
    return decoded.startsWith(':') && this.bearerValid(decoded.slice(1))
  }

  /** `CONNECT /<id>`: the raw terminal. */
  private attach(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => undefined)
    const o = this.oneOffs.find(x => `/${x.id}` === req.url)
    o?.connects.push({ path: req.url ?? '', host: req.headers.host, authorization: req.headers.authorization })
    const refuse = (status: string): void => void socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\n\r\n`)
    if (!o) return refuse('404 Not Found')
    if (!this.authorized(req.headers.authorization)) return refuse('401 Unauthorized')
    if (this.connectFailuresLeft > 0) {
      this.connectFailuresLeft--
      return refuse(`${this.behaviour.connectFailures!.status} Service Unavailable`)
    }
    if (o.ended) return refuse('410 Gone')
    socket.write('HTTP/1.1 200 OK\r\n\r\n')
    if (head.length) o.received.push(...head)
    socket.on('data', (chunk: Buffer) => {
      o.received.push(...chunk)
      // Ctrl-C: the command is interrupted, as a shell would (exit 130).
      if (chunk.includes(0x03) && !o.ended) this.end(o, { exitCode: 130 }, socket)
    })
    // A reset, not a close: the client sees the connection break, not the end of the output.
    if (this.behaviour.dropAfterMs !== undefined)
      this.after(this.behaviour.dropAfterMs, () => (socket as Socket).resetAndDestroy())
    this.play(o, socket)
  }

  /** Runs the script: output to the terminal (when attached), then the end. */
  private play(o: SandboxOneOff, socket?: Duplex): void {
    const steps = (this.behaviour.script ?? defaultScript)(o.command, o.env)
    const next = (i: number): void => {
      if (i >= steps.length || o.ended) return
      const step = steps[i]
      this.after(step.afterMs, () => {
        if (o.ended) return
        if (step.output !== undefined) {
          const data = Buffer.from(step.output)
          o.written += data.length
          if (socket && !socket.destroyed) socket.write(data)
        }
        if (step.inactive) return this.end(o, { inactive: true }, socket)
        if (step.exit !== undefined) return this.end(o, { exitCode: step.exit }, socket)
        next(i + 1)
      })
    }
    next(0)
  }

  private end(o: SandboxOneOff, how: NonNullable<SandboxOneOff['ended']>, socket?: Duplex): void {
    o.ended = how
    if (socket && !socket.destroyed) socket.end()
    for (const f of this.enders.get(o.id) ?? []) f()
    this.enders.delete(o.id)
  }

  /** `GET /<id>/wait`: the exit code once the command ended (it blocks until then); 408 after inactivity. */
  private handle(req: IncomingMessage, res: ServerResponse): void {
    const m = /^\/([0-9a-f]+)\/wait$/.exec(req.url ?? '')
    const o = m ? this.oneOffs.find(x => x.id === m[1]) : undefined
    if (!o || req.method !== 'GET') return json(res, 404, { error: 'not found' })
    o.waits++
    if (!this.authorized(req.headers.authorization)) return json(res, 401, { error: 'unauthorized' })
    if (this.waitFailuresLeft > 0) {
      this.waitFailuresLeft--
      return json(res, this.behaviour.waitFailures!.status, { error: 'unavailable' })
    }
    const answer = (): void => {
      if (res.destroyed) return
      const ended = o.ended!
      if ('inactive' in ended) return json(res, 408, { error: 'Connection timed out due to inactivity' })
      json(res, 200, { exit_code: ended.exitCode })
    }
    if (o.ended) return answer()
    if (!this.enders.has(o.id)) this.enders.set(o.id, new Set())
    this.enders.get(o.id)!.add(answer)
  }

  private after(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t)
      f()
    }, ms)
    this.timers.add(t)
  }
}
