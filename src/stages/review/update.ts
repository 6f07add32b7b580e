import { repoName } from '../../github/archives.js'
import { type PullRequest, fetchPullRequest, isFork } from '../../github/pulls.js'
import { ActionError } from '../../lib/errors.js'
import * as log from '../../lib/log.js'
import { isSuccess } from '../../scalingo/statuses.js'
import type { ReviewAppSettings } from '../../settings/reviewapp.js'
import type { Settings } from '../../settings/settings.js'
import { createContext } from '../context.js'
import { deliver } from '../deliver.js'
import { followToEnd } from '../follow.js'
import { prepare } from '../prepare.js'
import { verify } from '../verify.js'
import { AFTER_CREATE_VARIABLE, afterCreateRan, runAfterCreate } from './aftercreate.js'
import { providedNames, provisionMissing, waitForAddons, wantedAddons } from './addons.js'
import { ensureReviewApp } from './app.js'
import type { ReviewContext } from './context.js'
import { planReviewApp } from './plan.js'
import { applyReviewVariables, describeVariables } from './variables.js'

/**
 * A pull request's push: the review app found or created, its addons,
 * its variables, the head commit deployed through the deploy action's own
 * stages, then after-create once. Each step looks at what exists first,
 * so a run that stopped half-way is completed by the next.
 */

/** The pull request: from the event, or from the API on another event. */
export async function pullRequestOf(ctx: ReviewContext): Promise<PullRequest> {
  const { settings } = ctx
  ctx.pr ??= settings.event ?? (await fetchPullRequest(ctx.github, settings.github.repository, settings.pullRequest))
  ctx.report.headRef = ctx.pr.headRef || undefined
  return ctx.pr
}

/** A fork's code would run with the parent's variables: refused unless `forks: true`. */
function refuseFork(ctx: ReviewContext, pr: PullRequest): boolean {
  if (!isFork(pr) || ctx.settings.forks) return false
  const from = pr.headRepo ? repoName(pr.headRepo) : 'a deleted repository'
  ctx.report.outcome = 'skipped'
  ctx.report.note = `pull request #${pr.number} comes from a fork (${from}): no review app, since its code would run with ${ctx.settings.target.app}'s variables; set forks: true to allow it`
  log.notice(ctx.report.note)
  return true
}

/** The deploy action's settings for the review app's head commit. */
export function deploySettings(s: ReviewAppSettings, pr: PullRequest, env: NodeJS.ProcessEnv): Settings {
  if (!pr.headRepo)
    throw new ActionError(
      `the head repository of pull request #${pr.number} was deleted: there is no archive to deploy`
    )
  const b = s.behaviour
  return {
    ...s.target,
    app: s.name,
    ref: pr.headSha,
    refFrom: 'input',
    workflow: { event: env.GITHUB_EVENT_NAME ?? '', sha: pr.headSha, refType: '', refName: '', eventPath: '' },
    repository: pr.headRepo,
    githubToken: s.github.token,
    githubApiUrl: s.github.apiUrl,
    githubServerUrl: s.github.serverUrl,
    archiveTransfer: 'auto',
    ...b,
    envFile: undefined,
    variables: [],
    force: false,
    rollback: false,
    dryRun: false,
    reviewApp: { baseRepository: s.github.repository, ownVariables: [AFTER_CREATE_VARIABLE] }
  }
}

/** The head commit, through the deploy action's stages (skipped when it is live with these variables). */
async function deployHead(ctx: ReviewContext, pr: PullRequest): Promise<void> {
  const settings = deploySettings(ctx.settings, pr, ctx.env)
  const run = createContext(settings, ctx.env, ctx.clock, ctx.report, ctx.startedAt, ctx.http)
  ctx.deploy = run
  ctx.report.deployed = true
  const prepared = await prepare(run)
  if (prepared.decision !== 'deploy') return
  const { deployment, stream } = await deliver(run, prepared)
  if (!settings.wait) return log.info('wait is false: not following the deployment (after-create needs it)')
  await followToEnd(run, deployment, stream)
  await verify(run, prepared, deployment)
}

/** after-create, once: when the deployment is live and the review app says it never ran to success. */
async function afterCreateOnce(ctx: ReviewContext, sha: string): Promise<void> {
  const command = ctx.settings.afterCreate
  const { report } = ctx
  if (!command) return
  const live = report.status === 'skipped' || (report.status !== undefined && isSuccess(report.status))
  if (!live || report.health === 'failed') return
  if (await afterCreateRan(ctx.review)) {
    report.afterCreate = `already ran (${AFTER_CREATE_VARIABLE} is set on ${ctx.settings.name})`
    return log.info(`after-create: ${report.afterCreate}`)
  }
  try {
    const ran = await runAfterCreate(
      { client: ctx.review, http: ctx.http, clock: ctx.clock, deadline: ctx.deadline, stop: ctx.stop.signal },
      { ...ctx.settings.target, app: ctx.settings.name },
      command,
      sha
    )
    report.afterCreate = `ran on ${ran.container ?? 'a one-off'}: exit 0`
  } catch (err) {
    report.afterCreate = 'failed: it runs again on the next push'
    throw err
  }
}

export async function updateReviewApp(ctx: ReviewContext): Promise<void> {
  const { settings: s, report } = ctx
  const pr = await pullRequestOf(ctx)
  report.sha = pr.headSha
  if (refuseFork(ctx, pr)) return
  await ctx.parent.exchange()
  if (s.behaviour.dryRun) return planReviewApp(ctx, pr)
  const { created } = await ensureReviewApp(ctx.parent, s.target.app, s.name)
  report.created = created
  const wanted = await wantedAddons(ctx.parent, s.addons, s.target.app)
  const addons = await provisionMissing(ctx.review, s.name, wanted)
  report.addonsCreated = addons.created
  await waitForAddons(ctx.review, s.name, wanted, { clock: ctx.clock, deadline: ctx.deadline, stop: ctx.stop.signal })
  const vars = await applyReviewVariables(ctx.review, ctx.parent, {
    copy: s.copyVariables,
    overrides: ctx.overrides,
    addonProvided: [...addons.variables, ...providedNames(wanted.map(w => w.provider))],
    own: [AFTER_CREATE_VARIABLE]
  })
  report.variablesLine = describeVariables(vars, s.target.app, names => names.join(', ')) || undefined
  await deployHead(ctx, pr)
  await afterCreateOnce(ctx, pr.headSha)
}
