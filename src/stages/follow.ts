import * as core from '@actions/core'
import { type Clock, beforeDeadline, formatDuration } from '../lib/clock.js'
import { ActionError, HttpError, NetworkError, describeError } from '../lib/errors.js'
import { isRetryableStatus } from '../lib/http.js'
import { USER_AGENT } from '../lib/version.js'
import { mostTellingLine, printLines } from '../report/log.js'
import type { App, Deployment, ScalingoClient } from '../scalingo/client.js'
import { followCommand } from '../scalingo/regions.js'
import { describeStatus, hasFailed, isRunning, isSuccess, statusHint } from '../scalingo/statuses.js'
import { DeploymentStream, type StreamEvent, streamUrlAllowed } from '../scalingo/stream.js'
import { BuildLog, appendFromResponse } from './buildlog.js'
import type { RunContext } from './context.js'

/**
 * Follows a deployment until a terminal status or the deadline.
 *
 * Two sources behind one loop: the app's deployment stream (live log lines
 * and status changes) and polling. The stream only accelerates: a terminal
 * status it announces is confirmed with a GET before it is reported, and
 * when it cannot connect, drops or goes silent, adaptive polling of the
 * deployment and of its output takes over without losing or repeating lines.
 * A transient failure (5xx, 429, dropped connection) never fails the run.
 */

export interface FollowResult {
  deployment: Deployment
  timedOut: boolean
  /** GETs that failed transiently and were skipped. */
  transientErrors: number
  polls: number
  outputFetches: number
  streamUsed: boolean
}

export interface FollowOptions {
  client: ScalingoClient
  deployment: Deployment
  /** ms since epoch. */
  deadline: number
  clock: Clock
  log: BuildLog
  /** The app's `links.deployments_stream`; polling only when absent. */
  streamUrl?: string
  userAgent?: string
  onStatus?: (status: string, previous: string | undefined) => void
  pollDelay?: (status: string, inStatusMs: number, elapsedMs: number) => number
  /** Poll interval while the stream is healthy: a safety net only. */
  safetyPollMs?: number
  /** How often the output is fetched while polling without the stream. */
  logPollMs?: number
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

/** A failure worth polling through: no answer, or an answer that says "later". */
export function isTransient(err: unknown): boolean {
  if (err instanceof NetworkError) return true
  return err instanceof HttpError && isRetryableStatus(err.status)
}

/** Queued this long: look once at why. */
const EXPLAIN_QUEUE_AFTER_MS = 5_000

export class Follower {
  private readonly id: string
  private readonly start: number
  private current: Deployment
  /** The status last told to the user, and since when. */
  private announced: string
  private announcedSince: number
  /** A terminal status announced by the stream, waiting for the API's word. */
  private pendingFinal?: string
  /** Cuts the current pause short (the stream has news). */
  private interruptPause?: () => void
  private lastLogAt: number
  private queueExplained = false
  /** Log frames of each stream connection start again at the beginning of the log (replay). */
  private readonly connectionOffsets = new Map<number, number>()
  private stream?: DeploymentStream
  private readonly counts = { transientErrors: 0, polls: 0, outputFetches: 0, streamUsed: false }

  constructor(private readonly opts: FollowOptions) {
    this.id = opts.deployment.id
    this.start = opts.clock.now()
    this.current = opts.deployment
    this.announced = this.current.status
    this.announcedSince = this.start
    this.lastLogAt = this.start
    opts.log.status = this.announced
  }

  async run(): Promise<FollowResult> {
    const { log } = this.opts
    this.opts.onStatus?.(this.announced, undefined)
    this.openStream()
    let timedOut = false
    try {
      timedOut = await this.pollUntilDone()
    } finally {
      const streamDeliveredEnd =
        this.pendingFinal !== undefined && this.pendingFinal === this.current.status && this.streamHealthy()
      this.stream?.stop()
      // Whatever the stream did not deliver, the output endpoint has.
      if (!timedOut && !streamDeliveredEnd) await this.catchUpFromOutput()
      log.flush()
      log.closeGroup()
    }
    if (!timedOut) this.announce(this.current.status)
    return { deployment: this.current, timedOut, ...this.counts }
  }

  /** Polls (or waits for the stream) until a terminal status; true when the deadline came first. */
  private async pollUntilDone(): Promise<boolean> {
    const { clock, deadline } = this.opts
    for (;;) {
      const now = clock.now()
      if (now >= deadline) return true
      const delay = this.nextPollDelay(now)
      if (delay > 0) await this.pause(Math.min(delay, deadline - now))
      if (clock.now() >= deadline) return true
      const outcome = await this.pollOnce()
      if (outcome !== 'running') return outcome === 'timed-out'
    }
  }

  private streamHealthy(): boolean {
    return this.stream?.healthy ?? false
  }

  private openStream(): void {
    const url = this.opts.streamUrl
    if (!url) return
    if (!streamUrlAllowed(url)) {
      core.debug('deployment stream link is not wss: following by polling')
      return
    }
    this.stream = new DeploymentStream(
      { url, bearer: () => this.opts.client.bearer(), userAgent: this.opts.userAgent ?? 'scalingo-deploy-action' },
      {
        onEvent: (event, conn) => this.onStreamEvent(event, conn),
        onState: (state, why) => this.onStreamState(state, why)
      }
    )
    this.stream.start()
  }

  /** A frame of the stream: our log lines and status changes; other deployments' are ignored. */
  onStreamEvent(event: StreamEvent, connection: number): void {
    if (event.type === 'log' && event.id === this.id) {
      const offset = this.connectionOffsets.get(connection) ?? 0
      this.opts.log.append(offset, event.content)
      this.connectionOffsets.set(connection, offset + event.content.length)
      this.lastLogAt = this.opts.clock.now()
    } else if (event.type === 'status' && event.id === this.id) {
      if (isRunning(event.status)) {
        this.announce(event.status)
      } else {
        this.pendingFinal = event.status
        this.interruptPause?.()
      }
    }
  }

  private onStreamState(state: 'up' | 'down' | 'gave-up', why?: string): void {
    if (state === 'up') this.counts.streamUsed = true
    if (state === 'gave-up') core.info(`(live build output unavailable: ${why}; following by polling)`)
    else if (state === 'down') core.debug(`deployment stream down (${why}); reconnecting, polling meanwhile`)
    this.interruptPause?.()
  }

  /** How long until the next status poll: at once to confirm an end, slowly while the stream is healthy. */
  nextPollDelay(now: number): number {
    let delay = this.pendingFinal
      ? 0
      : this.streamHealthy()
        ? (this.opts.safetyPollMs ?? 15_000)
        : (this.opts.pollDelay ?? pollDelay)(this.announced, now - this.announcedSince, now - this.start)
    // Queued for a while: look once at why, even while the stream is quiet.
    if (this.announced === 'queued' && !this.queueExplained) {
      delay = Math.min(delay, Math.max(0, this.announcedSince + EXPLAIN_QUEUE_AFTER_MS + 100 - now))
    }
    return delay
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
      this.counts.transientErrors++
      core.info(`(could not read the deployment's status: ${describeError(err)}; still following)`)
      return 'running'
    }
    if (!next) return 'timed-out'
    this.current = next
    if (!isRunning(next.status)) return 'finished'
    if (this.pendingFinal) {
      core.debug(`the stream announced ${this.pendingFinal} but the API says ${next.status}: waiting for the API`)
      this.pendingFinal = undefined
    }
    this.announce(next.status)
    if (
      next.status === 'queued' &&
      !this.queueExplained &&
      clock.now() - this.announcedSince > EXPLAIN_QUEUE_AFTER_MS
    ) {
      this.queueExplained = true
      await this.explainQueue()
    }
    if (!this.streamHealthy() && clock.now() - this.lastLogAt >= (this.opts.logPollMs ?? 15_000))
      await this.catchUpFromOutput()
    return 'running'
  }

  /** Reads the output past what was printed; never fails the run. */
  async catchUpFromOutput(): Promise<void> {
    const { client, clock, deadline, log } = this.opts
    const link = this.current.links?.output
    if (!link) return
    this.counts.outputFetches++
    try {
      await beforeDeadline(
        client.readOutput(link, body => appendFromResponse(log, body)),
        Math.max(deadline, clock.now() + 30_000),
        clock,
        () => undefined
      )
    } catch (err) {
      core.warning(`Could not read the build output: ${describeError(err)}`)
    }
    this.lastLogAt = clock.now()
  }

  /** Says why we wait: another deployment of the app, or the account's slots. Never another's status as ours. */
  async explainQueue(): Promise<void> {
    try {
      const others = (await this.opts.client.listDeployments(10)).filter(d => d.id !== this.id && isRunning(d.status))
      this.opts.log.closeGroup()
      if (others.length > 0) {
        const o = others[0]
        core.info(
          `(deployment ${this.id} waits in the queue behind deployment ${o.id}, which is ${o.status}: Scalingo runs one deployment of an app at a time)`
        )
      } else {
        core.info(`(deployment ${this.id} is still queued: all deployment slots of the account may be busy)`)
      }
    } catch (err) {
      core.debug(`could not list the app's deployments: ${describeError(err)}`)
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
  private pause(ms: number): Promise<void> {
    return new Promise(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        if (this.interruptPause === done) this.interruptPause = undefined
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, ms))
      this.interruptPause = done
    })
  }
}

/** Follows a deployment to its end (or the deadline). */
export function followDeployment(opts: FollowOptions): Promise<FollowResult> {
  return new Follower(opts).run()
}

/**
 * The follow stage: follows our deployment with the live log, then says how
 * it ended. A timeout or a failed deployment fails the run, with the status
 * in plain words and the most telling line of the build output.
 */
export async function followToEnd(ctx: RunContext, deployment: Deployment, app: App): Promise<FollowResult> {
  const { settings, report, clock, startedAt } = ctx
  const log = new BuildLog()
  const result = await followDeployment({
    client: ctx.scalingo,
    deployment,
    deadline: ctx.deadline,
    clock,
    log,
    streamUrl: app.links?.deployments_stream,
    userAgent: USER_AGENT,
    onStatus: (status, previous) => {
      report.status = status
      core.info(
        `[${formatDuration(clock.now() - startedAt)}] ${previous ? `${previous} → ` : ''}${status}: ${describeStatus(status)}`
      )
    }
  })
  core.debug(
    `followed with ${result.streamUsed ? 'the live stream' : 'polling only'}: ${result.polls} status polls, ` +
      `${result.outputFetches} output fetches, ${result.transientErrors} transient errors, ${log.lines} log lines`
  )
  const final = result.deployment
  report.status = final.status
  report.durationSeconds =
    final.duration && final.duration > 0 ? final.duration : Math.round((clock.now() - startedAt) / 1000)
  if (result.timedOut) {
    report.timedOut = true
    throw new ActionError(
      `deployment ${final.id} is still ${final.status} after ${formatDuration(settings.timeoutSeconds * 1000)} (the timeout); it was not cancelled`,
      `follow it with: ${followCommand(settings.region, settings.app)}${report.dashboardUrl ? `, or on ${report.dashboardUrl}` : ''}`
    )
  }
  if (hasFailed(final.status)) {
    const tail = log.lastLines()
    if (tail.length > 0) {
      report.logTail = tail
      core.info(`Last ${tail.length} lines of the build output:`)
      printLines(tail)
    }
    const telling = mostTellingLine(tail)
    throw new ActionError(
      `deployment ${final.id} ended with ${final.status}: ${describeStatus(final.status)}${telling ? ` — ${telling}` : ''}`,
      statusHint(final.status),
      `Scalingo ${final.status}`
    )
  }
  if (isSuccess(final.status)) {
    core.info(
      `✅ ${settings.app} is running ${report.sha || deployment.git_ref || 'the new version'}${report.appUrl ? ` at ${report.appUrl}` : ''}`
    )
  }
  return result
}
