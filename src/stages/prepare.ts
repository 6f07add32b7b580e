import { repoName, repoWebUrl } from '../github/archives.js'
import * as log from '../lib/log.js'
import { ActionError, describeError } from '../lib/errors.js'
import { isFullSha } from '../lib/refs.js'
import { type ArchiveInfo, inspectArchive } from '../lib/tar.js'
import { type App, ScalingoClient } from '../scalingo/client.js'
import { dashboardUrl } from '../scalingo/regions.js'
import { type EnvVariable, mergeVariables } from '../settings/dotenv.js'
import { INPUTS } from '../settings/inputs.js'
import { type AppState, inFlight, readAppState } from './appstate.js'
import { checkArchiveContents } from './archivecheck.js'
import type { RunContext } from './context.js'
import { type Decision, decide } from './decide.js'
import { variablesNotLive } from './changes.js'
import { dryRunPlan } from './plan.js'
import { findPromotedCommit } from './promotion.js'
import { type Source, checkTagDidNotMove, githubSource, localSource, urlSource, workflowRunHeadSha } from './source.js'
import { type Transfer, checkArchiveServed, chooseTransfer, howTheArchiveTravels } from './transfer.js'
import { type VariablesDiff, describeDiff, diffVariables } from './variables.js'
import { fileInWorkspace, readEnvFile } from './workspace.js'

/**
 * Everything decided before anything changes: the local files, the commit
 * and its source, what is on the app, what the variables would change, and
 * the one decision: deploy, skip or plan.
 */

export interface Prepared {
  decision: 'deploy' | 'skip' | 'dry-run'
  source: Source
  app: App
  transfer: Transfer
  /** What runs and what was recent on the app before this run. */
  state: AppState
  /** The variables this run sets (env-file, then `variables` over it), and what they change. */
  variables: { wanted: EnvVariable[]; diff?: VariablesDiff; envFile?: string }
  localArchive?: ArchiveInfo & { path: string }
  /** What GitHub's archive of the commit will lack (submodules, LFS, export-ignore). */
  archiveProblems: string[]
}

interface LocalInputs {
  envFile?: { path: string; variables: EnvVariable[] }
  localArchive?: Prepared['localArchive']
}

/** The env-file and the local archive: checked before any request. */
async function readLocalInputs(ctx: RunContext): Promise<LocalInputs> {
  const { settings } = ctx
  const envFile = settings.envFile ? readEnvFile(settings.envFile, settings.workspace) : undefined
  let localArchive: LocalInputs['localArchive']
  if (settings.archivePath) {
    const path = fileInWorkspace(settings.archivePath, settings.workspace, INPUTS.archivePath)
    localArchive = { ...(await inspectArchive(path, INPUTS.archivePath, ctx.deadline)), path }
  }
  return { envFile, localArchive }
}

/** The ref to deploy: the input, the workflow's commit, the commit a workflow_run tested, or what runs on the promoted app. */
async function refToDeploy(ctx: RunContext): Promise<string> {
  const { settings, report } = ctx
  const from = settings.promoteFrom
  if (settings.refFrom === 'workflow-run' && !from) return workflowRunHeadSha(settings.workflow.eventPath)
  if (!from) return settings.ref
  const inputs = { app: INPUTS.promoteFrom, region: INPUTS.promoteFromRegion, token: INPUTS.promoteFromApiToken }
  const staging = new ScalingoClient(ctx.http, { ...from, authUrl: settings.authUrl, clock: ctx.clock, inputs })
  const promoted = await findPromotedCommit(staging)
  const created = promoted.deployment.created_at
  report.promotedFrom = `${from.app} (deployment ${promoted.deployment.id}${created ? `, ${created}` : ''})`
  log.info(
    `Promoting ${promoted.sha} from ${from.app}: its latest successful deployment ${promoted.deployment.id}${created ? `, created ${created}` : ''}`
  )
  return promoted.sha
}

/** The commit and the archive that ship. */
async function resolveSource(ctx: RunContext, local: LocalInputs): Promise<Source> {
  const { settings, report } = ctx
  if (local.localArchive) {
    const a = local.localArchive
    log.info(`Deploying the local archive ${a.path} (${a.bytes} bytes, folder ${a.root}/ at its root)`)
    return localSource(settings)
  }
  if (settings.sourceUrl) {
    const source = urlSource(settings, settings.sourceUrl)
    log.info(`Deploying ${source.archiveUrl} (source-url given: GitHub is not consulted)`)
    return source
  }
  if (settings.refFrom === 'workflow' && settings.workflow.event === 'pull_request' && !settings.promoteFrom) {
    log.warning(
      'On pull_request, GITHUB_SHA is a temporary merge commit of the pull request into its base branch: give ref to deploy a commit of the branch'
    )
  }
  const ref = await refToDeploy(ctx)
  const repo = settings.repository
  report.repository = repoName(repo)
  report.ref = ref
  const source = await githubSource(ctx.github, settings.githubServerUrl, repo, ref)
  checkTagDidNotMove(settings, source.sha)
  log.info(`Deploying ${report.repository}@${ref === source.sha ? source.sha : `${ref} → ${source.sha}`}`)
  return source
}

/** The variables this run sets, and what they would change on the app (names only ever printed). */
async function variablesToSet(ctx: RunContext, local: LocalInputs): Promise<Prepared['variables']> {
  const wanted = mergeVariables(local.envFile?.variables ?? [], ctx.settings.variables)
  if (wanted.length === 0) return { wanted }
  const diff = diffVariables(await ctx.scalingo.listVariables(), wanted)
  return { wanted, diff, envFile: local.envFile?.path }
}

export async function prepare(ctx: RunContext): Promise<Prepared> {
  const { settings, report } = ctx
  report.dashboardUrl = dashboardUrl(settings.region, settings.app)
  const local = await readLocalInputs(ctx)
  const source = await resolveSource(ctx, local)
  report.sha = source.sha || undefined
  report.archiveUrl = source.archiveUrl
  const archiveProblems =
    source.kind === 'github' ? await checkArchiveContents(ctx.github, settings.repository, source.sha) : []
  for (const problem of archiveProblems) log.warning(problem, { title: 'GitHub archive' })
  report.archiveProblems = archiveProblems

  await ctx.scalingo.exchange()
  const app = await ctx.scalingo.getApp()
  report.appUrl = app.url || app.base_url || undefined
  const state = await readAppState(ctx.scalingo, app)
  recordPrevious(ctx, source, state)
  const variables = await variablesToSet(ctx, local)
  const transfer = chooseTransfer(settings, source)
  if (source.kind === 'github' && (source.visibility !== 'public' || transfer === 'upload')) {
    log.info(
      `${repoName(settings.repository)} is ${source.visibility}: its archive is ${howTheArchiveTravels(source, transfer)}`
    )
  }
  const prepared: Prepared = { decision: 'deploy', source, app, transfer, state, variables, archiveProblems, ...local }
  const decided = await decideFrom(ctx, prepared)
  if (settings.dryRun) {
    // A dry run plans whatever it finds, an already-live commit included.
    if (decided.deploy) await refuseDowngrade(ctx, source, state)
    await checkArchiveServed(ctx.http, source)
    report.status = 'dry-run'
    const decision = decided.deploy
      ? `would deploy${decided.why ? ` (${decided.why})` : ''}`
      : `would skip: ${skipReason(ctx, prepared)}`
    report.plan = dryRunPlan(settings, { ...prepared, previousSha: report.previousSha, decision })
    log.info(`Dry run: everything checked, nothing created.\n${report.plan.map(l => `  ${l}`).join('\n')}`)
    return { ...prepared, decision: 'dry-run' }
  }
  if (!decided.deploy) {
    recordSkip(ctx, prepared)
    return { ...prepared, decision: 'skip' }
  }
  if (decided.why) log.info(decided.why)
  await refuseDowngrade(ctx, source, state)
  return prepared
}

/** What ran before this run, and the links that show what this release changes. */
function recordPrevious(ctx: RunContext, source: Source, state: AppState): void {
  const { settings, report } = ctx
  const previous = state.live?.git_ref ?? ''
  if (isFullSha(previous)) report.previousSha = previous.toLowerCase()
  if (source.kind !== 'github') return
  const repo = repoWebUrl(settings.githubServerUrl, settings.repository)
  report.commitUrl = `${repo}/commit/${source.sha}`
  if (report.previousSha && report.previousSha !== source.sha)
    report.compareUrl = `${repo}/compare/${report.previousSha}...${source.sha}`
}

/**
 * The downgrade guard: a commit older than what runs (two release runs
 * finishing out of order, a stale re-run) is refused before anything is
 * created, unless `force`. Diverged history, or a compare GitHub cannot
 * make, is a warning.
 */
async function refuseDowngrade(ctx: RunContext, source: Source, state: AppState): Promise<void> {
  const live = ctx.report.previousSha
  if (ctx.settings.reviewApp) return
  if (source.kind !== 'github' || !live || live === source.sha || !state.live) return
  let relation: Awaited<ReturnType<typeof ctx.github.compare>>
  try {
    relation = await ctx.github.compare(ctx.settings.repository, live, source.sha)
  } catch (err) {
    log.debug(`compare ${live}...${source.sha} failed: ${describeError(err)}`)
    relation = undefined
  }
  if (relation === 'behind') {
    if (ctx.settings.force)
      return log.warning(`${source.sha} is older than ${live}, which runs now: deploying it anyway (force: true)`)
    throw new ActionError(
      `${source.sha} is older than ${live}, which runs on ${ctx.settings.app} now: refusing to go back (release runs finishing out of order, or a stale re-run?)`,
      'set force: true to deploy an older commit on purpose (a manual rollback)'
    )
  }
  if (relation === 'diverged')
    log.warning(
      `${source.sha} and ${live}, which runs now, have diverged: this deployment replaces commits that are not in it`
    )
  if (relation === undefined)
    log.warning(
      `Could not compare ${source.sha} with ${live}, which runs now (no permission, or another repository): not checked for a downgrade`
    )
}

/**
 * The decision: deploy (and why, when it is not the obvious), or skip because
 * this exact commit, with these variables, is what runs. A skip is checked
 * against the app's events: a variable changed since the live deployment
 * started means that commit, as configured now, does not run yet.
 */
async function decideFrom(ctx: RunContext, p: Prepared): Promise<Decision> {
  const { settings } = ctx
  const { live, recent, listError } = p.state
  const changed = p.variables.diff ? [...p.variables.diff.added, ...p.variables.diff.changed] : []
  const decision = decide({
    force: settings.force,
    kind: p.source.kind,
    sha: p.source.sha,
    live,
    inFlight: recent && inFlight(recent),
    changedVariables: changed
  })
  if (listError) {
    const mattered = !settings.force && p.source.kind === 'github' && live?.git_ref === p.source.sha
    if (mattered) log.warning(`Could not check whether this commit is already live (${listError}); deploying it`)
    else log.debug(`could not list the app's deployments: ${listError}`)
  }
  if (decision.deploy) return listError ? { deploy: true } : decision
  const own = settings.reviewApp?.ownVariables ?? []
  const why = live ? await variablesNotLive(ctx.scalingo, live, p.source.sha, own) : undefined
  return why ? { deploy: true, why } : decision
}

function skipReason(ctx: RunContext, p: Prepared): string {
  const live = p.state.live
  return `${p.source.sha} is already live on ${ctx.settings.app} (deployment ${live?.id}${live?.created_at ? `, ${live.created_at}` : ''}), and no variable changed since; set force: true to deploy it again`
}

function recordSkip(ctx: RunContext, p: Prepared): void {
  const { report } = ctx
  report.status = 'skipped'
  report.deploymentId = p.state.live?.id
  report.variables = p.variables.diff ? describeDiff(p.variables.diff) : undefined
  report.skipped = skipReason(ctx, p)
  log.info(`Skipped: ${report.skipped}`)
}
