import { ActionError, describeError } from '../../lib/errors.js'
import * as log from '../../lib/log.js'
import { type OneOffReport, commandLabel, newOneOffReport } from '../../report/oneoff.js'
import type { ScalingoClient } from '../../scalingo/client.js'
import type { Target } from '../../settings/settings.js'
import { type AttendedContext, attendOneOff } from '../oneoff/attended.js'
import { attachUrlOf, startOneOff } from '../oneoff/start.js'

/**
 * `after-create`: run once, attached, with the `run` action's rules, after
 * the review app's first successful deployment. The action keeps nothing
 * between runs: whether it ran is a variable of the review app, written
 * only once the command exited 0, so one that failed runs again next push.
 */

/** The review app's variable that says after-create ran (and on which commit). */
export const AFTER_CREATE_VARIABLE = 'REVIEW_APP_AFTER_CREATE'

/** Whether after-create already ran on this review app, from its own variables. */
export async function afterCreateRan(review: ScalingoClient): Promise<boolean> {
  return (await review.listVariables()).some(v => v.name === AFTER_CREATE_VARIABLE && v.value.trim() !== '')
}

/** Runs the command attached; on exit 0 records it on the review app, else fails the run with its exit. */
export async function runAfterCreate(
  ctx: AttendedContext,
  target: Target,
  command: string,
  sha: string
): Promise<OneOffReport> {
  const report = newOneOffReport()
  Object.assign(report, { app: target.app, region: target.region, command })
  log.info(`Running after-create on ${target.app}: ${commandLabel(command)}`)
  const settings = { ...target, command, env: [], detached: false, timeoutSeconds: 0, dryRun: false }
  const started = await startOneOff(ctx.client, settings)
  report.container = started.label || undefined
  const attachUrl = await attachUrlOf(ctx.client, started, {
    clock: ctx.clock,
    deadline: ctx.deadline,
    apiUrl: target.apiUrl,
    stop: ctx.stop
  })
  try {
    await attendOneOff(ctx, attachUrl, report)
  } catch (err) {
    // Its exit code (or why there is none), the telling line included; nothing is recorded, so it runs again.
    throw new ActionError(
      `after-create: ${describeError(err)}; nothing recorded, it runs again on the next push`,
      err instanceof ActionError ? err.hint : undefined,
      'after-create failed'
    )
  }
  await ctx.client.setVariables([{ name: AFTER_CREATE_VARIABLE, value: `ran for ${sha}` }], 'after-create')
  log.info(`after-create exited with 0: recorded in ${AFTER_CREATE_VARIABLE} on ${target.app}, it will not run again`)
  return report
}
