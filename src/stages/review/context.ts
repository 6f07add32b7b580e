import { GitHubClient } from '../../github/client.js'
import type { PullRequest } from '../../github/pulls.js'
import type { Clock } from '../../lib/clock.js'
import type { Http } from '../../lib/http.js'
import type { ReviewReport } from '../../report/reviewapp.js'
import { ScalingoClient } from '../../scalingo/client.js'
import { type EnvVariable, mergeVariables } from '../../settings/dotenv.js'
import { INPUTS, REVIEW_INPUTS } from '../../settings/inputs.js'
import type { ReviewAppSettings } from '../../settings/reviewapp.js'
import { type RunContext, actionHttp } from '../context.js'
import { readEnvFile } from '../workspace.js'

/** What the review-app stages work with. */
export interface ReviewContext {
  settings: ReviewAppSettings
  env: NodeJS.ProcessEnv
  clock: Clock
  startedAt: number
  deadline: number
  http: Http
  /** The parent's client (the token's account); `review` shares its bearer. */
  parent: ScalingoClient
  review: ScalingoClient
  github: GitHubClient
  report: ReviewReport
  /** Aborted on cancellation. */
  stop: AbortController
  /** env-file, then `variables` over it: read before any request. */
  overrides: EnvVariable[]
  /** The pull request, once known. */
  pr?: PullRequest
  /** The deploy stages' context, once they run. */
  deploy?: RunContext
}

/** The env-file and `variables`, merged; values masked. Local, so a bad file fails before any request. */
function readOverrides(s: ReviewAppSettings): EnvVariable[] {
  const { envFile, variables, workspace } = s.behaviour
  return mergeVariables(envFile ? readEnvFile(envFile, workspace).variables : [], variables)
}

export function createReviewContext(
  settings: ReviewAppSettings,
  env: NodeJS.ProcessEnv,
  clock: Clock,
  report: ReviewReport,
  startedAt: number,
  stop: AbortController
): ReviewContext {
  const overrides = readOverrides(settings)
  const deadline = startedAt + settings.behaviour.timeoutSeconds * 1000
  const http = actionHttp(clock, deadline)
  const t = settings.target
  const inputs = { app: REVIEW_INPUTS.parent, region: INPUTS.region, token: INPUTS.apiToken }
  const parent = new ScalingoClient(http, { ...t, clock, inputs })
  const review = parent.forApp(settings.name, { ...inputs, app: REVIEW_INPUTS.name })
  const github = new GitHubClient(http, { apiUrl: settings.github.apiUrl, token: settings.github.token })
  Object.assign(report, {
    app: settings.name,
    parent: t.app,
    region: t.region,
    pullRequest: settings.pullRequest,
    waited: settings.behaviour.wait
  })
  return { settings, env, clock, startedAt, deadline, http, parent, review, github, report, stop, overrides }
}
