import { repoName } from '../github/archives.js'
import { formatDuration } from '../lib/clock.js'
import { ActionError, describeError } from '../lib/errors.js'
import * as log from '../lib/log.js'
import { isFullSha } from '../lib/refs.js'
import { USER_AGENT } from '../lib/version.js'
import type { Deployment } from '../scalingo/client.js'
import { readAppState } from './appstate.js'
import type { RunContext } from './context.js'
import { createDeployment } from './deliver.js'
import { followToEnd } from './follow.js'
import { checkHealth, healthTarget, healthUrl } from './health.js'
import type { Prepared } from './prepare.js'
import { githubSource } from './source.js'
import { chooseTransfer } from './transfer.js'

/**
 * The verify stage: what "live" means beyond Scalingo's word. The health
 * check after a successful deployment, and, when it fails and `rollback` is
 * set, the commit that ran before deployed again. The run fails when the
 * check fails, rolled back or not.
 */
export async function verify(ctx: RunContext, prepared: Prepared, ours: Deployment): Promise<void> {
  const { settings, report } = ctx
  const check = settings.healthCheck
  if (!check) return
  const url = healthUrl(check, prepared.app)
  if (!url) {
    throw new ActionError(
      `health-check ${check.path} needs the app's URL, and Scalingo gave none that can be checked (https)`,
      'give health-check a full https:// URL'
    )
  }
  const target = healthTarget(check)
  const result = await checkHealth(url, target, check.timeoutSeconds, ctx.clock, USER_AGENT)
  const took = formatDuration(result.elapsedMs)
  if (result.ok) {
    report.health = 'ok'
    report.healthDetail = `${target} ${result.last} (${result.tries === 1 ? 'first try' : `after ${result.tries} tries, ${took}`})`
    log.info(`Health check: ${report.healthDetail}`)
    return
  }
  report.health = 'failed'
  report.healthDetail = `${target} ${result.last} for ${formatDuration(check.timeoutSeconds * 1000)} (${result.tries} tries)`
  if (settings.rollback) await rollBack(ctx, prepared, ours)
  throw new ActionError(
    `health check failed: ${target} ${result.last} for ${formatDuration(check.timeoutSeconds * 1000)}${report.rolledBack ? `; rolled back to ${report.previousSha}` : ''}`,
    report.rolledBack
      ? 'the previous version runs again; the variables this run changed stay changed'
      : settings.rollback
        ? `no rollback: ${report.rollback}`
        : 'the new version is live but not healthy: check the app logs (scalingo logs), or set rollback: true',
    'Health check failed'
  )
}

/** Why a rollback cannot run, or undefined when it can. */
async function cannotRollBack(ctx: RunContext, prepared: Prepared, ours: Deployment): Promise<string | undefined> {
  const previous = prepared.state.live
  const sha = previous?.git_ref ?? ''
  if (!previous) return 'no deployment was live before this run'
  if (!isFullSha(sha))
    return `what ran before (deployment ${previous.id}) has git_ref ${JSON.stringify(sha.slice(0, 60))}, not a commit SHA`
  if (sha.toLowerCase() === prepared.source.sha) return `the commit that ran before is this same commit (${sha})`
  const app = await ctx.scalingo.getApp()
  if (app.last_deployment_id !== ours.id) {
    return `deployment ${app.last_deployment_id ?? '(none)'} is live now, not ours (${ours.id}): someone deployed meanwhile, left as it is`
  }
  try {
    await ctx.github.resolveSha(ctx.settings.repository, sha)
  } catch (err) {
    return `the previous commit ${sha} cannot be found in ${repoName(ctx.settings.repository)} (${describeError(err)})`
  }
  return undefined
}

/** Deploys the commit that ran before this run again, from its GitHub archive, at most once, and follows it. */
async function rollBack(ctx: RunContext, prepared: Prepared, ours: Deployment): Promise<void> {
  const { settings, report } = ctx
  const why = await cannotRollBack(ctx, prepared, ours)
  if (why) {
    report.rollback = `not done: ${why}`
    log.info(`Rollback not done: ${why}`)
    return
  }
  const sha = (prepared.state.live?.git_ref ?? '').toLowerCase()
  log.info(
    `Rolling back to ${sha}, which ran before this run (deployment ${prepared.state.live?.id}); the variables this run changed stay changed`
  )
  // The rollback has a timeout of its own, as long as the run's.
  ctx.deadline = ctx.clock.now() + settings.timeoutSeconds * 1000
  ctx.http.deadline = ctx.deadline
  try {
    const source = await githubSource(ctx.github, settings.githubServerUrl, settings.repository, sha)
    const app = await ctx.scalingo.getApp()
    const state = await readAppState(ctx.scalingo, app)
    const transfer = chooseTransfer(settings, source)
    const again: Prepared = {
      ...prepared,
      decision: 'deploy',
      source,
      app,
      transfer,
      state,
      localArchive: undefined,
      archiveProblems: []
    }
    const { deployment, stream } = await createDeployment(ctx, again)
    log.info(`Created rollback deployment ${deployment.id} of ${settings.app}: ${deployment.status}`)
    await followToEnd(ctx, deployment, stream, 'rollback')
    report.rolledBack = true
    report.rollback = `deployment ${deployment.id} of ${sha} succeeded`
    log.info(`Rolled back: ${settings.app} runs ${sha} again (deployment ${deployment.id})`)
  } catch (err) {
    report.rollback = `failed: ${describeError(err)}`
    log.warning(`The rollback to ${sha} failed: ${describeError(err)}`)
  }
}
