import { randomBytes } from 'node:crypto'
import type { Fault, RecordedRequest, SandboxServer } from './http-util.js'
import { startServer } from './http-util.js'

/**
 * A chat's incoming webhook, as Slack answers one (Mattermost's are alike
 * for `{"text": …}`): 200 `ok` for a payload with a text, 400
 * `invalid_payload` without; scripted answers for what a dead or busy
 * webhook says (Slack 404 `no_service` or 410 `channel_is_archived`,
 * Mattermost 400, 429 with Retry-After, 5xx). Its path is its secret.
 */

export interface WebhookAnswer {
  status: number
  body?: string
  headers?: Record<string, string>
}

export interface WebhookBehaviour {
  /** Answers to the POSTs, in order; then 200 `ok`. */
  answers?: WebhookAnswer[]
  faults?: Fault[]
}

export interface WebhookPost {
  at: number
  path: string
  contentType?: string
  body: string
  /** The parsed payload, when it is JSON. */
  payload?: { text?: unknown } & Record<string, unknown>
}

export class WebhookReceiver {
  readonly requests: RecordedRequest[] = []
  readonly posts: WebhookPost[] = []
  /** `/services/T…/B…/<secret>`: whoever has it can post to the channel. */
  readonly path = `/services/T0SANDBOX/B0SANDBOX/${randomBytes(12).toString('hex')}`
  private server?: SandboxServer
  private readonly counters = new Map<Fault, number>()

  constructor(readonly behaviour: WebhookBehaviour = {}) {}

  get url(): string {
    return `${this.server!.url}${this.path}`
  }

  /** The messages posted, as their text. */
  get texts(): string[] {
    return this.posts.map(p => (typeof p.payload?.text === 'string' ? p.payload.text : ''))
  }

  async start(): Promise<this> {
    const faults = (): Fault[] => this.behaviour.faults ?? []
    this.server = await startServer(
      'webhook',
      (req, res, body, url) => {
        if (req.method !== 'POST' || url.pathname !== this.path) {
          res.writeHead(404, { 'Content-Type': 'text/plain' })
          return void res.end('no_service')
        }
        let payload: WebhookPost['payload']
        try {
          payload = JSON.parse(body) as WebhookPost['payload']
        } catch {
          payload = undefined
        }
        this.posts.push({ at: Date.now(), path: url.pathname, contentType: req.headers['content-type'], body, payload })
        const scripted = this.behaviour.answers?.shift()
        const answer =
          scripted ??
          (typeof payload?.text === 'string' ? { status: 200, body: 'ok' } : { status: 400, body: 'invalid_payload' })
        res.writeHead(answer.status, { 'Content-Type': 'text/plain', ...answer.headers })
        res.end(answer.body ?? '')
      },
      this.requests,
      faults,
      this.counters
    )
    return this
  }

  close(): Promise<void> {
    return this.server?.close() ?? Promise.resolve()
  }
}
