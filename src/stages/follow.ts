import { formatDuration } from '../lib/clock.js'
import { ActionError } from '../lib/errors.js'
import * as log from '../lib/log.js'
import { mostTellingLine, printLines } from '../report/log.js'
import type { Deployment } from '../scalingo/client.js'
import { followCommand } from '../scalingo/regions.js'
import { describeStatus, hasFailed, isSuccess, statusHint } from '../scalingo/statuses.js'
import { BuildLog } from './buildlog.js'
import type { RunContext } from './context.js'
import { Follower, type FollowResult } from './follower.js'
import type { LiveStream } from './livestream.js'

/**
 * The follow stage: follows a deployment with its live log, then says how
 * it ended. A timeout or a failed deployment fails the run, with the status
 * in plain words and the most telling line of the build output. `role`:
 * our deployment (the report is written as it goes) or a rollback (told in
 * the log, judged by the caller).
 */
export async function followToEnd(
  ctx: RunContext,
  deployment: Deployment,
  stream?: LiveStream,
  role: 'deployment' | 'rollback' = 'deployment'
): Promise<FollowResult> {
  const { report, clock, startedAt } = ctx
  const ours = role === 'deployment'
  const buildLog = new BuildLog()
  const result = await new Follower({
    client: ctx.scalingo,
    deployment,
    deadline: ctx.deadline,
    clock,
    log: buildLog,
    stream,
    onStatus: (status, previous) => {
      if (ours) report.status = status
      const at = formatDuration(clock.now() - startedAt)
      log.info(
        `[${at}] ${ours ? '' : 'rollback: '}${previous ? `${previous} → ` : ''}${status}: ${describeStatus(status)}`
      )
    }
  }).run()
  log.debug(
    `followed with ${result.streamUsed ? 'the live stream' : 'polling only'}: ${result.polls} status polls, ` +
      `${result.outputFetches} output reads (${result.outputBytes} bytes), ${result.transientErrors} transient errors, ${buildLog.printed} log lines`
  )
  if (ours) {
    report.status = result.deployment.status
    const duration = result.deployment.duration
    report.durationSeconds = duration && duration > 0 ? duration : Math.round((clock.now() - startedAt) / 1000)
    report.timedOut = result.timedOut
  }
  judge(ctx, result, ours)
  return result
}

/** Throws when the deployment did not succeed: at the timeout, or with a failed status. */
function judge(ctx: RunContext, result: FollowResult, ours: boolean): void {
  const { settings, report } = ctx
  const final = result.deployment
  if (result.timedOut) {
    throw new ActionError(
      `deployment ${final.id} is still ${final.status} after ${formatDuration(settings.timeoutSeconds * 1000)} (the timeout); it was not cancelled`,
      `follow it with: ${followCommand(settings.region, settings.app)}${report.dashboardUrl ? `, or on ${report.dashboardUrl}` : ''}`
    )
  }
  if (hasFailed(final.status)) {
    const tail = result.tail
    if (tail.length > 0) {
      if (ours) report.logTail = tail
      log.info(`Last ${tail.length} lines of the build output:`)
      printLines(tail)
    }
    const telling = mostTellingLine(tail)
    throw new ActionError(
      `deployment ${final.id} ended with ${final.status}: ${describeStatus(final.status)}${telling ? ` — ${telling}` : ''}`,
      statusHint(final.status),
      ours ? `Scalingo ${final.status}` : undefined
    )
  }
  if (ours && isSuccess(final.status)) {
    log.info(
      `✅ ${settings.app} is running ${report.sha || final.git_ref || 'the new version'}${report.appUrl ? ` at ${report.appUrl}` : ''}`
    )
  }
}
