import * as log from '../lib/log.js'
import { hasFailed } from '../scalingo/statuses.js'
import type { RunReport } from '../report/report.js'
import type { GitHubDeploymentState } from '../github/deployments.js'
import type { RunContext } from './context.js'

/** The end of every run, success or not: the GitHub deployment's last status, what the HTTP layer saw, and its sockets closed. */

/** The GitHub deployment's last state, from what happened; undefined leaves it in progress (not waited for). */
export function githubDeploymentState(report: RunReport): GitHubDeploymentState | undefined {
  if (report.health === 'failed') return 'failure'
  if (report.status === 'success') return 'success'
  if (report.status && hasFailed(report.status) && !report.timedOut) return 'failure'
  return report.waited ? 'error' : undefined
}

/** The GitHub deployment's last words. */
export function githubDeploymentDescription(report: RunReport): string {
  if (report.health === 'failed') {
    return report.rolledBack ? `Health check failed; rolled back to ${report.previousSha}` : 'Health check failed'
  }
  return `Scalingo ${report.status ?? 'failed'}`
}

/** A run cut short (cancelled, or an unexpected failure): its GitHub deployment ends `error`, then the sockets close. */
export async function cancelled(ctx: RunContext): Promise<void> {
  if (ctx.githubDeployment?.created) {
    ctx.http.deadline = Math.max(ctx.http.deadline ?? 0, ctx.clock.now() + 5_000)
    const description = ctx.report.error?.startsWith('cancelled') ? 'cancelled' : 'the action failed unexpectedly'
    await ctx.githubDeployment.recordStatus('error', { environmentUrl: ctx.report.appUrl, description })
  }
  ctx.http.dispose()
}

export async function conclude(ctx: RunContext): Promise<void> {
  const { http, report } = ctx
  log.debug(`${http.requestCount} requests made`)
  if (http.rateLimited > 0) {
    log.info(
      `(Scalingo answered 429 ${http.rateLimited} times: an account gets about 60 API requests a minute; in a matrix, lower max-parallel)`
    )
  }
  const state = githubDeploymentState(report)
  if (ctx.githubDeployment?.created && state) {
    // The record is finished even when the run ended at the timeout.
    http.deadline = Math.max(http.deadline ?? 0, ctx.clock.now() + 10_000)
    await ctx.githubDeployment.recordStatus(state, {
      environmentUrl: report.appUrl,
      description: githubDeploymentDescription(report)
    })
  }
  http.dispose()
}
