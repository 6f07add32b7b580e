import * as core from '@actions/core'
import { formatDuration } from '../lib/clock.js'
import { scrub } from '../lib/secrets.js'
import { describeStatus, isSuccess } from '../scalingo/statuses.js'
import type { RunReport } from './report.js'

/** The job summary: Markdown built from the report, written on success and on failure. */

/** The longest build-log line shown in the summary: 30 of them stay under 16 kB. */
export const TAIL_LINE_CHARS = 500

function escapeCell(v: string): string {
  return v.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ')
}

function headline(r: RunReport): string {
  if (r.skipped) return '⏭️ Scalingo deployment skipped: already live'
  if (r.plan) return '🧪 Scalingo deployment dry run: everything checked, nothing created'
  if (r.error && !r.status) return '❌ Scalingo deployment failed'
  if (r.timedOut) return `⏱️ Scalingo deployment still ${r.status} at the timeout`
  if (!r.waited && r.status && !isSuccess(r.status)) return `🚀 Scalingo deployment created (${r.status})`
  if (r.status && isSuccess(r.status)) return '✅ Scalingo deployment succeeded'
  return `❌ Scalingo deployment ${r.status ?? 'failed'}`
}

/** The job summary as Markdown (pure, so tests read it directly). */
export function summaryMarkdown(r: RunReport): string {
  const rows: [string, string][] = []
  rows.push(['App', r.appUrl ? `[${r.app}](${r.appUrl})` : r.app])
  rows.push(['Region', r.region])
  if (r.repository) rows.push(['Repository', r.repository])
  if (r.ref || r.sha) {
    const ref = r.ref && r.ref !== r.sha ? `\`${r.ref}\` → ` : ''
    rows.push(['Commit', `${ref}\`${r.sha ?? '?'}\``])
  }
  if (r.promotedFrom) rows.push(['Promoted from', r.promotedFrom])
  if (r.status) {
    const words =
      r.status === 'skipped' ? 'already live' : r.status === 'dry-run' ? 'nothing created' : describeStatus(r.status)
    rows.push(['Status', `\`${r.status}\` — ${words}`])
  }
  if (r.durationSeconds !== undefined) rows.push(['Duration', formatDuration(r.durationSeconds * 1000)])
  if (r.deploymentId) rows.push(['Deployment', `\`${r.deploymentId}\``])
  if (r.archiveUrl) rows.push(['Archive', r.archiveUrl])
  if (r.transfer) rows.push(['Transfer', r.transfer])
  if (r.variables) rows.push([`Variables (${r.variablesLabel ?? 'env-file'})`, r.variables])
  if (r.githubDeployment) rows.push(['GitHub deployment', r.githubDeployment])
  if (r.dashboardUrl) rows.push(['Dashboard', `[${r.dashboardUrl}](${r.dashboardUrl})`])
  let md = `### ${headline(r)}\n\n| | |\n|---|---|\n`
  md += rows.map(([k, v]) => `| ${k} | ${escapeCell(v)} |`).join('\n')
  md += '\n'
  if (r.archiveProblems?.length) md += `\n**GitHub archive:**\n\n${r.archiveProblems.map(p => `- ${p}`).join('\n')}\n`
  if (r.skipped) md += `\n**Skipped:** ${r.skipped}.\n`
  if (r.plan) md += `\n**Plan:**\n\n${r.plan.map(l => `- ${l}`).join('\n')}\n`
  if (r.error) md += `\n**Error:** ${r.error.replace(/[\r\n]+/g, ' ')}\n`
  if (!r.waited && r.deploymentId && !r.error) md += `\nNot waited for (\`wait: false\`): follow it on the dashboard.\n`
  if (r.logTail && r.logTail.length > 0) {
    // Each line bounded, so the summary stays far under GitHub's 1 MiB limit whatever the log.
    const body = r.logTail
      .map(l => (l.length > TAIL_LINE_CHARS ? `${l.slice(0, TAIL_LINE_CHARS - 1)}…` : l))
      .join('\n')
      .replace(/```/g, "'''")
    md += `\n<details open><summary>Last ${r.logTail.length} lines of the build output</summary>\n\n\`\`\`text\n${body}\n\`\`\`\n\n</details>\n`
  }
  return scrub(md)
}

/** Written on success and on failure; skipped (not failed) outside a runner. */
export async function writeSummary(r: RunReport, env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(summaryMarkdown(r)).write()
  } catch (err) {
    core.warning(`Could not write the job summary: ${err instanceof Error ? err.message : String(err)}`)
  }
}
