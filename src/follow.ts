import * as core from '@actions/core'
import { appendFromResponse, type BuildLog } from './buildlog.js'
import type { Clock } from './clock.js'
import { HttpError, NetworkError, describeError } from './errors.js'
import type { Deployment, ScalingoClient } from './scalingo.js'
import { isRunning } from './statuses.js'
import { DeploymentStream, streamUrlAllowed } from './stream.js'

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

export function isTransient(err: unknown): boolean {
  if (err instanceof NetworkError) return true
  if (err instanceof HttpError) return err.status === 429 || err.status === 408 || err.status >= 500
  return false
}

/** Resolves to undefined when the deadline passes first: a hung request never holds the run. */
async function beforeDeadline<T>(p: Promise<T>, deadline: number, clock: Clock): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const expiry = new Promise<undefined>(resolve => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - clock.now()))
  })
  try {
    return await Promise.race([p, expiry])
  } finally {
    clearTimeout(timer)
  }
}

export async function followDeployment(opts: FollowOptions): Promise<FollowResult> {
  const { client, clock, deadline, log } = opts
  const delayFor = opts.pollDelay ?? pollDelay
  const start = clock.now()
  const id = opts.deployment.id
  let current = opts.deployment
  let shown = current.status
  let shownSince = start
  let transientErrors = 0
  let polls = 0
  let outputFetches = 0
  /** A terminal status announced by the stream, waiting for the API's word. */
  let claimed: string | undefined
  let wake: (() => void) | undefined
  let lastLogAt = start
  let streamUsed = false

  log.phase = shown
  const show = (status: string): void => {
    if (status === shown) return
    log.closeGroup()
    log.phase = status
    opts.onStatus?.(status, shown)
    shown = status
    shownSince = clock.now()
  }
  opts.onStatus?.(shown, undefined)

  // Log frames of each connection start again at the beginning of the log (replay).
  const connOffsets = new Map<number, number>()
  let stream: DeploymentStream | undefined
  if (opts.streamUrl && streamUrlAllowed(opts.streamUrl)) {
    stream = new DeploymentStream(
      { url: opts.streamUrl, bearer: () => client.bearer(), userAgent: opts.userAgent ?? 'scalingo-deploy-action' },
      {
        onEvent: (event, conn) => {
          if (event.type === 'log' && event.id === id) {
            const offset = connOffsets.get(conn) ?? 0
            log.append(offset, event.content)
            connOffsets.set(conn, offset + event.content.length)
            lastLogAt = clock.now()
          } else if (event.type === 'status' && event.id === id) {
            if (isRunning(event.status)) {
              show(event.status)
            } else {
              claimed = event.status
              wake?.()
            }
          }
        },
        onState: (state, why) => {
          if (state === 'up') streamUsed = true
          if (state === 'gave-up') core.info(`(live build output unavailable: ${why}; following by polling)`)
          else if (state === 'down') core.debug(`deployment stream down (${why}); reconnecting, polling meanwhile`)
          wake?.()
        }
      }
    )
    stream.start()
  } else if (opts.streamUrl) {
    core.debug('deployment stream link is not wss: following by polling')
  }

  // A pause the stream can cut short; a stale timer never clears a newer pause's wake.
  const pause = (ms: number): Promise<void> =>
    new Promise(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        if (wake === done) wake = undefined
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, ms))
      wake = done
    })

  /** Reads the output past what was printed; never fails the run. */
  const catchUpOutput = async (): Promise<void> => {
    const link = current.links?.output
    if (!link) return
    outputFetches++
    try {
      await beforeDeadline(
        client.readOutput(link, body => appendFromResponse(log, body)),
        Math.max(deadline, clock.now() + 30_000),
        clock
      )
    } catch (err) {
      core.warning(`Could not read the build output: ${describeError(err)}`)
    }
    lastLogAt = clock.now()
  }

  /** Says why we wait: another deployment of the app, or the account's slots. Never another's status as ours. */
  let queueExplained = false
  const explainQueue = async (): Promise<void> => {
    try {
      const others = (await client.listDeployments(10)).filter(d => d.id !== id && isRunning(d.status))
      log.closeGroup()
      if (others.length > 0) {
        const o = others[0]
        core.info(
          `(deployment ${id} waits in the queue behind deployment ${o.id}, which is ${o.status}: Scalingo runs one deployment of an app at a time)`
        )
      } else {
        core.info(`(deployment ${id} is still queued: all deployment slots of the account may be busy)`)
      }
    } catch (err) {
      core.debug(`could not list the app's deployments: ${describeError(err)}`)
    }
  }

  let timedOut = false
  try {
    for (;;) {
      const now = clock.now()
      if (now >= deadline) {
        timedOut = true
        break
      }
      const healthy = stream?.healthy ?? false
      let delay = claimed ? 0 : healthy ? (opts.safetyPollMs ?? 15_000) : delayFor(shown, now - shownSince, now - start)
      // Queued for a while: look once at why, even while the stream is quiet.
      if (shown === 'queued' && !queueExplained) delay = Math.min(delay, Math.max(0, shownSince + 5_100 - now))
      if (delay > 0) await pause(Math.min(delay, deadline - now))
      if (clock.now() >= deadline) {
        timedOut = true
        break
      }
      polls++
      let next: Deployment | undefined
      try {
        next = await beforeDeadline(client.getDeployment(id), deadline, clock)
      } catch (err) {
        if (!isTransient(err)) throw err
        transientErrors++
        core.info(`(could not read the deployment's status: ${describeError(err)}; still following)`)
        continue
      }
      if (!next) {
        timedOut = true
        break
      }
      current = next
      if (!isRunning(current.status)) break
      if (claimed) {
        core.debug(`the stream announced ${claimed} but the API says ${current.status}: waiting for the API`)
        claimed = undefined
      }
      show(current.status)
      if (current.status === 'queued' && !queueExplained && clock.now() - shownSince > 5_000) {
        queueExplained = true
        await explainQueue()
      }
      if (!(stream?.healthy ?? false) && clock.now() - lastLogAt >= (opts.logPollMs ?? 15_000)) await catchUpOutput()
    }
  } finally {
    const streamDeliveredEnd = claimed !== undefined && claimed === current.status && (stream?.healthy ?? false)
    stream?.stop()
    // Whatever the stream did not deliver, the output endpoint has.
    if (!timedOut && !streamDeliveredEnd) await catchUpOutput()
    log.flush()
    log.closeGroup()
  }
  if (!timedOut) show(current.status)
  return { deployment: current, timedOut, transientErrors, polls, outputFetches, streamUsed }
}
