import * as log from '../lib/log.js'
import { GitHubDeployment } from '../github/deployments.js'
import { HttpError, describeError } from '../lib/errors.js'
import { RECENT } from './appstate.js'
import { safeUrl } from '../lib/urls.js'
import type { Deployment } from '../scalingo/client.js'
import { streamUrlAllowed } from '../scalingo/stream.js'
import { isKnownRegion } from '../scalingo/regions.js'
import type { RunContext } from './context.js'
import { createDeploymentOnce } from './create.js'
import { LiveStream } from './livestream.js'
import type { Prepared } from './prepare.js'
import { downloadArchive, sourceExpires, uploadArchive, uploadFailure } from './transfer.js'
import { applyVariables } from './variables.js'
import { waitUntilFree } from './wait.js'

/**
 * The changes, in order: variables (one bulk call), the GitHub deployment
 * record, the archive handed over (URL or upload) when the app is ready for
 * it, and the deployment, created at most once.
 */

export interface Delivered {
  deployment: Deployment
  /** The app's deployment stream, open since before the deployment was created. */
  stream?: LiveStream
}

/** How long the stream may take to open before the deployment is created anyway. */
const STREAM_OPEN_WAIT_MS = 3_000

export async function deliver(ctx: RunContext, prepared: Prepared): Promise<Delivered> {
  const { settings, report } = ctx
  const { variables } = prepared
  if (variables.diff) {
    const label =
      variables.envFile && settings.variables.length > 0
        ? 'env-file and variables'
        : variables.envFile
          ? 'env-file'
          : 'variables'
    report.variablesLabel = label
    report.variables = await applyVariables(ctx.scalingo, variables.wanted, variables.diff, label)
  }
  await recordGitHubDeployment(ctx, prepared)
  const delivered = await createDeployment(ctx, prepared, () => (report.stage = 'creating'))
  const { deployment } = delivered
  report.stage = 'created'
  report.deploymentId = deployment.id
  report.status = deployment.status
  log.info(`Created deployment ${deployment.id} of ${settings.app} (${settings.region}): ${deployment.status}`)
  return delivered
}

/**
 * Hands the archive over and creates the deployment, at most once; the
 * stream is opened first when the deployment will be followed. Used for our
 * deployment and for a rollback.
 */
export async function createDeployment(
  ctx: RunContext,
  prepared: Prepared,
  posting: () => void = () => undefined
): Promise<Delivered> {
  const { state } = prepared
  const sourceUrl = await handOverArchive(ctx, prepared)
  // The deployments that exist before the POST tell ours from another run's after an unclear answer: read them once more if they could not be.
  if (!state.recent) state.recent = await readRecent(ctx)
  const before = state.recent ?? []
  // Waiting for a free app refreshes state.recent: what appeared meanwhile is
  // another run's, never ours to adopt (nor to stream).
  const knownIds = new Set([...before, ...(state.recent ?? [])].map(d => d.id))
  const stream = ctx.settings.wait ? await openStream(ctx, prepared, knownIds) : undefined
  stream?.creating()
  posting()
  try {
    const { deployment } = await createDeploymentOnce(ctx.scalingo, prepared.source.gitRef, sourceUrl, {
      clock: ctx.clock,
      deadline: ctx.deadline,
      knownIds: state.recent ? knownIds : undefined
    })
    return { deployment, stream }
  } catch (err) {
    stream?.stop()
    throw err
  }
}

/** The app's recent deployments, or undefined when they cannot be read. */
async function readRecent(ctx: RunContext): Promise<Deployment[] | undefined> {
  try {
    return await ctx.scalingo.listDeployments(RECENT)
  } catch (err) {
    log.debug(`could not list the app's deployments before creating ours: ${describeError(err)}`)
    return undefined
  }
}

/** `environment`: a GitHub deployment, in progress until the end of the run. */
async function recordGitHubDeployment(ctx: RunContext, prepared: Prepared): Promise<void> {
  const { settings, report, env } = ctx
  if (!settings.environment || prepared.source.kind !== 'github') return
  // A review app's deployments belong to the pull request's base repository, in a transient environment.
  const record = new GitHubDeployment(
    ctx.github,
    settings.reviewApp?.baseRepository ?? settings.repository,
    settings.environment,
    { transient: settings.reviewApp !== undefined }
  )
  ctx.githubDeployment = record
  await record.create(prepared.source.sha, `Scalingo ${settings.app} (${settings.region})`)
  report.githubDeployment = record.describe()
  const logUrl =
    env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY
      ? `${settings.githubServerUrl}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined
  await record.recordStatus('in_progress', { logUrl, description: `Deploying to Scalingo app ${settings.app}` })
}

/**
 * The URL Scalingo will fetch, made as late as possible: an archive that
 * expires is handed over only once the app is free to build it, and a
 * signed URL is never reused from earlier in the run.
 */
async function handOverArchive(ctx: RunContext, prepared: Prepared): Promise<string> {
  const { settings, report } = ctx
  const { source, localArchive, transfer } = prepared
  const bounds = { clock: ctx.clock, deadline: ctx.deadline }
  if (source.kind === 'url') return source.url ?? ''
  if (transfer === 'url' && source.visibility === 'public') return source.archiveUrl
  const github = { github: ctx.github, repo: settings.repository, sha: source.sha }
  if (transfer === 'url') {
    await waitUntilFree(ctx, prepared.state)
    return ctx.github.signedTarballUrl(github.repo, github.sha)
  }
  try {
    const path = localArchive
      ? localArchive.path
      : (await downloadArchive(ctx.http, ctx.github, github.repo, github.sha, ctx.env.RUNNER_TEMP ?? '', bounds)).path
    if (sourceExpires(source, transfer)) await waitUntilFree(ctx, prepared.state)
    const uploaded = await uploadArchive(ctx.http, ctx.scalingo, path, bounds)
    report.transfer = `uploaded through Scalingo's sources API (${uploaded.bytes} bytes)`
    if (localArchive) report.archiveUrl = safeUrl(uploaded.downloadUrl)
    return uploaded.downloadUrl
  } catch (err) {
    // auto: the upload is an improvement, not a requirement.
    if (localArchive || settings.archiveTransfer !== 'auto')
      throw err instanceof HttpError ? ctx.scalingo.toActionError(err) : err
    log.warning(
      `${uploadFailure(err)}: handing Scalingo the signed archive URL instead (minted now; it expires in minutes)`
    )
    report.transfer = 'signed URL handed to Scalingo (upload not possible)'
    await waitUntilFree(ctx, prepared.state)
    return ctx.github.signedTarballUrl(github.repo, github.sha)
  }
}

/** The app's deployment stream, opened (if allowed) before the deployment exists. */
async function openStream(
  ctx: RunContext,
  prepared: Prepared,
  knownIds: ReadonlySet<string>
): Promise<LiveStream | undefined> {
  const url = prepared.app.links?.deployments_stream
  if (!url) return undefined
  if (!streamUrlAllowed(url, ctx.settings.apiUrl, isKnownRegion(ctx.settings.region))) {
    log.warning(
      `The app's deployment stream link (${safeUrl(url)}) is not wss on the API's host: not sending the bearer token there; following by polling`
    )
    return undefined
  }
  const stream = new LiveStream(url, ctx.scalingo, knownIds)
  await stream.open(STREAM_OPEN_WAIT_MS)
  return stream
}
