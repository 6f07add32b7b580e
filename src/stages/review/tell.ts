import { commentMarker, upsertComment } from '../../github/comments.js'
import { isFork } from '../../github/pulls.js'
import { reviewCommentMarkdown } from '../../report/reviewapp.js'
import { dashboardUrl } from '../../scalingo/regions.js'
import type { ReviewContext } from './context.js'

/**
 * The pull request's comment, once per run at its end: created the first
 * time, then updated in place. Not for a fork's pull request unless
 * `forks: true` (nothing was made for it, and on `pull_request` its token
 * cannot write), nor for a dry run (nothing changed).
 */
export async function commentOnPullRequest(ctx: ReviewContext): Promise<void> {
  const { settings: s, report } = ctx
  if (!s.comment || report.outcome === 'skipped' || report.outcome === 'dry-run') return
  if (ctx.pr && isFork(ctx.pr) && !s.forks) return
  // A run cut by its timeout still says how it ended.
  ctx.http.deadline = Math.max(ctx.http.deadline ?? 0, ctx.clock.now() + 10_000)
  const body = reviewCommentMarkdown(report, dashboardUrl(s.target.region, s.name))
  await upsertComment(ctx.github, s.github.repository, s.pullRequest, commentMarker(s.name), body)
}
