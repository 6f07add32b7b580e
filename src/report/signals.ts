import * as core from '@actions/core'
import { beforeDeadline, systemClock } from '../lib/clock.js'
import { describeError } from '../lib/errors.js'
import { inert } from '../lib/text.js'
import { finishRun } from './finish.js'
import type { RunReport } from './report.js'
import { followCommand } from '../scalingo/regions.js'

/**
 * The ways a run can end outside the pipeline: cancellation (the runner
 * sends SIGINT, then SIGTERM, then kills) and anything unexpected (a
 * rejection nobody awaited, a throw in a callback). Either way: one clean
 * error line, the outputs and the summary, exit 1, quickly. This reads the
 * report and decides nothing else.
 */

/** What a cancellation leaves behind, from where the run was. */
export function cancellationMessage(signal: NodeJS.Signals, report: RunReport): string {
  const follow = followCommand(report.region, report.app)
  switch (report.stage) {
    case 'created':
      return `cancelled (${signal}): deployment ${report.deploymentId} is still ${report.status ?? 'running'} on Scalingo and was not stopped; follow it with: ${follow}`
    case 'creating':
      return `cancelled (${signal}) while creating the deployment: it may have been created; check the app's deployments (${follow})`
    default:
      return `cancelled (${signal}) before any deployment was created`
  }
}

/** What an unexpected failure leaves behind. */
export function unexpectedMessage(err: unknown, report: RunReport): string {
  const created = report.stage === 'created' ? `; deployment ${report.deploymentId} was created and keeps running` : ''
  return `unexpected error: ${describeError(err)}${created}`
}

export interface Ending {
  exit: (code: number) => void
  /** The action's outputs and summary (the deploy action's by default). */
  finish?: () => Promise<void>
}

/** What is left to do before exiting takes at most this long: the runner kills 10 s after its first signal. */
const LAST_WORDS_MS = 3_000

/** Ends the run with `message`: one error line, what is left to do (bounded), outputs, summary, exit 1. */
export function endRun(
  message: string,
  report: RunReport,
  env: NodeJS.ProcessEnv,
  beforeExit: () => Promise<void> | void,
  ending: Ending
): void {
  report.error = message
  core.setFailed(inert(message))
  const lastWords = async (): Promise<void> => {
    try {
      await beforeDeadline(
        Promise.resolve(beforeExit()),
        systemClock.now() + LAST_WORDS_MS,
        systemClock,
        () => undefined
      )
    } catch {
      // the exit matters more than what could not be said
    }
    await (ending.finish ? ending.finish() : finishRun(report, env))
  }
  void lastWords().finally(() => ending.exit(1))
}

/** Watches for the first cancellation or unexpected failure; returns a function that stops watching. */
export function guardRun(
  report: RunReport,
  env: NodeJS.ProcessEnv,
  beforeExit: () => Promise<void> | void,
  ending: Ending = { exit: code => process.exit(code) }
): () => void {
  let fired = false
  const once =
    <A extends unknown[]>(message: (...args: A) => string) =>
    (...args: A): void => {
      if (fired) return
      fired = true
      endRun(message(...args), report, env, beforeExit, ending)
    }
  const onSignal = once((signal: NodeJS.Signals) => cancellationMessage(signal, report))
  const onUnexpected = once((err: unknown) => unexpectedMessage(err, report))
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('unhandledRejection', onUnexpected)
  process.on('uncaughtException', onUnexpected)
  return () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('unhandledRejection', onUnexpected)
    process.off('uncaughtException', onUnexpected)
  }
}
