import * as core from '@actions/core'
import { type Clock, formatDuration, systemClock } from '../lib/clock.js'
import { ActionError } from '../lib/errors.js'
import { Http } from '../lib/http.js'
import * as log from '../lib/log.js'
import { oneLine } from '../lib/text.js'
import { reportFailure } from '../report/failure.js'
import { notifyChat, oneOffNotice } from '../report/notify.js'
import { type NotifySettings, readNotifySettings } from '../settings/notify.js'
import { writeOnce } from '../report/finish.js'
import {
  type OneOffReport,
  commandLabel,
  newOneOffReport,
  setOneOffOutputs,
  writeOneOffSummary
} from '../report/oneoff.js'
import { ScalingoClient } from '../scalingo/client.js'
import { oneOffLogsCommand } from '../scalingo/regions.js'
import { type InputReader, maskRunInputs } from '../settings/inputs.js'
import { type OneOffSettings, readOneOffSettings } from '../settings/oneoff.js'
import { actionHttp } from '../stages/context.js'
import { attendOneOff } from '../stages/oneoff/attended.js'
import { attachUrlOf, startOneOff } from '../stages/oneoff/start.js'

/**
 * The `run` action, as a pipeline: settings → the app → start (at most
 * once) → attach → output → exit code → report. Detached one-offs stop
 * after the start; a dry run after the app.
 */

/** After a cancellation, the run ends by itself within this long, whatever it was waiting for. */
const CANCEL_LIMIT_MS = 8_000

interface OneOffContext {
  settings: OneOffSettings
  clock: Clock
  http: Http
  client: ScalingoClient
  deadline: number
  stop: AbortController
}

export async function runOneOff(env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): Promise<void> {
  const startedAt = clock.now()
  const get: InputReader = name => core.getInput(name)
  maskRunInputs(get)
  const report = newOneOffReport()
  const stop = new AbortController()
  let notify: NotifySettings | undefined
  const finish = (): Promise<void> =>
    writeOnce(report, async () => {
      report.durationSeconds = Math.round((clock.now() - startedAt) / 1000)
      setOneOffOutputs(report)
      await writeOneOffSummary(report, env)
      const cancelled = stop.signal.aborted
      await notifyChat(notify, oneOffNotice(report), { env, clock, durationMs: clock.now() - startedAt, cancelled })
    })
  const unguard = guardOneOff(stop, report, finish)
  let ctx: OneOffContext | undefined
  try {
    notify = readNotifySettings(get)
    ctx = oneOffContext(readOneOffSettings(get), clock, startedAt, stop, report)
    await runStages(ctx, report)
  } catch (err) {
    report.status ??= 'error'
    reportFailure(report, err)
  } finally {
    ctx?.http.dispose()
    await finish()
    unguard()
  }
}

function oneOffContext(
  settings: OneOffSettings,
  clock: Clock,
  startedAt: number,
  stop: AbortController,
  report: OneOffReport
): OneOffContext {
  Object.assign(report, {
    app: settings.app,
    region: settings.region,
    command: settings.command,
    envNames: settings.env.map(v => v.name),
    size: settings.size,
    detached: settings.detached
  })
  const deadline = startedAt + settings.timeoutSeconds * 1000
  const http = actionHttp(clock, deadline)
  const { app, region, apiUrl, authUrl, apiToken } = settings
  const client = new ScalingoClient(http, { app, region, apiUrl, authUrl, apiToken, clock })
  return { settings, clock, http, client, deadline, stop }
}

async function runStages(ctx: OneOffContext, report: OneOffReport): Promise<void> {
  const { settings: s, client } = ctx
  await client.exchange()
  await client.getApp()
  if (s.dryRun) return plan(s, report)
  if (ctx.stop.signal.aborted) throw new ActionError('cancelled before the one-off was started: nothing ran')
  const started = await startOneOff(client, s)
  report.container = started.label || undefined
  log.info(
    `Started one-off ${started.label || '(no label)'} on ${s.app}: ${commandLabel(s.command)}${s.detached ? ' (detached)' : ''}`
  )
  if (s.detached) {
    report.status = 'detached'
    return log.info(
      `Detached: Scalingo reports no exit code for a detached one-off; its output goes to the app's logs: ${oneOffLogsCommand(s.region, s.app, started.label)}`
    )
  }
  const attachUrl = await attachUrlOf(client, started, {
    clock: ctx.clock,
    deadline: ctx.deadline,
    apiUrl: s.apiUrl,
    stop: ctx.stop.signal
  })
  await attendOneOff({ ...ctx, stop: ctx.stop.signal }, attachUrl, report)
}

function plan(s: OneOffSettings, report: OneOffReport): void {
  report.status = 'dry-run'
  report.plan = [
    `app: ${s.app} in ${s.region} (${s.apiUrl}) — found, token accepted`,
    `command: ${oneLine(s.command, 500)}`,
    `env: ${s.env.length ? s.env.map(v => v.name).join(', ') : '(none)'}`,
    `size: ${s.size ?? "Scalingo's default"}`,
    s.detached
      ? 'detached: started, not attached (no exit code)'
      : `attached: output shown, exit code awaited, for up to ${formatDuration(s.timeoutSeconds * 1000)}`
  ]
  log.info(`Dry run: checked, nothing started.\n${report.plan.map(l => `  ${l}`).join('\n')}`)
}

/**
 * Cancellation (the runner's SIGINT, then SIGTERM): the pipeline is told
 * (Ctrl-C to an attached command, its exit code awaited a few seconds), and
 * if it has not ended within CANCEL_LIMIT_MS the outputs and summary are
 * written and the process exits 1 all the same.
 */
function guardOneOff(stop: AbortController, report: OneOffReport, finish: () => Promise<void>): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) return
    log.info(`(${signal} received: stopping)`)
    report.status = report.status === 'detached' || report.status === 'dry-run' ? report.status : 'cancelled'
    stop.abort()
    const limit = setTimeout(() => {
      report.error ??= `cancelled (${signal})`
      core.setFailed(report.error)
      void finish().finally(() => process.exit(1))
    }, CANCEL_LIMIT_MS)
    limit.unref()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
