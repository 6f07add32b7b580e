import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { formatDuration } from './clock.js'
import { KNOWN_REGIONS, type Settings } from './inputs.js'
import type { Source } from './github.js'
import { scrub } from './secrets.js'
import { describeStatus, isSuccess } from './statuses.js'

/**
 * Outputs, job summary and build output printing. Reads the result; decides
 * nothing about the deployment.
 */

export interface RunReport {
  app: string
  region: string
  repository?: string
  ref?: string
  sha?: string
  /** Without credentials. */
  archiveUrl?: string
  deploymentId?: string
  status?: string
  durationSeconds?: number
  appUrl?: string
  dashboardUrl?: string
  waited: boolean
  timedOut?: boolean
  /** The one-line failure, when the run failed. */
  error?: string
  /** The end of the build output, shown when the deployment failed. */
  logTail?: string[]
  /** Why nothing was deployed (already live). */
  skipped?: string
  /** What a dry run would do. */
  plan?: string[]
  /** The app and deployment the commit was promoted from. */
  promotedFrom?: string
  /** What env-file changed (names only). */
  variables?: string
  /** The GitHub deployment recorded, or why not. */
  githubDeployment?: string
  /** How the archive reached Scalingo, when not by its URL. */
  transfer?: string
}

const TELLING =
  /ERR!|\b(error|failed|failure|fatal|exception|panic|denied|not found|cannot|can't|unable|missing|killed|timed? ?out)\b|^\s*!/i

/**
 * The build-log line that best says why: the last one that looks like an
 * error (npm ERR!, Error:, buildpack ` !` lines), else the last line.
 */
export function mostTellingLine(lines: string[]): string | undefined {
  // eslint-disable-next-line no-control-regex
  const clean = lines.map(l => l.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').trim()).filter(l => l !== '')
  const hit = [...clean].reverse().find(l => TELLING.test(l))
  const line = hit ?? clean[clean.length - 1]
  return line === undefined ? undefined : line.length > 200 ? `${line.slice(0, 199)}…` : line
}

export function dashboardUrl(region: string, app: string): string | undefined {
  if (!(KNOWN_REGIONS as readonly string[]).includes(region)) return undefined
  return `https://my.${region}.scalingo.com/apps/${encodeURIComponent(app)}`
}

/**
 * Build output is data, not commands: a buildpack printing `::add-mask::`
 * or `::error::` must not drive the runner. Everything printed inside runs
 * between `::stop-commands::<token>` and `::<token>::`.
 */
export function printAsData(print: () => void): void {
  const token = randomBytes(16).toString('hex')
  core.info(`::stop-commands::${token}`)
  try {
    print()
  } finally {
    core.info(`::${token}::`)
  }
}

export function printLines(lines: string[]): void {
  printAsData(() => {
    for (const line of lines) core.info(scrub(line))
  })
}

export function setOutputs(r: RunReport): void {
  core.setOutput('deployment-id', r.deploymentId ?? '')
  core.setOutput('status', r.status ?? '')
  core.setOutput('sha', r.sha ?? '')
  core.setOutput('archive-url', r.archiveUrl ?? '')
  core.setOutput('app-url', r.appUrl ?? '')
  core.setOutput('duration', r.durationSeconds !== undefined ? String(r.durationSeconds) : '')
}

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
    const words = r.status === 'skipped' ? 'already live' : r.status === 'dry-run' ? 'nothing created' : describeStatus(r.status)
    rows.push(['Status', `\`${r.status}\` — ${words}`])
  }
  if (r.durationSeconds !== undefined) rows.push(['Duration', formatDuration(r.durationSeconds * 1000)])
  if (r.deploymentId) rows.push(['Deployment', `\`${r.deploymentId}\``])
  if (r.archiveUrl) rows.push(['Archive', r.archiveUrl])
  if (r.transfer) rows.push(['Transfer', r.transfer])
  if (r.variables) rows.push(['Variables (env-file)', r.variables])
  if (r.githubDeployment) rows.push(['GitHub deployment', r.githubDeployment])
  if (r.dashboardUrl) rows.push(['Dashboard', `[${r.dashboardUrl}](${r.dashboardUrl})`])
  let md = `### ${headline(r)}\n\n| | |\n|---|---|\n`
  md += rows.map(([k, v]) => `| ${k} | ${escapeCell(v)} |`).join('\n')
  md += '\n'
  if (r.skipped) md += `\n**Skipped:** ${r.skipped}.\n`
  if (r.plan) md += `\n**Plan:**\n\n${r.plan.map(l => `- ${l}`).join('\n')}\n`
  if (r.error) md += `\n**Error:** ${r.error.replace(/[\r\n]+/g, ' ')}\n`
  if (!r.waited && r.deploymentId && !r.error) md += `\nNot waited for (\`wait: false\`): follow it on the dashboard.\n`
  if (r.logTail && r.logTail.length > 0) {
    const body = r.logTail.join('\n').replace(/```/g, "'''")
    md += `\n<details open><summary>Last ${r.logTail.length} lines of the build output</summary>\n\n\`\`\`text\n${body}\n\`\`\`\n\n</details>\n`
  }
  return scrub(md)
}

/** Written on success and on failure; skipped (not failed) outside a runner. */
export async function writeSummary(r: RunReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(summaryMarkdown(r)).write()
  } catch (err) {
    core.warning(`Could not write the job summary: ${err instanceof Error ? err.message : String(err)}`)
  }
}

export function dryRunPlan(settings: Settings, source: Source, gitRef: string | null): string[] {
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
