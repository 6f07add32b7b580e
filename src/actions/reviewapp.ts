import * as core from '@actions/core'
import { type Clock, systemClock } from '../lib/clock.js'
import { reportFailure } from '../report/failure.js'
import { notifyChat, reviewNotice } from '../report/notify.js'
import { type NotifySettings, readNotifySettings } from '../settings/notify.js'
import { writeOnce } from '../report/finish.js'
import { newReviewReport, setReviewOutputs, writeReviewSummary } from '../report/reviewapp.js'
import { type InputReader, maskSecretInputs } from '../settings/inputs.js'
import { readReviewAppSettings } from '../settings/reviewapp.js'
import { guardRun } from '../report/signals.js'
import { cancelled, conclude } from '../stages/conclude.js'
import { type ReviewContext, createReviewContext } from '../stages/review/context.js'
import { destroyStage } from '../stages/review/destroy.js'
import { commentOnPullRequest } from '../stages/review/tell.js'
import { pullRequestOf, updateReviewApp } from '../stages/review/update.js'

/**
 * The `review-app` action, as a pipeline: settings → the pull request →
 * update (app, addons, variables, deploy, after-create) or destroy →
 * comment → report.
 */
export async function runReviewApp(env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): Promise<void> {
  const startedAt = clock.now()
  const get: InputReader = name => core.getInput(name)
  maskSecretInputs(get)
  const report = newReviewReport()
  const stop = new AbortController()
  let notify: NotifySettings | undefined
  const finish = (): Promise<void> =>
    writeOnce(report, async () => {
      report.durationSeconds = Math.round((clock.now() - startedAt) / 1000)
      setReviewOutputs(report)
      await writeReviewSummary(report, env)
      const cancelled = stop.signal.aborted
      await notifyChat(notify, reviewNotice(report), { env, clock, durationMs: clock.now() - startedAt, cancelled })
    })
  let ctx: ReviewContext | undefined
  const beforeExit = async (): Promise<void> => {
    stop.abort()
    if (ctx?.deploy) await cancelled(ctx.deploy)
    ctx?.http.dispose()
  }
  const stopGuarding = guardRun(report, env, beforeExit, { exit: code => process.exit(code), finish })
  try {
    // Read first: a run refused for any other input still tells the chat.
    notify = readNotifySettings(get)
    const settings = readReviewAppSettings(get, env)
    ctx = createReviewContext(settings, env, clock, report, startedAt, stop)
    await runStages(ctx)
  } catch (err) {
    reportFailure(report, err)
  } finally {
    if (ctx) await ending(ctx)
    await finish()
    stopGuarding()
  }
}

async function runStages(ctx: ReviewContext): Promise<void> {
  const { mode } = ctx.settings
  if (mode === 'destroy') return destroyStage(ctx)
  const pr = await pullRequestOf(ctx)
  // auto: a closed pull request destroys, any other event deploys.
  if (mode === 'auto' && pr.closed) return destroyStage(ctx)
  await updateReviewApp(ctx)
}

async function ending(ctx: ReviewContext): Promise<void> {
  await commentOnPullRequest(ctx)
  if (ctx.deploy) await conclude(ctx.deploy)
  ctx.http.dispose()
}
