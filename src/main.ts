import * as core from '@actions/core'
import { type Clock, formatDuration, systemClock } from './clock.js'
import { createDeploymentOnce } from './deployment.js'
import { ActionError, HttpError, describeError } from './errors.js'
import { followDeployment } from './follow.js'
import { type GitHubApi, type Source, resolveSource, signedTarballUrl } from './github.js'
import { inspectArchive, saveTo } from './archive.js'
import { mkdtemp } from 'node:fs/promises'
import { statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Http, safeUrl } from './http.js'
import { type EnvVariable, type Settings, isFullSha, readSettings } from './inputs.js'
import { BuildLog } from './buildlog.js'
import { type RunReport, dashboardUrl, mostTellingLine, printLines, setOutputs, writeSummary } from './report.js'
import { type Deployment, ScalingoClient } from './scalingo.js'
import { diffVariables } from './envfile.js'
import { GitHubDeployment } from './github-deployments.js'
import { registerSecret, registerSecretUrl } from './secrets.js'
import { describeStatus, hasFailed, isSuccess, statusHint } from './statuses.js'
import { USER_AGENT } from './version.js'

/** The signed source URL is only a secret when it carries credentials. */
function sourceFromUrl(settings: Settings): Source {
  const url = settings.sourceUrl as string
  const u = new URL(url)
  if (u.search || u.username || u.password) registerSecretUrl(url)
  return {
    sha: isFullSha(settings.ref) ? settings.ref.toLowerCase() : '',
    sourceUrl: url,
    archiveUrl: safeUrl(url),
    visibility: 'unknown'
  }
}

export async function run(env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): Promise<void> {
  const startedAt = clock.now()
  // Secrets are masked the moment they are read, before anything can print them.
  registerSecret(core.getInput('api-token'))
  registerSecret(core.getInput('github-token'))

  const report: RunReport = { app: core.getInput('app'), region: core.getInput('region') || 'osc-fr1', waited: true }
  let http: Http | undefined
  let ghDeployment: GitHubDeployment | undefined
  let phase: 'preparing' | 'creating' | 'created' = 'preparing'
  const stopSignals = onCancel(signal => {
    // The runner sends SIGINT, then SIGTERM, then kills: say what is left running, quickly.
    const how = `scalingo --region ${report.region} --app ${report.app} deployment-follow`
    report.error =
      phase === 'created'
        ? `cancelled (${signal}): deployment ${report.deploymentId} is still ${report.status ?? 'running'} on Scalingo and was not stopped; follow it with: ${how}`
        : phase === 'creating'
          ? `cancelled (${signal}) while creating the deployment: it may have been created; check the app's deployments (${how})`
          : `cancelled (${signal}) before any deployment was created`
    core.setFailed(report.error)
    http?.dispose()
    setOutputs(report)
    void writeSummary(report).finally(() => process.exit(1))
  })
  try {
    const settings = readSettings(name => core.getInput(name), env)
    report.app = settings.app
    report.region = settings.region
    report.waited = settings.wait
    report.dashboardUrl = dashboardUrl(settings.region, settings.app)
    const deadline = startedAt + settings.timeoutSeconds * 1000
    core.debug(
      `settings: app=${settings.app} region=${settings.region} api-url=${settings.apiUrl} auth-url=${settings.authUrl} ` +
        `ref=${settings.ref || '(none)'} wait=${settings.wait} timeout=${settings.timeoutSeconds}s github-api=${settings.githubApiUrl}`
    )

    http = new Http({
      userAgent: USER_AGENT,
      clock,
      onRetry: ({ attempt, delayMs, reason }) => core.info(`(${reason}; retrying in ${formatDuration(delayMs)}, attempt ${attempt + 1})`)
    })
    // Every request, not only the follow loop, ends by the timeout.
    http.deadline = deadline

    for (const v of settings.envFile?.variables ?? []) registerSecret(v.value)
    // A local archive is input too: checked before any request.
    const localArchive = settings.archivePath ? await inspectArchive(settings.archivePath) : undefined
    const githubApi = { http, apiUrl: settings.githubApiUrl, token: settings.githubToken }

    // Promotion: the commit is the one running on another app.
    let ref = settings.ref
    if (settings.promoteFrom) {
      const p = settings.promoteFrom
      const staging = new ScalingoClient(http, {
        apiUrl: p.apiUrl,
        authUrl: settings.authUrl,
        apiToken: p.apiToken,
        app: p.app,
        region: p.region,
        clock
      })
      if (p.apiToken !== settings.apiToken) registerSecret(p.apiToken)
      const promoted = await findPromotedCommit(staging)
      ref = promoted.sha
      report.promotedFrom = `${p.app} (deployment ${promoted.deployment.id}${promoted.deployment.created_at ? `, ${promoted.deployment.created_at}` : ''})`
      core.info(
        `Promoting ${promoted.sha} from ${p.app}: its latest successful deployment ${promoted.deployment.id}${promoted.deployment.created_at ? `, created ${promoted.deployment.created_at}` : ''}`
      )
    }

    // Source: what exactly ships.
    let source: Source
    if (settings.archivePath && localArchive) {
      source = { sha: isFullSha(ref) ? ref.toLowerCase() : '', sourceUrl: '', archiveUrl: '', visibility: 'unknown' }
      core.info(
        `Deploying the local archive ${settings.archivePath} (${localArchive.bytes} bytes, folder ${localArchive.root}/ at its root)`
      )
    } else if (settings.sourceUrl) {
      source = sourceFromUrl(settings)
      core.info(`Deploying ${source.archiveUrl} (source-url given: GitHub is not consulted)`)
    } else {
      const repo = settings.repository
      report.repository = `${repo.owner}/${repo.repo}`
      report.ref = ref
      source = await resolveSource(githubApi, settings.githubServerUrl, repo, ref)
      const how = ref === source.sha ? source.sha : `${ref} → ${source.sha}`
      core.info(`Deploying ${report.repository}@${how}`)
    }
    report.sha = source.sha || undefined
    report.archiveUrl = source.archiveUrl

    // Session.
    const client = new ScalingoClient(http, {
      apiUrl: settings.apiUrl,
      authUrl: settings.authUrl,
      apiToken: settings.apiToken,
      app: settings.app,
      region: settings.region,
      clock
    })
    await client.exchange()
    const app = await client.getApp(deadline)
    report.appUrl = app.url || app.base_url || undefined
    const gitRef = source.sha || ref || null

    // Already live? A re-run does not rebuild what is running.
    if (!settings.force && source.sha) {
      const live = await latestSuccess(client, deadline)
      if (live && live.git_ref === source.sha) {
        report.status = 'skipped'
        report.deploymentId = live.id
        report.skipped = `${source.sha} is already live on ${settings.app} (deployment ${live.id}${live.created_at ? `, ${live.created_at}` : ''}); set force: true to deploy it again`
        core.info(`Skipped: ${report.skipped}`)
        return
      }
    }

    const transfer: 'url' | 'upload' = settings.archivePath
      ? 'upload'
      : settings.sourceUrl
        ? 'url'
        : chooseTransfer(settings.archiveTransfer, source.visibility)

    if (settings.dryRun) {
      if (!settings.archivePath) await checkArchive(http, source)
      const plan = dryRunPlan(settings, source, gitRef)
      plan.splice(
        3,
        0,
        transfer === 'upload'
          ? 'transfer: the archive would be uploaded through Scalingo’s sources API'
          : 'transfer: Scalingo would fetch the archive URL'
      )
      report.status = 'dry-run'
      report.plan = plan
      core.info(`Dry run: everything checked, nothing created.\n${plan.map(l => `  ${l}`).join('\n')}`)
      return
    }

    if (settings.envFile) await applyEnvFile(client, settings.envFile.variables, settings.envFile.path)

    if (settings.environment && !settings.sourceUrl) {
      ghDeployment = new GitHubDeployment(githubApi, settings.repository, settings.environment)
      await ghDeployment.create(source.sha, `Scalingo ${settings.app} (${settings.region})`)
      await ghDeployment.status('in_progress', { logUrl: runUrl(env, settings), description: `Deploying to Scalingo app ${settings.app}` })
    }

    if (transfer === 'upload') {
      const uploaded = await uploadThroughSources({
        http,
        client,
        githubApi,
        settings,
        source,
        localPath: settings.archivePath,
        fallbackToUrl: !settings.archivePath && settings.archiveTransfer === 'auto'
      })
      if (uploaded) {
        source.sourceUrl = uploaded
        if (settings.archivePath) report.archiveUrl = source.archiveUrl = safeUrl(uploaded)
      }
    }

    // Deployment: created at most once.
    phase = 'creating'
    const { deployment } = await createDeploymentOnce(client, gitRef, source.sourceUrl, clock)
    phase = 'created'
    report.deploymentId = deployment.id
    report.status = deployment.status
    core.setOutput('deployment-id', deployment.id)
    core.info(`Created deployment ${deployment.id} of ${settings.app} (${settings.region}): ${deployment.status}`)

    if (!settings.wait) {
      core.info('wait is false: not following the deployment')
      return
    }

    const log = new BuildLog()
    const result = await followDeployment({
      client,
      deployment,
      deadline,
      clock,
      log,
      streamUrl: app.links?.deployments_stream,
      userAgent: USER_AGENT,
      onStatus: (status, previous) => {
        report.status = status
        const at = formatDuration(clock.now() - startedAt)
        core.info(`[${at}] ${previous ? `${previous} → ` : ''}${status}: ${describeStatus(status)}`)
      }
    })
    core.debug(
      `followed with ${result.streamUsed ? 'the live stream' : 'polling only'}: ${result.polls} status polls, ` +
        `${result.outputFetches} output fetches, ${result.transientErrors} transient errors, ${log.lines} log lines`
    )
    const final = result.deployment
    report.status = final.status
    report.durationSeconds = final.duration && final.duration > 0 ? final.duration : Math.round((clock.now() - startedAt) / 1000)

    if (result.timedOut) {
      report.timedOut = true
      throw new ActionError(
        `deployment ${final.id} is still ${final.status} after ${formatDuration(settings.timeoutSeconds * 1000)} (the timeout); it was not cancelled`,
        `follow it with: scalingo --region ${settings.region} --app ${settings.app} deployment-follow${report.dashboardUrl ? `, or on ${report.dashboardUrl}` : ''}`
      )
    }

    if (hasFailed(final.status)) {
      const tail = log.lastLines()
      if (tail.length > 0) {
        report.logTail = tail
        core.info(`Last ${tail.length} lines of the build output:`)
        printLines(tail)
      }
      const telling = mostTellingLine(tail)
      throw new ActionError(
        `deployment ${final.id} ended with ${final.status}: ${describeStatus(final.status)}${telling ? ` — ${telling}` : ''}`,
        statusHint(final.status),
        `Scalingo ${final.status}`
      )
    }
    if (isSuccess(final.status)) {
      core.info(`✅ ${settings.app} is running ${source.sha || gitRef || 'the new version'}${report.appUrl ? ` at ${report.appUrl}` : ''}`)
    }
  } catch (err) {
    report.error = describeError(err)
    // One annotation: titled when the error has a title (a failed deployment).
    if (err instanceof ActionError && err.title) {
      core.error(report.error, { title: err.title })
      process.exitCode = 1
    } else {
      core.setFailed(report.error)
    }
    if (!(err instanceof ActionError) && err instanceof Error && err.stack) core.debug(describeError(err.stack))
  } finally {
    stopSignals()
    if (ghDeployment?.created) {
      const state =
        report.status === 'success'
          ? 'success'
          : report.status && hasFailed(report.status) && !report.timedOut
            ? 'failure'
            : report.waited
              ? 'error'
              : 'in_progress'
      if (state !== 'in_progress') {
        await ghDeployment.status(state, { environmentUrl: report.appUrl, description: `Scalingo ${report.status ?? 'failed'}` })
      }
    }
    http?.dispose()
    setOutputs(report)
    await writeSummary(report)
  }
}

/** Calls `handler` once on SIGINT or SIGTERM; returns a function that removes it. */
function onCancel(handler: (signal: NodeJS.Signals) => void): () => void {
  let fired = false
  const listener = (signal: NodeJS.Signals): void => {
    if (fired) return
    fired = true
    handler(signal)
  }
  process.on('SIGINT', listener)
  process.on('SIGTERM', listener)
  return () => {
    process.off('SIGINT', listener)
    process.off('SIGTERM', listener)
  }
}

/** The latest successful deployment of the promoted app, and its commit. */
async function findPromotedCommit(staging: ScalingoClient): Promise<{ sha: string; deployment: Deployment }> {
  const app = staging.config.app
  await staging.exchange()
  const live = (await staging.listDeployments(50)).find(d => d.status === 'success')
  if (!live) throw new ActionError(`app "${app}" has no successful deployment to promote`, 'deploy it there first, or check promote-from')
  const sha = live.git_ref ?? ''
  if (!isFullSha(sha)) {
    throw new ActionError(
      `the latest successful deployment of "${app}" (${live.id}) has git_ref ${JSON.stringify(sha)}, not a commit SHA: cannot tell which commit to promote`
    )
  }
  return { sha: sha.toLowerCase(), deployment: live }
}

/** A HEAD proves GitHub serves the archive (public); a signed URL was already handed out (private). */
async function checkArchive(http: Http, source: Source): Promise<void> {
  if (source.visibility !== 'public') return
  const res = await http.request({
    method: 'HEAD',
    url: source.sourceUrl,
    retry: 'idempotent',
    accept: [301, 302, 303, 307, 308, 404, 403]
  })
  if (res.status >= 400) throw new ActionError(`GitHub does not serve the archive ${source.archiveUrl} (${res.status})`)
}

function dryRunPlan(settings: Settings, source: Source, gitRef: string | null): string[] {
  const plan = [
    `app: ${settings.app} in ${settings.region} (${settings.apiUrl}) — found, token accepted`,
    `commit: ${source.sha || '(not a GitHub commit)'}${gitRef && gitRef !== source.sha ? ` (git_ref ${gitRef})` : ''}`,
    `archive: ${source.archiveUrl}${source.visibility === 'private' || source.visibility === 'internal' ? ' (private: a signed URL would be handed to Scalingo)' : ''} — served`
  ]
  if (settings.envFile)
    plan.push(
      `env-file: ${settings.envFile.variables.length} variables would be set (${settings.envFile.variables.map(v => v.name).join(', ') || 'none'})`
    )
  if (settings.environment) plan.push(`GitHub deployment: would be recorded in "${settings.environment}"`)
  plan.push(settings.wait ? `then follow it for up to ${formatDuration(settings.timeoutSeconds * 1000)}` : 'then return without waiting')
  return plan
}

/** Sets the env-file's variables in one bulk call; logs names only. */
async function applyEnvFile(client: ScalingoClient, variables: EnvVariable[], path: string): Promise<void> {
  const current = await client.listVariables()
  const { added, changed, unchanged } = diffVariables(current, variables)
  if (added.length + changed.length === 0) {
    core.info(`env-file ${path}: ${unchanged.length} variables, all already set`)
    return
  }
  await client.setVariables(variables.filter(v => added.includes(v.name) || changed.includes(v.name)))
  core.info(
    `env-file: ${added.length ? `added ${added.join(', ')}` : ''}${added.length && changed.length ? '; ' : ''}${changed.length ? `changed ${changed.join(', ')}` : ''}` +
      `${unchanged.length ? ` (${unchanged.length} unchanged)` : ''}`
  )
}

/** The workflow run's page, for the GitHub deployment's log link. */
function runUrl(env: NodeJS.ProcessEnv, settings: Settings): string | undefined {
  if (!env.GITHUB_RUN_ID || !env.GITHUB_REPOSITORY) return undefined
  return `${settings.githubServerUrl}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
}

/** `archive-transfer: auto`: public archives by URL; private ones uploaded (GitHub's signed URL expires in minutes). */
export function chooseTransfer(setting: Settings['archiveTransfer'], visibility: Source['visibility']): 'url' | 'upload' {
  if (setting === 'url' || setting === 'upload') return setting
  return visibility === 'private' || visibility === 'internal' ? 'upload' : 'url'
}

/**
 * Uploads an archive through Scalingo's sources API and returns its signed
 * download URL: the local file, or GitHub's tarball downloaded to the
 * runner first. Streams both ways. Returns undefined when `auto` may fall
 * back to handing Scalingo the URL (the sources API is not there).
 */
async function uploadThroughSources(opts: {
  http: Http
  client: ScalingoClient
  githubApi: GitHubApi
  settings: Settings
  source: Source
  localPath?: string
  fallbackToUrl: boolean
}): Promise<string | undefined> {
  const { http, client, settings, source } = opts
  try {
    // The upload target first: without a sources API there is nothing to download for.
    const target = await client.createSource()
    const path = opts.localPath ?? (await downloadArchive(http, opts.githubApi, settings, source))
    const size = statSync(path).size
    await http.putFile(target.uploadUrl, path, size, 'application/x-gzip')
    core.info(`Uploaded the archive (${size} bytes) through Scalingo's sources API`)
    return target.downloadUrl
  } catch (err) {
    if (!opts.fallbackToUrl) throw err instanceof HttpError ? client.explain(err) : err
    // auto: the upload is an improvement, not a requirement.
    const missing = err instanceof HttpError && (err.status === 404 || err.status === 405 || err.status === 501)
    const why = missing
      ? `Scalingo's sources API is not available (${(err as HttpError).status})`
      : `the upload failed (${describeError(err)})`
    core.warning(`${why}: handing Scalingo the signed archive URL instead, which expires in minutes`)
    return undefined
  }
}

/** GitHub's tarball of the commit, streamed to a file in the runner's temp dir and checked. */
async function downloadArchive(http: Http, githubApi: GitHubApi, settings: Settings, source: Source): Promise<string> {
  const location = source.visibility === 'public' ? await signedTarballUrl(githubApi, settings.repository, source.sha) : source.sourceUrl
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'scalingo-archive-'))
  const path = join(dir, `${source.sha}.tar.gz`)
  const body = await http.open({ method: 'GET', url: location, headers: { Accept: 'application/octet-stream' } })
  if ((body.statusCode ?? 0) !== 200) {
    body.resume()
    throw new ActionError(`downloading the archive of ${source.sha} from GitHub failed (${body.statusCode})`)
  }
  const bytes = await saveTo(body, path)
  await inspectArchive(path, 'archive')
  core.info(`Downloaded the archive of ${source.sha} (${bytes} bytes) to upload it`)
  return path
}

/** The app's latest successful deployment; a listing that fails only costs the check. */
async function latestSuccess(client: ScalingoClient, deadline: number): Promise<Deployment | undefined> {
  try {
    return (await client.listDeployments(20, deadline)).find(d => d.status === 'success')
  } catch (err) {
    core.warning(`Could not check whether this commit is already live (${describeError(err)}); deploying it`)
    return undefined
  }
}
