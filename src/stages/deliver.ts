import * as core from '@actions/core'
import { GitHubDeployment } from '../github/deployments.js'
import { HttpError } from '../lib/errors.js'
import { safeUrl } from '../lib/urls.js'
import type { Deployment } from '../scalingo/client.js'
import type { RunContext } from './context.js'
import { createDeploymentOnce } from './create.js'
import type { Prepared } from './prepare.js'
import { type ArchiveOrigin, uploadFailure, uploadThroughSources } from './transfer.js'
import { applyVariables } from './variables.js'

/**
 * The changes, in order: variables (one bulk call), the GitHub deployment
 * record, the archive handed over (URL or upload), and the deployment,
 * created at most once.
 */

export interface Delivered {
  deployment: Deployment
}

export async function deliver(ctx: RunContext, prepared: Prepared): Promise<Delivered> {
  const { settings, report } = ctx
  if (prepared.envFile)
    report.variables = await applyVariables(ctx.scalingo, prepared.envFile.variables, prepared.envFile.path)
  await recordGitHubDeployment(ctx, prepared)
  const sourceUrl = await handOverArchive(ctx, prepared)

  report.stage = 'creating'
  const { deployment } = await createDeploymentOnce(ctx.scalingo, prepared.gitRef, sourceUrl, ctx.clock)
  report.stage = 'created'
  report.deploymentId = deployment.id
  report.status = deployment.status
  core.info(`Created deployment ${deployment.id} of ${settings.app} (${settings.region}): ${deployment.status}`)
  return { deployment }
}

/** `environment`: a GitHub deployment, in progress until the end of the run. */
async function recordGitHubDeployment(ctx: RunContext, prepared: Prepared): Promise<void> {
  const { settings, report, env } = ctx
  if (!settings.environment || settings.sourceUrl) return
  const record = new GitHubDeployment(ctx.github, settings.repository, settings.environment)
  ctx.githubDeployment = record
  await record.create(prepared.source.sha, `Scalingo ${settings.app} (${settings.region})`)
  report.githubDeployment = record.describe()
  const logUrl =
    env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY
      ? `${settings.githubServerUrl}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined
  await record.recordStatus('in_progress', { logUrl, description: `Deploying to Scalingo app ${settings.app}` })
}

/** The URL Scalingo will fetch: the archive's own, or the signed download URL of an upload. */
async function handOverArchive(ctx: RunContext, prepared: Prepared): Promise<string> {
  const { settings, report } = ctx
  const { source, localArchive } = prepared
  if (prepared.transfer === 'url') return source.sourceUrl
  const origin: ArchiveOrigin = localArchive
    ? { kind: 'file', path: localArchive.path }
    : { kind: 'github', github: ctx.github, repo: settings.repository, source, tempDir: ctx.env.RUNNER_TEMP ?? '' }
  try {
    const uploaded = await uploadThroughSources(ctx.http, ctx.scalingo, origin)
    report.transfer = `uploaded through Scalingo's sources API (${uploaded.bytes} bytes)`
    if (localArchive) report.archiveUrl = safeUrl(uploaded.downloadUrl)
    return uploaded.downloadUrl
  } catch (err) {
    // auto: the upload is an improvement, not a requirement.
    const mayFallBack = !localArchive && settings.archiveTransfer === 'auto'
    if (!mayFallBack) throw err instanceof HttpError ? ctx.scalingo.toActionError(err) : err
    core.warning(`${uploadFailure(err)}: handing Scalingo the signed archive URL instead, which expires in minutes`)
    report.transfer = 'signed URL handed to Scalingo (upload not possible)'
    return source.sourceUrl
  }
}
