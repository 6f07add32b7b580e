import * as core from '@actions/core'
import * as log from './lib/log.js'
import { type Clock, systemClock } from './lib/clock.js'
import { reportFailure } from './report/failure.js'
import { deployNotice, notifyChat } from './report/notify.js'
import { type NotifySettings, readNotifySettings } from './settings/notify.js'
import { finishRun } from './report/finish.js'
import { newReport } from './report/report.js'
import { maskSecretInputs, type InputReader } from './settings/inputs.js'
import { readSettings } from './settings/settings.js'
import { guardRun } from './report/signals.js'
import { cancelled, conclude } from './stages/conclude.js'
import { type RunContext, createContext } from './stages/context.js'
import { deliver } from './stages/deliver.js'
import { followToEnd } from './stages/follow.js'
import { prepare } from './stages/prepare.js'
import { verify } from './stages/verify.js'

/**
 * The action, as a pipeline: settings → prepare → deliver → follow → verify → report.
 * Each stage is a module; this function only wires them together.
 */
export async function run(env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): Promise<void> {
  const startedAt = clock.now()
  const get: InputReader = name => core.getInput(name)
  // Secrets are masked the moment they are read, before anything can print them.
  maskSecretInputs(get)
  const report = newReport()
  let ctx: RunContext | undefined
  let notify: NotifySettings | undefined
  let cut = false
  // Outputs and summary first, then the chat: once, whichever ending comes first.
  const finish = (): Promise<void> =>
    finishRun(report, env, () =>
      notifyChat(notify, deployNotice(report), { env, clock, durationMs: clock.now() - startedAt, cancelled: cut })
    )
  const beforeExit = (): Promise<void> | undefined => {
    cut = true
    return ctx ? cancelled(ctx) : undefined
  }
  const stopGuarding = guardRun(report, env, beforeExit, { exit: code => process.exit(code), finish })
  try {
    // Read first: a run refused for any other input still tells the chat.
    notify = readNotifySettings(get)
    const settings = readSettings(get, env)
    ctx = createContext(settings, env, clock, report, startedAt)
    const prepared = await prepare(ctx)
    if (prepared.decision !== 'deploy') return
    const { deployment, stream } = await deliver(ctx, prepared)
    if (!settings.wait) return log.info('wait is false: not following the deployment')
    await followToEnd(ctx, deployment, stream)
    await verify(ctx, prepared, deployment)
  } catch (err) {
    reportFailure(report, err)
  } finally {
    // Still guarded: a cancellation now ends the run once, with the same outputs and summary.
    if (ctx) await conclude(ctx)
    await finish()
    stopGuarding()
  }
}
