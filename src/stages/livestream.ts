import * as log from '../lib/log.js'
import { beforeDeadline, systemClock } from '../lib/clock.js'
import { USER_AGENT } from '../lib/version.js'
import type { ScalingoClient } from '../scalingo/client.js'
import { DeploymentStream, type StreamEvent, type StreamHandlers, type StreamState } from '../scalingo/stream.js'

/**
 * The app's deployment stream, opened just before our deployment is
 * created. A connection already open then sees our deployment's log from
 * its first line, whether or not Scalingo replays old logs to a new
 * connection (undocumented): the follower can print its lines as they come.
 * Events that arrive before the follower takes over are kept for it, except
 * those of deployments that existed before ours.
 */

/**
 * Bytes of events kept before the follower takes over (a count would not
 * bound them: one frame may be 4 MiB); beyond, the early connection loses
 * its head start and the output endpoint fills in.
 */
export const MAX_QUEUED_BYTES = 1024 * 1024
/** What one kept event costs besides its text. */
const EVENT_OVERHEAD_BYTES = 64

function eventBytes(event: StreamEvent): number {
  return EVENT_OVERHEAD_BYTES + (event.type === 'log' ? Buffer.byteLength(event.content) : 0)
}

export class LiveStream {
  readonly stream: DeploymentStream
  private queue: { event: StreamEvent; connection: number }[] = []
  private queuedBytes = 0
  private openConnection?: number
  private overflowed = false
  /** The connection that was open before the deployment was created, if any. */
  openedBeforeCreation?: number
  private opened?: () => void

  constructor(
    url: string,
    client: ScalingoClient,
    private readonly knownIds: ReadonlySet<string>
  ) {
    this.stream = new DeploymentStream(
      { url, bearer: () => client.bearer(), userAgent: USER_AGENT },
      {
        onEvent: (event, connection) => this.queueEvent(event, connection),
        onState: (state, connection, why) => this.queueState(state, connection, why)
      }
    )
  }

  /** Dials, and waits (at most `waitMs`) for the connection to open, so it is open before the deployment exists. */
  async open(waitMs: number): Promise<void> {
    const opened = new Promise<void>(resolve => (this.opened = resolve))
    this.stream.start()
    await beforeDeadline(opened, systemClock.now() + waitMs, systemClock, () => undefined)
  }

  /** Called the moment before the deployment is created. */
  creating(): void {
    if (!this.overflowed) this.openedBeforeCreation = this.openConnection
  }

  /** The follower takes over: it gets what was kept, then every event as it comes. */
  attach(handlers: StreamHandlers): void {
    this.stream.setHandlers(handlers)
    const queued = this.queue
    this.queue = []
    this.queuedBytes = 0
    for (const { event, connection } of queued) handlers.onEvent(event, connection)
  }

  stop(): void {
    this.stream.stop()
  }

  private queueEvent(event: StreamEvent, connection: number): void {
    if ((event.type === 'log' || event.type === 'status') && this.knownIds.has(event.id)) return
    if (event.type !== 'log' && event.type !== 'status') return
    const bytes = eventBytes(event)
    if (this.overflowed || this.queuedBytes + bytes > MAX_QUEUED_BYTES) {
      // Once anything is lost, nothing more is kept: the queue is dropped whole.
      this.overflowed = true
      this.openedBeforeCreation = undefined
      this.queue = []
      this.queuedBytes = 0
      return
    }
    this.queuedBytes += bytes
    this.queue.push({ event, connection })
  }

  private queueState(state: StreamState, connection: number, why?: string): void {
    if (state === 'open') {
      this.openConnection = connection
      this.opened?.()
    } else if (state === 'down' || state === 'gave-up') {
      if (this.openConnection === connection) this.openConnection = undefined
      if (state === 'gave-up') log.debug(`deployment stream unavailable before the deployment was created: ${why}`)
    }
  }
}
