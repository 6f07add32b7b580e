import * as core from '@actions/core'
import { formatDuration } from '../lib/clock.js'
import { cellCode, code, link } from '../lib/markdown.js'
import { scrub } from '../lib/secrets.js'
import { isSuccess } from '../scalingo/statuses.js'
import type { RunReport } from './report.js'
import { newReport } from './report.js'
import { summaryMarkdown, summaryTable, writeJobSummary } from './summary.js'

/**
 * What a review-app run did: the deploy stages' report, plus the review
 * app's own story (created, addons, variables, after-create, destroyed).
 * Read at the end for the outputs, the job summary and the PR comment.
 */

export type ReviewStatus = 'success' | 'failed' | 'skipped' | 'destroyed' | 'dry-run'

export interface ReviewReport extends RunReport {
  parent: string
  pullRequest?: number
  /** The pull request's branch (text from outside: shown inert). */
  headRef?: string
  created: boolean
  addonsCreated: string[]
  /** Names only. */
  variablesLine?: string
  /** after-create: what happened ('ran: exit 0', 'already ran', 'failed: …'). */
  afterCreate?: string
  /** Set by the stages when the outcome is theirs to say: destroyed, a fork skipped, a dry run. */
  outcome?: ReviewStatus
  /** Why the run did nothing (a fork), or what destroy found. */
  note?: string
  /** Whether the deploy stages ran (their summary is shown). */
  deployed: boolean
}

export function newReviewReport(): ReviewReport {
  return { ...newReport(), parent: '', created: false, addonsCreated: [], deployed: false }
}

/** The one status the outputs, the summary and the comment say. */
export function reviewStatus(r: ReviewReport): ReviewStatus {
  if (r.error) return 'failed'
  if (r.outcome) return r.outcome
  if (r.status === 'skipped') return r.afterCreate?.startsWith('ran') ? 'success' : 'skipped'
  if (r.status && (isSuccess(r.status) || !r.waited)) return 'success'
  return r.deployed ? 'failed' : 'success'
}

export const REVIEW_OUTPUTS = {
  app: 'app',
  appUrl: 'app-url',
  sha: 'sha',
  deploymentId: 'deployment-id',
  created: 'created',
  status: 'status'
} as const

export function setReviewOutputs(r: ReviewReport): void {
  core.setOutput(REVIEW_OUTPUTS.app, r.app)
  core.setOutput(REVIEW_OUTPUTS.appUrl, r.appUrl ?? '')
  core.setOutput(REVIEW_OUTPUTS.sha, r.sha ?? '')
  core.setOutput(REVIEW_OUTPUTS.deploymentId, r.deploymentId ?? '')
  core.setOutput(REVIEW_OUTPUTS.created, String(r.created))
  core.setOutput(REVIEW_OUTPUTS.status, reviewStatus(r))
}

const HEADLINES: Record<ReviewStatus, string> = {
  success: '✅ Review app ready',
  failed: '❌ Review app failed',
  skipped: '⏭️ Review app skipped',
  destroyed: '🗑️ Review app destroyed',
  'dry-run': '🧪 Review app dry run: everything checked, nothing changed'
}

function reviewRows(r: ReviewReport): [string, string][] {
  const rows: [string, string][] = [
    ['Review app', r.appUrl ? link(cellCode(r.app), r.appUrl) : cellCode(r.app || '?')],
    ['Parent', cellCode(r.parent)]
  ]
  if (r.pullRequest) rows.push(['Pull request', `#${r.pullRequest}${r.headRef ? ` ${cellCode(r.headRef, 100)}` : ''}`])
  rows.push(['Status', cellCode(reviewStatus(r))])
  if (r.outcome !== 'destroyed' && r.app) rows.push(['Created this run', r.created ? 'yes' : 'no'])
  if (r.addonsCreated.length) rows.push(['Addons added', cellCode(r.addonsCreated.join(', '))])
  if (r.variablesLine) rows.push(['Variables', cellCode(r.variablesLine)])
  if (r.afterCreate) rows.push(['after-create', cellCode(r.afterCreate)])
  if (r.durationSeconds !== undefined) rows.push(['Duration', formatDuration(r.durationSeconds * 1000)])
  return rows
}

/** The job summary (pure): the review app's table, then the deployment's own summary when one ran. */
export function reviewSummaryMarkdown(r: ReviewReport): string {
  let md = summaryTable(HEADLINES[reviewStatus(r)], reviewRows(r))
  if (r.note) md += `\n${code(r.note)}\n`
  if (r.deployed) md += `\n${summaryMarkdown(r)}`
  else if (r.plan) md += `\n**Plan:**\n\n${r.plan.map(l => `- ${code(l)}`).join('\n')}\n`
  if (!r.deployed && r.error) md += `\n**Error:** ${code(r.error)}\n`
  return scrub(md)
}

export function writeReviewSummary(r: ReviewReport, env: NodeJS.ProcessEnv): Promise<void> {
  return writeJobSummary(reviewSummaryMarkdown(r), env)
}

/** As the summary's, but for a skip, which a comment only ever shows for a commit already live. */
const COMMENT_HEADLINES: Record<ReviewStatus, string> = {
  ...HEADLINES,
  skipped: '⏭️ Review app unchanged: this commit is already live'
}

/** The pull request comment's Markdown (pure, below the marker): everything from outside is inert. */
export function reviewCommentMarkdown(r: ReviewReport, dashboardUrl: string): string {
  const status = reviewStatus(r)
  const heading = `${COMMENT_HEADLINES[status]}: ${code(r.app)}`
  if (status === 'destroyed')
    return scrub(`### ${heading}\n\n${code(r.app)} was destroyed with its addons${r.note ? ` (${code(r.note)})` : ''}.`)
  const rows: [string, string][] = []
  if (r.appUrl) rows.push(['App', link(r.appUrl, r.appUrl)])
  if (r.sha) rows.push(['Commit', cellCode(r.sha.slice(0, 7))])
  rows.push(['Status', cellCode(status === 'failed' && r.status ? `${status} (${r.status})` : status)])
  rows.push(['Dashboard', link(dashboardUrl, dashboardUrl)])
  let md = summaryTable(heading, rows)
  if (status === 'failed' && r.error) md += `\n**Error:** ${code(r.error, 500)}`
  return scrub(md)
}
