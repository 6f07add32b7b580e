import { type Clock, beforeDeadline } from '../../lib/clock.js'
import { ActionError, describeError } from '../../lib/errors.js'
import type { Http } from '../../lib/http.js'
import * as log from '../../lib/log.js'
import { USER_AGENT } from '../../lib/version.js'
import { type WaitAnswer, waitForExit } from '../../scalingo/attach.js'
import type { ScalingoClient } from '../../scalingo/client.js'
import { oneOffLogsCommand } from '../../scalingo/regions.js'
import { mostTellingLine, printLines } from '../../report/log.js'
import { type OneOffReport, commandLabel } from '../../report/oneoff.js'
import { BuildLog } from '../buildlog.js'
import { OneOffTerminal, type TerminalEnd } from './terminal.js'

/**
 * An attached one-off from its terminal to its exit code: output printed
 * as it comes, Ctrl-C once at the timeout or on cancellation, then the
 * exit code from `/wait`, and the verdict.
 */

export interface AttendedContext {
  client: ScalingoClient
  http: Http
  clock: Clock
  /** ms since epoch: the run's timeout. */
  deadline: number
  /** Aborted on cancellation (SIGINT/SIGTERM). */
  stop: AbortSignal
}

/** After Ctrl-C, how long the command has to end and say its exit code. */
export const STOP_GRACE_MS = 5_000

export async function attendOneOff(ctx: AttendedContext, attachUrl: string, report: OneOffReport): Promise<void> {
  const label = report.container || 'one-off'
  const out = new BuildLog(process.stdout, `Output of ${label}`)
  const terminal = new OneOffTerminal(attachUrl, () => ctx.client.bearer(), out, {
    clock: ctx.clock,
    userAgent: USER_AGENT,
    label,
    logs: oneOffLogsCommand(ctx.client.config.region, ctx.client.config.app, label)
  })
  await terminal.attach(ctx.deadline, ctx.stop)
  log.info(`Attached to one-off ${label}: running ${commandLabel(report.command)}`)
  const { end, stoppedBy } = await untilEnd(ctx, terminal)
  const answer = await exitCode(ctx, attachUrl, end, stoppedBy, label)
  judge(report, answer, stoppedBy, out)
}

/** The terminal's end; at the timeout or on cancellation, Ctrl-C first, then a few seconds for the command to end. */
async function untilEnd(
  ctx: AttendedContext,
  terminal: OneOffTerminal
): Promise<{ end?: TerminalEnd; stoppedBy?: 'timed-out' | 'cancelled' }> {
  const ending = terminal.follow()
  const stopped = new Promise<'cancelled'>(resolve => {
    if (ctx.stop.aborted) resolve('cancelled')
    ctx.stop.addEventListener('abort', () => resolve('cancelled'), { once: true })
  })
  const first = await beforeDeadline(
    Promise.race([ending, stopped]),
    ctx.deadline,
    ctx.clock,
    () => 'timed-out' as const
  )
  if (typeof first === 'object') return { end: first }
  terminal.interrupt()
  log.info(`(${first === 'cancelled' ? 'cancelled' : 'the timeout is reached'}: Ctrl-C sent to the one-off)`)
  const end = await beforeDeadline(ending, ctx.clock.now() + STOP_GRACE_MS, ctx.clock, () => undefined)
  if (!end) terminal.close()
  return { end, stoppedBy: first }
}

/** `/wait` after the terminal closed (or broke): how the command ended; undefined when it cannot be told. */
async function exitCode(
  ctx: AttendedContext,
  attachUrl: string,
  end: TerminalEnd | undefined,
  stoppedBy: 'timed-out' | 'cancelled' | undefined,
  label: string
): Promise<WaitAnswer | undefined> {
  if (end?.how === 'dropped') log.info(`(the connection to one-off ${label} dropped; asking Scalingo how it ended)`)
  const until = stoppedBy ? ctx.clock.now() + (end ? STOP_GRACE_MS : 1_000) : ctx.deadline
  try {
    return await waitForExit(ctx.http, attachUrl, await ctx.client.bearer(), until)
  } catch (err) {
    if (stoppedBy) {
      log.debug(`no exit code after Ctrl-C: ${describeError(err)}`)
      return undefined
    }
    throw new ActionError(
      `the one-off ${label} ended its connection, and its exit code could not be read (${describeError(err)}): its outcome is unknown`,
      `its output is in the app's logs: ${oneOffLogsCommand(ctx.client.config.region, ctx.client.config.app, label)}`
    )
  }
}

/** The verdict: success, a failure with the telling line, inactivity, or the timeout or cancellation. */
function judge(
  report: OneOffReport,
  answer: WaitAnswer | undefined,
  stoppedBy: 'timed-out' | 'cancelled' | undefined,
  out: BuildLog
): void {
  const what = commandLabel(report.command)
  if (answer && 'exitCode' in answer) report.exitCode = answer.exitCode
  if (stoppedBy) {
    report.status = stoppedBy
    const code = report.exitCode === undefined ? '' : ` (it exited with ${report.exitCode})`
    throw new ActionError(
      stoppedBy === 'timed-out'
        ? `${what} did not end before the timeout: Ctrl-C was sent${code}`
        : `cancelled: Ctrl-C was sent to ${what}${code}`
    )
  }
  if (answer && 'inactive' in answer) {
    report.status = 'inactive'
    throw new ActionError(
      `Scalingo stopped the one-off after a long time without output: ${what} did not finish`,
      'print progress, or run it detached (detached: true) and follow the app logs',
      'Scalingo one-off inactive'
    )
  }
  const code = report.exitCode ?? -1
  if (code === 0) {
    report.status = 'success'
    return log.info(`✅ ${what} exited with 0`)
  }
  report.status = 'failed'
  const tail = out.lastLines()
  report.tail = tail
  if (tail.length > 0) {
    log.info(`Last ${tail.length} lines of output:`)
    printLines(tail)
  }
  const telling = mostTellingLine(tail)
  throw new ActionError(
    `${what} exited with ${code}${telling ? ` — ${telling}` : ''}`,
    undefined,
    `Scalingo one-off exited with ${code}`
  )
}
