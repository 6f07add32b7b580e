import * as log from '../lib/log.js'
import { HttpClient } from '@actions/http-client'
import WebSocket from 'ws'
import { describeError } from '../lib/errors.js'
import { statusLabel } from '../lib/text.js'
import { bearerUrlProblem } from '../lib/urls.js'

/**
 * The app's deployment stream (a websocket at `links.deployments_stream`),
 * as Scalingo's CLI uses it: authenticate with the bearer in the first
 * frame, then JSON events for every deployment of the app. It is an
 * accelerator only: the follow loop works without it.
 */

export type StreamEvent =
  | { type: 'log'; id: string; content: string }
  | { type: 'status'; id: string; status: string }
  | { type: 'new'; id: string }
  | { type: 'ping' }
  | { type: 'other'; raw: string }

/** The Origin header Scalingo's Go client sends. */
export const STREAM_ORIGIN = 'http://scalingo-cli.local/1'

/** Parses one frame; both shapes of `new` (object or bare id), `status`/`Status`. */
export function parseStreamFrame(text: string): StreamEvent | undefined {
  let f: unknown
  try {
    f = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!f || typeof f !== 'object') return undefined
  const o = f as { type?: unknown; id?: unknown; data?: unknown }
  const data = (o.data && typeof o.data === 'object' ? o.data : {}) as Record<string, unknown>
  const id = typeof o.id === 'string' ? o.id : undefined
  switch (o.type) {
    case 'ping':
      return { type: 'ping' }
    case 'log':
      if (!id || typeof data.content !== 'string') return undefined
      return { type: 'log', id, content: data.content }
    case 'status': {
      const status =
        typeof data.status === 'string' ? data.status : typeof data.Status === 'string' ? data.Status : undefined
      if (!id || !status) return undefined
      // A status that is not one (line breaks, commands) is shown quoted, and counts as unknown: a failure.
      return { type: 'status', id, status: statusLabel(status) }
    }
    case 'new': {
      // Go client: {"deployment": {...}}; docs and JS client: {"deployment": "<id>"} or a bare id.
      const dep = data.deployment as { id?: unknown } | string | undefined
      const newId =
        typeof o.data === 'string' ? o.data : typeof dep === 'string' ? dep : typeof dep?.id === 'string' ? dep.id : id
      return newId ? { type: 'new', id: newId } : undefined
    }
    default:
      return { type: 'other', raw: text.slice(0, 200) }
  }
}

/**
 * The bearer goes to the stream only over wss (plain ws to loopback, for
 * tests), and only to the API's own host or, for Scalingo's known regions,
 * a host under scalingo.com: an answer cannot send it elsewhere.
 */
export function streamUrlAllowed(url: string, apiUrl: string, knownRegion: boolean): boolean {
  return bearerUrlProblem(url, apiUrl, { scheme: 'wss', underScalingo: knownRegion }) === undefined
}

/** Log frames are a line or a few: a frame larger than this is not one (ws refuses it and closes). */
const MAX_FRAME_BYTES = 4 * 1024 * 1024

export type StreamState = 'open' | 'up' | 'down' | 'gave-up'

export interface StreamHandlers {
  /** Each frame of a connection, with that connection's number (replays restart per connection). */
  onEvent(event: StreamEvent, connection: number): void
  /**
   * open: connected and authentication sent; up: receiving frames; down:
   * closed (a reconnect may follow); gave-up: no more tries.
   */
  onState?(state: StreamState, connection: number, why?: string): void
}

export interface StreamOptions {
  url: string
  bearer: () => Promise<string>
  userAgent: string
  /** Consecutive failed connections before giving up. */
  maxFailures?: number
  reconnectDelayMs?: number
  /** No frame at all for this long: the stream is considered silent and reconnected. */
  silenceMs?: number
}

export class DeploymentStream {
  private ws?: WebSocket
  private stopped = false
  private paused = false
  private failures = 0
  private connection = 0
  private silenceTimer?: NodeJS.Timeout
  private retryTimer?: NodeJS.Timeout
  healthy = false
  /** No more tries: polling only from now on. */
  gaveUp = false
  /** Why the last connection ended (for the log). */
  lastFailure?: string

  constructor(
    private readonly opts: StreamOptions,
    private handlers: StreamHandlers
  ) {}

  /** Hands the events to someone else from now on (the follower, once the deployment exists). */
  setHandlers(handlers: StreamHandlers): void {
    this.handlers = handlers
  }

  start(): void {
    void this.connect()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.silenceTimer)
    clearTimeout(this.retryTimer)
    this.healthy = false
    this.ws?.removeAllListeners()
    this.ws?.on('error', () => undefined)
    this.ws?.terminate()
  }

  /** Stops reading frames until resume(): stdout is behind, and the socket waits rather than memory filling. */
  pause(): void {
    this.paused = true
    this.ws?.pause()
  }

  resume(): void {
    this.paused = false
    this.ws?.resume()
  }

  private async connect(): Promise<void> {
    if (this.stopped) return
    const conn = ++this.connection
    let token: string
    try {
      token = await this.opts.bearer()
    } catch (err) {
      return this.failed(`no bearer: ${describeError(err)}`)
    }
    if (this.stopped) return
    let ws: WebSocket
    try {
      // A proxy-aware agent, as for every other request (HTTPS_PROXY/NO_PROXY).
      const agent = new HttpClient(this.opts.userAgent).getAgent(this.opts.url.replace(/^ws/, 'http'))
      ws = new WebSocket(this.opts.url, {
        origin: STREAM_ORIGIN,
        headers: { 'User-Agent': this.opts.userAgent },
        agent,
        handshakeTimeout: 10_000,
        perMessageDeflate: false,
        maxPayload: MAX_FRAME_BYTES
      })
    } catch (err) {
      this.failures = this.opts.maxFailures ?? 3
      return this.failed(`cannot connect: ${describeError(err)}`)
    }
    this.ws = ws
    if (this.paused) ws.pause()
    this.listen(ws, conn, token)
  }

  private listen(ws: WebSocket, conn: number, token: string): void {
    let gotFrame = false
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'auth', data: { token } }))
      this.armSilence(ws)
      this.handlers.onState?.('open', conn)
    })
    ws.on('message', (data, isBinary) => {
      if (isBinary) return
      if (!gotFrame) {
        gotFrame = true
        this.failures = 0
        this.healthy = true
        this.handlers.onState?.('up', conn)
      }
      this.armSilence(ws)
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Array.isArray(data)
          ? Buffer.concat(data).toString('utf8')
          : Buffer.from(data).toString('utf8')
      const event = parseStreamFrame(text)
      if (event) this.handlers.onEvent(event, conn)
    })
    ws.on('error', err => log.debug(`deployment stream error: ${describeError(err)}`))
    ws.on('close', code => {
      clearTimeout(this.silenceTimer)
      if (this.ws === ws) this.ws = undefined
      if (this.stopped) return
      this.healthy = false
      if (!gotFrame) this.failures++
      this.failed(`closed (${code})`, conn)
    })
  }

  private failed(why: string, conn = this.connection): void {
    if (this.stopped) return
    this.healthy = false
    this.lastFailure = why
    if (this.failures >= (this.opts.maxFailures ?? 3)) {
      this.gaveUp = true
      this.handlers.onState?.('gave-up', conn, why)
      return
    }
    this.handlers.onState?.('down', conn, why)
    // As the CLI does: wait a second, dial again, authenticate again.
    this.retryTimer = setTimeout(() => void this.connect(), this.opts.reconnectDelayMs ?? 1000)
  }

  private armSilence(ws: WebSocket): void {
    clearTimeout(this.silenceTimer)
    this.silenceTimer = setTimeout(() => {
      log.debug('deployment stream silent: reconnecting')
      ws.terminate()
    }, this.opts.silenceMs ?? 45_000)
  }
}
