import * as core from '@actions/core'
import type { Clock } from './clock.js'
import { HttpError, NetworkError, describeError } from './errors.js'
import type { Deployment, ScalingoClient } from './scalingo.js'
import { isRunning } from './statuses.js'

/**
 * Follows a deployment until a terminal status or the deadline. A transient
 * failure (5xx, 429, dropped connection) while following never fails the
 * run: we keep polling until the deadline.
 */

export interface FollowResult {
  deployment: Deployment
  timedOut: boolean
  /** GETs that failed transiently and were skipped. */
  transientErrors: number
  polls: number
}

export interface FollowOptions {
  client: ScalingoClient
  deployment: Deployment
  /** ms since epoch. */
  deadline: number
  clock: Clock
  onStatus?: (status: string, previous: string | undefined, deployment: Deployment) => void
  pollDelay?: (status: string, elapsedMs: number) => number
}

/**
 * How long to wait before the next poll: quick at the start and once the
 * image is pushed (transitions come fast there), slower during a long build.
 */
export function pollDelay(status: string, elapsedMs: number): number {
  if (elapsedMs < 3_000) return 500
  if (status === 'pushing' || status === 'starting') return 1_000
  if (elapsedMs < 10_000) return 1_000
  if (elapsedMs < 120_000) return 2_000
  return 4_000
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
  const { client, clock, deadline } = opts
  const delay = opts.pollDelay ?? pollDelay
  const start = clock.now()
  let current = opts.deployment
  let transientErrors = 0
  let polls = 0
  opts.onStatus?.(current.status, undefined, current)
  while (isRunning(current.status)) {
    const now = clock.now()
    if (now >= deadline) return { deployment: current, timedOut: true, transientErrors, polls }
    await clock.sleep(Math.min(delay(current.status, now - start), deadline - now))
    if (clock.now() >= deadline) return { deployment: current, timedOut: true, transientErrors, polls }
    polls++
    let next: Deployment | undefined
    try {
      next = await beforeDeadline(client.getDeployment(current.id, deadline), deadline, clock)
    } catch (err) {
      if (!isTransient(err)) throw err
      transientErrors++
      core.info(`(could not read the deployment's status: ${describeError(err)}; still following)`)
      continue
    }
    if (!next) return { deployment: current, timedOut: true, transientErrors, polls }
    const previous = current.status
    current = next
    if (current.status !== previous) opts.onStatus?.(current.status, previous, current)
  }
  return { deployment: current, timedOut: false, transientErrors, polls }
}
