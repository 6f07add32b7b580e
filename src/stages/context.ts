import * as log from '../lib/log.js'
import { GitHubClient } from '../github/client.js'
import type { GitHubDeployment } from '../github/deployments.js'
import { type Clock, formatDuration } from '../lib/clock.js'
import { Http } from '../lib/http.js'
import { USER_AGENT } from '../lib/version.js'
import { ScalingoClient } from '../scalingo/client.js'
import type { RunReport } from '../report/report.js'
import type { Settings } from '../settings/settings.js'

/** What every stage works with: instead of a dozen locals handed down and back up. */
export interface RunContext {
  settings: Settings
  env: NodeJS.ProcessEnv
  clock: Clock
  /** ms since epoch: when the run started, and when it must end (the timeout). */
  startedAt: number
  deadline: number
  http: Http
  scalingo: ScalingoClient
  github: GitHubClient
  report: RunReport
  /** The GitHub deployment recorded for `environment`, finished at the end of the run. */
  githubDeployment?: GitHubDeployment
}

/** The HTTP layer every action's requests go through: our User-Agent, its retries told in the log, ending by `deadline`. */
export function actionHttp(clock: Clock, deadline: number): Http {
  const http = new Http({
    userAgent: USER_AGENT,
    clock,
    onRetry: ({ attempt, delayMs, reason }) =>
      log.info(`(${reason}; retrying in ${formatDuration(delayMs)}, attempt ${attempt + 1})`)
  })
  // Every request, not only the follow loop, ends by the timeout.
  http.deadline = deadline
  return http
}

export function createContext(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  clock: Clock,
  report: RunReport,
  startedAt: number,
  /** The HTTP layer of an action that made requests before these stages (the review app's). */
  shared?: Http
): RunContext {
  const deadline = startedAt + settings.timeoutSeconds * 1000
  const http = shared ?? actionHttp(clock, deadline)
  log.debug(
    `settings: app=${settings.app} region=${settings.region} api-url=${settings.apiUrl} auth-url=${settings.authUrl} ` +
      `ref=${settings.ref || '(none)'} wait=${settings.wait} timeout=${settings.timeoutSeconds}s github-api=${settings.githubApiUrl}`
  )
  Object.assign(report, { app: settings.app, region: settings.region, waited: settings.wait })
  if (env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
    log.warning(
      'NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the job environment: TLS certificates are not checked, and the API token is sent anyway; unset it'
    )
  }
  const { app, region, apiUrl, authUrl, apiToken } = settings
  const scalingo = new ScalingoClient(http, { app, region, apiUrl, authUrl, apiToken, clock })
  const github = new GitHubClient(http, { apiUrl: settings.githubApiUrl, token: settings.githubToken })
  return { settings, env, clock, startedAt, deadline, http, scalingo, github, report }
}
