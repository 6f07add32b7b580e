import { formatDuration } from '../lib/clock.js'
import type { Settings } from '../settings/settings.js'
import { healthTarget } from './health.js'
import type { Source } from './source.js'
import { type Transfer, howTheArchiveTravels } from './transfer.js'
import type { VariablesDiff } from './variables.js'

export interface PlanInput {
  source: Source
  transfer: Transfer
  variables: { wanted: { name: string }[]; diff?: VariablesDiff }
  archiveProblems: string[]
  /** What runs on the app now, when it is a commit. */
  previousSha?: string
  /** What a real run would decide: deploy, or skip and why. */
  decision?: string
}

/** What a dry run would do, one line per step, in the order a real run does them. */
export function dryRunPlan(
  settings: Settings,
  { source, transfer, variables, archiveProblems, previousSha, decision }: PlanInput
): string[] {
  const plan = [
    `app: ${settings.app} in ${settings.region} (${settings.apiUrl}) — found, token accepted`,
    `commit: ${source.sha || '(not a GitHub commit)'}${source.gitRef && source.gitRef !== source.sha ? ` (git_ref ${source.gitRef})` : ''}`,
    source.kind === 'local'
      ? `archive: ${settings.archivePath} — checked`
      : `archive: ${source.archiveUrl}${source.kind === 'github' ? ` (${source.visibility})` : ''}${source.kind === 'github' && source.visibility === 'public' ? ' — served' : ''}`,
    ...archiveProblems.map(p => `warning: ${p}`),
    `transfer: ${howTheArchiveTravels(source, transfer)}`
  ]
  if (decision) plan.push(`decision: ${decision}`)
  if (variables.diff) {
    const changing = [...variables.diff.added, ...variables.diff.changed]
    plan.push(
      changing.length > 0
        ? `variables: ${changing.join(', ')} would be set (${variables.wanted.length - changing.length} already set)`
        : `variables: all ${variables.wanted.length} already set`
    )
  }
  if (settings.environment) plan.push(`GitHub deployment: would be recorded in "${settings.environment}"`)
  plan.push(
    settings.wait
      ? `then follow it for up to ${formatDuration(settings.timeoutSeconds * 1000)}`
      : 'then return without waiting'
  )
  const check = settings.healthCheck
  if (check) {
    plan.push(
      `health check: GET ${healthTarget(check)} until it answers 2xx or 3xx, for up to ${formatDuration(check.timeoutSeconds * 1000)}`
    )
    plan.push(
      settings.rollback
        ? previousSha
          ? `rollback: if the check fails, deploy ${previousSha} (what runs now) again`
          : 'rollback: asked, but nothing can be rolled back to (no commit runs on the app now)'
        : 'rollback: no (rollback: false)'
    )
  }
  return plan
}
