import * as core from '@actions/core'
import { formatDuration } from '../lib/clock.js'
import { cellCode, code } from '../lib/markdown.js'
import { scrub } from '../lib/secrets.js'
import { oneLine } from '../lib/text.js'
import { oneOffLogsCommand } from '../scalingo/regions.js'
import { summaryTable, tailBlock, writeJobSummary } from './summary.js'

/**
 * What a one-off did (the `run` action), filled in as it goes and read at
 * the end: outputs and the job summary. It decides nothing.
 */

export type OneOffStatus =
  'success' | 'failed' | 'timed-out' | 'cancelled' | 'inactive' | 'detached' | 'error' | 'dry-run'

export interface OneOffReport {
  app: string
  region: string
  command: string
  /** Names of the one-off's own environment, never values. */
  envNames: string[]
  size?: string
  detached: boolean
  /** `one-off-7123`. */
  container?: string
  status?: OneOffStatus
  exitCode?: number
  durationSeconds?: number
  error?: string
  /** The last lines of output, shown when the command failed. */
  tail?: string[]
  /** What a dry run would do. */
  plan?: string[]
}

/** The command as messages name it (the log, errors, the chat): one line, scrubbed, at most 80 characters. */
export function commandLabel(command: string): string {
  return `\`${oneLine(command, 80)}\``
}

export function newOneOffReport(): OneOffReport {
  return { app: '', region: '', command: '', envNames: [], detached: false }
}

/** Every output of the `run` action. */
export const RUN_OUTPUTS = { exitCode: 'exit-code', container: 'container', status: 'status' } as const

export function setOneOffOutputs(r: OneOffReport): void {
  core.setOutput(RUN_OUTPUTS.exitCode, r.exitCode === undefined ? '' : String(r.exitCode))
  core.setOutput(RUN_OUTPUTS.container, r.container ?? '')
  core.setOutput(RUN_OUTPUTS.status, r.status ?? 'error')
}

const HEADLINES: Record<OneOffStatus, string> = {
  success: '✅ Scalingo one-off succeeded',
  failed: '❌ Scalingo one-off failed',
  'timed-out': '⏱️ Scalingo one-off stopped at the timeout',
  cancelled: '🛑 Scalingo one-off cancelled',
  inactive: '💤 Scalingo one-off stopped for inactivity',
  detached: '🚀 Scalingo one-off started, detached',
  error: '❌ Scalingo one-off could not run',
  'dry-run': '🧪 Scalingo one-off dry run: checked, nothing started'
}

/** The job summary as Markdown (pure); everything from outside is inert. */
export function oneOffSummaryMarkdown(r: OneOffReport): string {
  const rows: [string, string][] = [
    ['App', cellCode(r.app)],
    ['Region', cellCode(r.region)],
    ['Command', cellCode(r.command, 500)]
  ]
  if (r.envNames.length) rows.push(['Env', cellCode(r.envNames.join(', '))])
  if (r.container) rows.push(['Container', cellCode(r.container)])
  rows.push(['Size', r.size ? cellCode(r.size) : 'default'])
  rows.push(['Status', cellCode(r.status ?? 'error')])
  if (r.exitCode !== undefined) rows.push(['Exit code', cellCode(String(r.exitCode))])
  if (r.durationSeconds !== undefined) rows.push(['Duration', formatDuration(r.durationSeconds * 1000)])
  let md = summaryTable(HEADLINES[r.status ?? 'error'], rows)
  if (r.status === 'detached' && r.container)
    md += `\nScalingo reports no exit code for a detached one-off; its output goes to the app's logs: ${code(oneOffLogsCommand(r.region, r.app, r.container))}\n`
  if (r.plan) md += `\n**Plan:**\n\n${r.plan.map(l => `- ${code(l)}`).join('\n')}\n`
  if (r.error) md += `\n**Error:** ${code(r.error)}\n`
  md += tailBlock(r.tail, 'output')
  return scrub(md)
}

export function writeOneOffSummary(r: OneOffReport, env: NodeJS.ProcessEnv): Promise<void> {
  return writeJobSummary(oneOffSummaryMarkdown(r), env)
}
