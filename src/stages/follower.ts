import * as log from '../lib/log.js'
import { type Clock, beforeDeadline } from '../lib/clock.js'
import { ActionError, HttpError, NetworkError, describeError } from '../lib/errors.js'
import { isRetryableStatus } from '../lib/http.js'
import { safeUrl } from '../lib/urls.js'
import { type Deployment, MalformedAnswerError, type ScalingoClient } from '../scalingo/client.js'
import { hasFailed, isRunning } from '../scalingo/statuses.js'
import type { StreamEvent, StreamState } from '../scalingo/stream.js'
import { inFlight } from './appstate.js'
import type { BuildLog } from './buildlog.js'
import type { LiveStream } from './livestream.js'
import { LogMerger, type OutputRead } from './logmerge.js'

/**
 * Follows a deployment until a terminal status or the deadline.
 *
 * Two sources behind one loop: the app's deployment stream (live log lines
 * and status changes) and polling. The stream only accelerates: a terminal
 * status it announces is confirmed with a GET before it is reported; when
 * it cannot connect, drops, goes silent or cannot be trusted to have sent
 * every line, adaptive polling of the deployment and of its output takes
 * over (see LogMerger: every line once, in order). A transient failure
 * (5xx, 429, dropped connection) never fails the run.
 */

export interface FollowResult {
  deployment: Deployment
  timedOut: boolean
  /** The last lines of the log: from the output endpoint once a failed deployment ended, else as printed. */
  tail: string[]
  /** GETs that failed transiently and were skipped. */
  transientErrors: number
  polls: number
  outputFetches: number
  /** Bytes of build output downloaded from the output endpoint. */
  outputBytes: number
  streamUsed: boolean
}

export interface FollowOptions {
  client: ScalingoClient
  deployment: Deployment
  /** ms since epoch. */
  deadline: number
  clock: Clock
  log: BuildLog
  /** The app's deployment stream, opened before the deployment was created; polling only when absent. */
  stream?: LiveStream
  onStatus?: (status: string, previous: string | undefined) => void
  pollDelay?: (status: string, inStatusMs: number, elapsedMs: number) => number
  /** Poll interval while the stream is healthy: a safety net only. */
  safetyPollMs?: number
}

/**
 * How long to wait before the next status poll without the stream: quick at
 * the start and near the transitions that come fast (pushing, starting),
 * slower while a long build or a queue lasts.
 */
export function pollDelay(status: string, inStatusMs: number, elapsedMs: number): number {
  if (elapsedMs < 2_000) return 500
  switch (status) {
    case 'pushing':
    case 'starting':
      return 1_500
    case 'queued':
      return inStatusMs < 10_000 ? 1_000 : 3_000
    case 'building':
      if (inStatusMs < 5_000) return 1_000
      return inStatusMs < 120_000 ? 3_000 : 5_000
    default:
      return 2_000
  }
}

/** The first output read comes this soon after the build starts: the first lines show within seconds. */
export const FIRST_OUTPUT_MS = 2_000
/** Never two output reads closer than this. */
export const MIN_OUTPUT_INTERVAL_MS = 15_000
/** A log this large is re-read only as often as its size can double. */
export const OUTPUT_GROWTH_BYTES = 64 * 1024

export interface OutputSchedule {
  /** When the build started (the status left `queued`), ms. */
  buildingSince?: number
  firstAt?: number
  lastAt?: number
  /** Bytes the last read downloaded (the log's size then). */
  lastBytes: number
}

/**
 * Whether the output endpoint may be read again. It has no offset, so each
 * read downloads the whole log: reads are spaced so that, once the log is
 * large, the time between two reads grows like the time already spent
 * (the log can have doubled), which keeps the bytes downloaded within about
 * three times the final log whatever the build's length, while a small log
 * is read every 15 s.
 */
export function outputReadDue(now: number, s: OutputSchedule): boolean {
  if (s.buildingSince === undefined) return false
  if (s.lastAt === undefined) return now - s.buildingSince >= FIRST_OUTPUT_MS
  // No log yet at the last read (404): look again soon.
  if (s.firstAt === undefined) return now - s.lastAt >= FIRST_OUTPUT_MS
  const growth = Math.min(1, s.lastBytes / OUTPUT_GROWTH_BYTES)
  return now - s.lastAt >= Math.max(MIN_OUTPUT_INTERVAL_MS, (s.lastAt - s.firstAt) * growth)
}

/**
 * A failure worth polling through: no answer, an answer that says "later",
 * or a 2xx whose body could not be read (cut, not JSON, no deployment in
 * it): one mangled answer says nothing about the deployment.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof NetworkError || isMalformed(err)) return true
  return err instanceof HttpError && isRetryableStatus(err.status)
}

/** A 2xx answer that could not be read: cut, not JSON, or without the deployment asked for. */
export function isMalformed(err: unknown): boolean {
  return err instanceof MalformedAnswerError || (err instanceof HttpError && err.status >= 200 && err.status < 300)
}

/** Unreadable answers in a row after which the API is taken at its word: it cannot say how the deployment goes. */
export const MAX_MALFORMED_IN_A_ROW = 5

/** After a failed poll, the next one waits at least this long (more after several): never a tight loop. */
export function afterFailedPolls(failed: number): number {
  return failed === 0 ? 0 : Math.min(5_000, 1_000 * failed)
}

/** Queued this long: look once at why. */
const EXPLAIN_QUEUE_AFTER_MS = 5_000
/** The last look at the deployment, at the timeout, may run this long past it. */
const LAST_LOOK_GRACE_MS = 1_000

export class Follower {
  private readonly id: string
  private readonly start: number
  private readonly merger: LogMerger
  private current: Deployment
  /** The status last told to the user, and since when. */
  private announced: string
  private announcedSince: number
  /** A terminal status announced by the stream, waiting for the API's word; and whether its connection had sent every line. */
  private pendingFinal?: { status: string; complete: boolean }
  /** Cuts the current pause short (the stream has news). */
  private interruptPause?: () => void
  private queueExplained = false
  private outputBlocked = false
  /** Status polls that failed in a row, and of them, how many answered 2xx with a body that could not be read. */
  private failedPolls = 0
  private malformedInARow = 0
  private readonly schedule: OutputSchedule = { lastBytes: 0 }
  private readonly counts = { transientErrors: 0, polls: 0, outputFetches: 0, outputBytes: 0, streamUsed: false }

  constructor(private readonly opts: FollowOptions) {
    this.id = opts.deployment.id
    this.start = opts.clock.now()
    this.current = opts.deployment
    this.announced = this.current.status
    this.announcedSince = this.start
    this.merger = new LogMerger(opts.log)
    opts.log.status = this.announced
    if (this.announced !== 'queued') this.schedule.buildingSince = this.start
  }

  async run(): Promise<FollowResult> {
    const { log, stream } = this.opts
    this.opts.onStatus?.(this.announced, undefined)
    this.attachStream()
    let timedOut: boolean
    let read: OutputRead | undefined
    try {
      timedOut = await this.pollUntilDone()
    } finally {
      stream?.stop()
    }
    const final = this.current.status
    const completeFromStream = this.pendingFinal?.status === final && this.pendingFinal.complete
    // Whatever the stream did not deliver, the output endpoint has; a failure's tail comes from it too.
    if (!timedOut && (hasFailed(final) || !completeFromStream)) read = await this.catchUpFromOutput(true)
    log.closeGroup()
    if (!timedOut) this.announce(final)
    const tail = read && read.tail.length > 0 ? read.tail : log.lastLines()
    return { deployment: this.current, timedOut, tail, ...this.counts }
  }

  /** Polls (or waits for the stream) until a terminal status; true when the deadline came first. */
  private async pollUntilDone(): Promise<boolean> {
    const { clock, deadline } = this.opts
    for (;;) {
      const now = clock.now()
      if (now >= deadline) return !(await this.lastLook())
      const delay = this.nextPollDelay(now)
      if (delay > 0) await this.pause(Math.min(delay, deadline - now))
      if (clock.now() >= deadline) return !(await this.lastLook())
      const outcome = await this.pollOnce()
      if (outcome === 'finished') return false
      if (outcome === 'timed-out') return !(await this.lastLook())
    }
  }

  private streamHealthy(): boolean {
    return this.opts.stream?.stream.healthy ?? false
  }

  private attachStream(): void {
    const live = this.opts.stream
    if (!live) return
    if (live.openedBeforeCreation !== undefined) this.merger.trustFromStart(live.openedBeforeCreation)
    if (live.stream.gaveUp) this.onStreamState('gave-up', 0, live.stream.lastFailure)
    live.attach({
      onEvent: (event, connection) => this.onStreamEvent(event, connection),
      onState: (state, connection, why) => this.onStreamState(state, connection, why)
    })
  }

  /** A frame of the stream: our log lines and status changes; other deployments' are ignored. */
  onStreamEvent(event: StreamEvent, connection: number): void {
    if (event.type === 'log' && event.id === this.id) {
      this.merger.fromStream(connection, event.content)
      this.holdStreamWhileBackedUp()
    } else if (event.type === 'status' && event.id === this.id) {
      if (event.status !== 'queued') this.schedule.buildingSince ??= this.opts.clock.now()
      if (isRunning(event.status)) {
        this.announce(event.status)
      } else {
        this.pendingFinal = { status: event.status, complete: this.merger.isTrusted(connection) }
        this.interruptPause?.()
      }
    }
  }

  /** stdout is behind: the socket waits, rather than frames piling up in memory. */
  private holdStreamWhileBackedUp(): void {
    const { log, stream } = this.opts
    if (!stream || !log.backedUp) return
    stream.stream.pause()
    void log.drained().then(() => stream.stream.resume())
  }

  private onStreamState(state: StreamState, _connection: number, why?: string): void {
    if (state === 'up') this.counts.streamUsed = true
    if (state === 'gave-up')
      log.info(`(live build output unavailable: ${why ?? 'no connection'}; following by polling)`)
    else if (state === 'down') log.debug(`deployment stream down (${why}); reconnecting, polling meanwhile`)
    this.interruptPause?.()
  }

  /** How long until the next status poll: at once to confirm an end, slowly while the stream is healthy. */
  nextPollDelay(now: number): number {
    let delay = this.pendingFinal
      ? 0
      : this.streamHealthy()
        ? (this.opts.safetyPollMs ?? 15_000)
        : (this.opts.pollDelay ?? pollDelay)(this.announced, now - this.announcedSince, now - this.start)
    // A poll just failed: even an end to confirm waits a little before asking again.
    delay = Math.max(delay, afterFailedPolls(this.failedPolls))
    // Queued for a while: look once at why, even while the stream is quiet.
    if (this.announced === 'queued' && !this.queueExplained) {
      delay = Math.min(delay, Math.max(0, this.announcedSince + EXPLAIN_QUEUE_AFTER_MS + 100 - now))
    }
    // The stream cannot be trusted with every line: the output endpoint is read when it is due.
    if (this.needsOutput()) delay = Math.min(delay, MIN_OUTPUT_INTERVAL_MS)
    return delay
  }

  /** Whether lines must come from the output endpoint: no trusted stream connection, or one that says there is more. */
  private needsOutput(): boolean {
    if (this.outputBlocked || this.merger.live) return false
    return !this.streamHealthy() || this.merger.unseenLines > 0
  }

  /** One GET of the deployment: 'running', 'finished', or 'timed-out' when it hung past the deadline. */
  async pollOnce(): Promise<'running' | 'finished' | 'timed-out'> {
    const { client, clock, deadline } = this.opts
    this.counts.polls++
    let next: Deployment | undefined
    try {
      next = await beforeDeadline(client.getDeployment(this.id), deadline, clock, () => undefined)
    } catch (err) {
      if (!isTransient(err)) throw err
      this.malformedInARow = isMalformed(err) ? this.malformedInARow + 1 : 0
      if (this.malformedInARow >= MAX_MALFORMED_IN_A_ROW) throw err
      this.counts.transientErrors++
      this.failedPolls++
      log.info(`(could not read the deployment's status: ${describeError(err)}; still following)`)
      return 'running'
    }
    if (!next) return 'timed-out'
    this.failedPolls = 0
    this.malformedInARow = 0
    this.current = next
    if (!isRunning(next.status)) return 'finished'
    if (this.pendingFinal) {
      log.debug(`the stream announced ${this.pendingFinal.status} but the API says ${next.status}: waiting for the API`)
      this.pendingFinal = undefined
    }
    if (next.status !== 'queued') this.schedule.buildingSince ??= clock.now()
    this.announce(next.status)
    if (
      next.status === 'queued' &&
      !this.queueExplained &&
      clock.now() - this.announcedSince > EXPLAIN_QUEUE_AFTER_MS
    ) {
      this.queueExplained = true
      await this.explainQueue()
    }
    if (this.needsOutput() && outputReadDue(clock.now(), this.schedule)) await this.catchUpFromOutput(false)
    return 'running'
  }

  /** At the timeout: one last look, so a deployment that ended right then is reported as it ended. */
  private async lastLook(): Promise<boolean> {
    const { client, clock, deadline } = this.opts
    try {
      const look = client.getDeployment(this.id, { graceMs: LAST_LOOK_GRACE_MS })
      this.current = (await beforeDeadline(look, deadline + LAST_LOOK_GRACE_MS, clock, () => undefined)) ?? this.current
    } catch (err) {
      log.debug(`last look at the deployment failed: ${describeError(err)}`)
    }
    return !isRunning(this.current.status)
  }

  /** Reads the output past what was printed; never fails the run. `ended`: the deployment is over. */
  async catchUpFromOutput(ended: boolean): Promise<OutputRead | undefined> {
    const { client, clock, deadline } = this.opts
    const link = this.current.links?.output
    if (!link || this.outputBlocked) return undefined
    this.counts.outputFetches++
    const at = clock.now()
    this.schedule.lastAt = at
    // Every read ends by the run's deadline: a trickling answer never holds the run.
    const until = deadline + LAST_LOOK_GRACE_MS
    try {
      const body = await beforeDeadline(client.openOutput(link), until, clock, () => {
        throw new NetworkError({
          code: 'ETIMEDOUT',
          method: 'GET',
          url: safeUrl(link),
          cause: 'no answer before the timeout',
          unsent: false
        })
      })
      if (!body) return undefined
      this.schedule.firstAt ??= at
      let bytes = 0
      const counted = (async function* () {
        for await (const chunk of body) {
          bytes += (chunk as Buffer).length
          yield chunk as Buffer
        }
      })()
      const read = await beforeDeadline(this.merger.fromOutput(counted, ended), until, clock, () => {
        body.destroy()
        return undefined
      })
      this.schedule.lastBytes = bytes
      this.counts.outputBytes += bytes
      return read
    } catch (err) {
      if (err instanceof ActionError && !(err instanceof HttpError)) this.outputBlocked = true
      log.warning(`Could not read the build output: ${describeError(err)}`)
      return undefined
    }
  }

  /** Says why we wait: another deployment of the app, or the account's slots. Never another's status as ours. */
  async explainQueue(): Promise<void> {
    try {
      const others = inFlight(await this.opts.client.listDeployments(10)).filter(d => d.id !== this.id)
      this.opts.log.closeGroup()
      if (others.length > 0) {
        const o = others[0]
        log.info(
          `(deployment ${this.id} waits in the queue behind deployment ${o.id}, which is ${o.status}: Scalingo runs one deployment of an app at a time)`
        )
      } else {
        log.info(`(deployment ${this.id} is still queued: all deployment slots of the account may be busy)`)
      }
    } catch (err) {
      log.debug(`could not list the app's deployments: ${describeError(err)}`)
    }
  }

  /** Tells a new status once, outside the build output's group. */
  private announce(status: string): void {
    if (status === this.announced) return
    const { log } = this.opts
    log.closeGroup()
    log.status = status
    this.opts.onStatus?.(status, this.announced)
    this.announced = status
    this.announcedSince = this.opts.clock.now()
  }

  /** A pause the stream can cut short; a stale timer never clears a newer pause's interrupt. */
  private async pause(ms: number): Promise<void> {
    const stop = new AbortController()
    const interrupt = (): void => stop.abort()
    this.interruptPause = interrupt
    await this.opts.clock.sleep(ms, stop.signal)
    if (this.interruptPause === interrupt) this.interruptPause = undefined
  }
}
