import * as log from '../lib/log.js'
import { formatDuration } from '../lib/clock.js'
import { ActionError } from '../lib/errors.js'
import { mostTellingLine, printLines } from '../report/log.js'
import type { Deployment } from '../scalingo/client.js'
import { followCommand } from '../scalingo/regions.js'
import { describeStatus, hasFailed, isSuccess, statusHint } from '../scalingo/statuses.js'
import { BuildLog } from './buildlog.js'
import type { RunContext } from './context.js'
import { Follower, type FollowResult } from './follower.js'
import type { LiveStream } from './livestream.js'

/**
 * The follow stage: follows our deployment with the live log, then says how
 * it ended. A timeout or a failed deployment fails the run, with the status
 * in plain words and the most telling line of the build output.
 */
export async function followToEnd(ctx: RunContext, deployment: Deployment, stream?: LiveStream): Promise<FollowResult> {
  const { settings, report, clock, startedAt } = ctx
  const buildLog = new BuildLog()
  const result = await new Follower({
    client: ctx.scalingo,
    deployment,
    deadline: ctx.deadline,
    clock,
    log: buildLog,
    stream,
    onStatus: (status, previous) => {
      report.status = status
      log.info(
        `[${formatDuration(clock.now() - startedAt)}] ${previous ? `${previous} → ` : ''}${status}: ${describeStatus(status)}`
      )
    }
  }).run()
  log.debug(
    `followed with ${result.streamUsed ? 'the live stream' : 'polling only'}: ${result.polls} status polls, ` +
      `${result.outputFetches} output reads (${result.outputBytes} bytes), ${result.transientErrors} transient errors, ${buildLog.printed} log lines`
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
    const tail = result.tail
    if (tail.length > 0) {
      report.logTail = tail
      log.info(`Last ${tail.length} lines of the build output:`)
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
    log.info(
      `✅ ${settings.app} is running ${report.sha || deployment.git_ref || 'the new version'}${report.appUrl ? ` at ${report.appUrl}` : ''}`
    )
  }
  return result
}
