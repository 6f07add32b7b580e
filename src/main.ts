import * as core from '@actions/core'
import { type Clock, formatDuration, systemClock } from './clock.js'
import { createDeploymentOnce, latestSuccess } from './deployment.js'
import { ActionError, describeError } from './errors.js'
import { followDeployment } from './follow.js'
import { type Source, resolveSource } from './github.js'
import { inspectArchive } from './archive.js'
import { findPromotedCommit } from './promotion.js'
import { checkArchive, chooseTransfer, uploadThroughSources } from './transfer.js'
import { Http, safeUrl } from './http.js'
import { type Settings, isFullSha, readSettings } from './inputs.js'
import { BuildLog } from './buildlog.js'
import { type RunReport, dashboardUrl, dryRunPlan, mostTellingLine, printLines, setOutputs, writeSummary } from './report.js'
import { ScalingoClient } from './scalingo.js'
import { applyEnvFile } from './envfile.js'
import { GitHubDeployment, runUrl } from './github-deployments.js'
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
  registerSecret(core.getInput('promote-from-api-token'))

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
    const app = await client.getApp()
    report.appUrl = app.url || app.base_url || undefined
    const gitRef = source.sha || ref || null

    // Already live? A re-run does not rebuild what is running.
    if (!settings.force && source.sha) {
      const live = await latestSuccess(client)
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

    if (settings.envFile) report.variables = await applyEnvFile(client, settings.envFile.variables, settings.envFile.path)

    if (settings.environment && !settings.sourceUrl) {
      ghDeployment = new GitHubDeployment(githubApi, settings.repository, settings.environment)
      await ghDeployment.create(source.sha, `Scalingo ${settings.app} (${settings.region})`)
      report.githubDeployment = ghDeployment.describe()
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
        fallbackToUrl: !settings.archivePath && settings.archiveTransfer === 'auto',
        onUploaded: bytes => (report.transfer = `uploaded through Scalingo's sources API (${bytes} bytes)`)
      })
      if (!uploaded) report.transfer = 'signed URL handed to Scalingo (upload not possible)'
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
    if (http) {
      core.debug(`${http.requestCount} requests made`)
      if (http.rateLimited > 0) {
        core.info(
          `(Scalingo answered 429 ${http.rateLimited} times: an account gets about 60 API requests a minute; in a matrix, lower max-parallel)`
        )
      }
    }
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
