import * as core from '@actions/core'
import { describeError } from '../lib/errors.js'
import { registerSecret } from '../lib/secrets.js'
import { type ArchiveInfo, inspectArchive } from '../lib/tar.js'
import { type App, ScalingoClient } from '../scalingo/client.js'
import { dashboardUrl } from '../scalingo/regions.js'
import { type EnvVariable, parseDotenv } from '../settings/dotenv.js'
import { INPUTS } from '../settings/inputs.js'
import type { RunContext } from './context.js'
import { lastSuccessful } from './live.js'
import { dryRunPlan } from './plan.js'
import { findPromotedCommit } from './promotion.js'
import { type Source, localSource, resolveGitHubSource, sourceFromUrl } from './source.js'
import { checkArchiveServed, chooseTransfer } from './transfer.js'
import { readWorkspaceFile } from './workspace.js'

/**
 * Everything decided before anything changes: the local files, the commit
 * and its source, what is live, and the one decision: deploy, skip or plan.
 */

export interface Prepared {
  decision: 'deploy' | 'skip' | 'dry-run'
  source: Source
  /** What Scalingo records as the deployment's `git_ref`. */
  gitRef: string | null
  app: App
  transfer: 'url' | 'upload'
  /** The env-file's variables, parsed and masked. */
  envFile?: { path: string; variables: EnvVariable[] }
  localArchive?: ArchiveInfo & { path: string }
}

interface LocalInputs {
  envFile?: Prepared['envFile']
  localArchive?: Prepared['localArchive']
}

/** The env-file and the local archive: checked before any request. */
async function readLocalInputs(ctx: RunContext): Promise<LocalInputs> {
  const { settings } = ctx
  let envFile: LocalInputs['envFile']
  if (settings.envFile) {
    const { path, text } = readWorkspaceFile(settings.envFile, settings.workspace, INPUTS.envFile)
    envFile = { path, variables: parseDotenv(text) }
    for (const v of envFile.variables) registerSecret(v.value)
  }
  const localArchive = settings.archivePath
    ? { ...(await inspectArchive(settings.archivePath)), path: settings.archivePath }
    : undefined
  return { envFile, localArchive }
}

/** The ref to deploy: the input, or the commit live on the promoted app. */
async function refToDeploy(ctx: RunContext): Promise<string> {
  const { settings, report } = ctx
  const from = settings.promoteFrom
  if (!from) return settings.ref
  const staging = new ScalingoClient(ctx.http, { ...from, authUrl: settings.authUrl, clock: ctx.clock })
  const promoted = await findPromotedCommit(staging)
  const created = promoted.deployment.created_at
  report.promotedFrom = `${from.app} (deployment ${promoted.deployment.id}${created ? `, ${created}` : ''})`
  core.info(
    `Promoting ${promoted.sha} from ${from.app}: its latest successful deployment ${promoted.deployment.id}${created ? `, created ${created}` : ''}`
  )
  return promoted.sha
}

/** The commit and the archive that ship. */
async function resolveSource(ctx: RunContext, ref: string, local: LocalInputs): Promise<Source> {
  const { settings, report } = ctx
  if (local.localArchive) {
    const a = local.localArchive
    core.info(`Deploying the local archive ${a.path} (${a.bytes} bytes, folder ${a.root}/ at its root)`)
    return localSource(ref)
  }
  if (settings.sourceUrl) {
    const source = sourceFromUrl(settings.sourceUrl, ref)
    core.info(`Deploying ${source.archiveUrl} (source-url given: GitHub is not consulted)`)
    return source
  }
  const repo = settings.repository
  report.repository = `${repo.owner}/${repo.repo}`
  report.ref = ref
  const source = await resolveGitHubSource(ctx.github, settings.githubServerUrl, repo, ref)
  core.info(`Deploying ${report.repository}@${ref === source.sha ? source.sha : `${ref} → ${source.sha}`}`)
  return source
}

/** The commit is already what runs: a re-run does not rebuild it. */
async function alreadyLive(ctx: RunContext, source: Source): Promise<boolean> {
  const { settings, report } = ctx
  if (settings.force || !source.sha) return false
  let live
  try {
    live = await lastSuccessful(ctx.scalingo, 20)
  } catch (err) {
    core.warning(`Could not check whether this commit is already live (${describeError(err)}); deploying it`)
    return false
  }
  if (!live || live.git_ref !== source.sha) return false
  report.status = 'skipped'
  report.deploymentId = live.id
  report.skipped = `${source.sha} is already live on ${settings.app} (deployment ${live.id}${live.created_at ? `, ${live.created_at}` : ''}); set force: true to deploy it again`
  core.info(`Skipped: ${report.skipped}`)
  return true
}

export async function prepare(ctx: RunContext): Promise<Prepared> {
  const { settings, report } = ctx
  report.dashboardUrl = dashboardUrl(settings.region, settings.app)
  const local = await readLocalInputs(ctx)
  const ref = await refToDeploy(ctx)
  const source = await resolveSource(ctx, ref, local)
  report.sha = source.sha || undefined
  report.archiveUrl = source.archiveUrl

  await ctx.scalingo.exchange()
  const app = await ctx.scalingo.getApp()
  report.appUrl = app.url || app.base_url || undefined
  const gitRef = source.sha || ref || null
  const transfer = settings.archivePath
    ? 'upload'
    : settings.sourceUrl
      ? 'url'
      : chooseTransfer(settings.archiveTransfer, source.visibility)
  const prepared: Prepared = { decision: 'deploy', source, gitRef, app, transfer, ...local }

  if (await alreadyLive(ctx, source)) return { ...prepared, decision: 'skip' }
  if (settings.dryRun) {
    if (!settings.archivePath) await checkArchiveServed(ctx.http, source)
    report.status = 'dry-run'
    report.plan = dryRunPlan(settings, prepared)
    core.info(`Dry run: everything checked, nothing created.\n${report.plan.map(l => `  ${l}`).join('\n')}`)
    return { ...prepared, decision: 'dry-run' }
  }
  return prepared
}
