import * as core from '@actions/core'
import * as log from '../lib/log.js'
import { formatDuration } from '../lib/clock.js'
import { describeError } from '../lib/errors.js'
import { cell, cellCode, code, codeBlock, link } from '../lib/markdown.js'
import { scrub } from '../lib/secrets.js'
import { cut, looksLikeStatus, stripAnsi } from '../lib/text.js'
import { describeStatus, isSuccess } from '../scalingo/statuses.js'
import type { RunReport } from './report.js'

/** The job summary: Markdown built from the report, written on success and on failure. */

/** The longest build-log line shown in the summary: 30 of them stay under 16 kB. */
export const TAIL_LINE_CHARS = 500

function headline(r: RunReport): string {
  if (r.skipped) return '⏭️ Scalingo deployment skipped: already live'
  if (r.plan) return '🧪 Scalingo deployment dry run: everything checked, nothing created'
  if (r.error && !r.status) return '❌ Scalingo deployment failed'
  // A status is shown as is when it looks like one (build-error), else as code.
  const status = looksLikeStatus(r.status ?? 'failed') ? (r.status ?? 'failed') : code(r.status ?? '', 60)
  if (r.timedOut) return `⏱️ Scalingo deployment still ${status} at the timeout`
  if (!r.waited && r.status && !isSuccess(r.status)) return `🚀 Scalingo deployment created (${status})`
  if (r.status && isSuccess(r.status)) return '✅ Scalingo deployment succeeded'
  return `❌ Scalingo deployment ${status}`
}

function rows(r: RunReport): [string, string][] {
  const rows: [string, string][] = []
  rows.push(['App', r.appUrl ? link(cellCode(r.app), r.appUrl) : cellCode(r.app)])
  rows.push(['Region', cellCode(r.region)])
  if (r.repository) rows.push(['Repository', cellCode(r.repository)])
  if (r.ref || r.sha)
    rows.push(['Commit', `${r.ref && r.ref !== r.sha ? `${cellCode(r.ref)} → ` : ''}${cellCode(r.sha ?? '?')}`])
  if (r.promotedFrom) rows.push(['Promoted from', cellCode(r.promotedFrom)])
  if (r.status) {
    const words =
      r.status === 'skipped' ? 'already live' : r.status === 'dry-run' ? 'nothing created' : describeStatus(r.status)
    // Our own words for a status we know; anything else came from outside.
    rows.push(['Status', `${cellCode(r.status, 60)} — ${looksLikeStatus(r.status) ? words : cellCode(words)}`])
  }
  if (r.durationSeconds !== undefined) rows.push(['Duration', formatDuration(r.durationSeconds * 1000)])
  if (r.deploymentId) rows.push(['Deployment', cellCode(r.deploymentId)])
  if (r.archiveUrl) rows.push(['Archive', cellCode(r.archiveUrl)])
  if (r.transfer) rows.push(['Transfer', r.transfer])
  if (r.variables) rows.push([`Variables (${r.variablesLabel ?? 'env-file'})`, cellCode(r.variables)])
  if (r.githubDeployment) rows.push(['GitHub deployment', cellCode(r.githubDeployment)])
  if (r.previousSha) rows.push(['Previous commit', cellCode(r.previousSha)])
  if (r.commitUrl) {
    const links = [
      link('commit', r.commitUrl),
      r.compareUrl ? link('changes since the previous commit', r.compareUrl) : ''
    ]
    rows.push(['Changes', links.filter(Boolean).join(' · ')])
  }
  if (r.health)
    rows.push([
      'Health check',
      `${r.health === 'ok' ? '✅ ok' : '❌ failed'}${r.healthDetail ? ` — ${cellCode(r.healthDetail)}` : ''}`
    ])
  if (r.rollback) rows.push(['Rollback', `${r.rolledBack ? '↩️ ' : ''}${cellCode(r.rollback)}`])
  if (r.dashboardUrl) rows.push(['Dashboard', link(r.dashboardUrl, r.dashboardUrl)])
  return rows
}

/** A summary's heading and its two-column table (values already made inert by `cellCode` or `link`). */
export function summaryTable(heading: string, rows: [string, string][]): string {
  return `### ${heading}\n\n| | |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${cell(v)} |`).join('\n')}\n`
}

/** The last lines of a log (build output, a one-off's output), each bounded and without colours, in a fence. */
export function tailBlock(tail: string[] | undefined, what: string): string {
  if (!tail || tail.length === 0) return ''
  // Each line bounded, so the summary stays far under GitHub's 1 MiB limit whatever the log.
  const lines = tail.map(l => cut(stripAnsi(l), TAIL_LINE_CHARS))
  return `\n<details open><summary>Last ${lines.length} lines of ${what}</summary>\n\n${codeBlock(lines)}\n\n</details>\n`
}

/** The job summary as Markdown (pure, so tests read it directly). Everything from outside is inert. */
export function summaryMarkdown(r: RunReport): string {
  let md = summaryTable(headline(r), rows(r))
  if (r.archiveProblems?.length)
    md += `\n**GitHub archive:**\n\n${r.archiveProblems.map(p => `- ${code(p)}`).join('\n')}\n`
  if (r.skipped) md += `\n**Skipped:** ${code(r.skipped)}\n`
  if (r.plan) md += `\n**Plan:**\n\n${r.plan.map(l => `- ${code(l)}`).join('\n')}\n`
  if (r.error) md += `\n**Error:** ${code(r.error)}\n`
  if (!r.waited && r.deploymentId && !r.error) md += `\nNot waited for (\`wait: false\`): follow it on the dashboard.\n`
  md += tailBlock(r.logTail, 'the build output')
  return scrub(md)
}

/** A job summary, written on success and on failure; skipped (not failed) outside a runner. */
export async function writeJobSummary(markdown: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(markdown).write()
  } catch (err) {
    log.warning(`Could not write the job summary: ${describeError(err)}`)
  }
}

/** The deploy action's job summary. */
export function writeSummary(r: RunReport, env: NodeJS.ProcessEnv): Promise<void> {
  return writeJobSummary(summaryMarkdown(r), env)
}
