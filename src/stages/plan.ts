import { formatDuration } from '../lib/clock.js'
import type { EnvVariable } from '../settings/dotenv.js'
import type { Settings } from '../settings/settings.js'
import type { Source } from './source.js'

export interface PlanInput {
  source: Source
  gitRef: string | null
  transfer: 'url' | 'upload'
  envFile?: { variables: EnvVariable[] }
}

/** What a dry run would do, one line per step, in the order a real run does them. */
export function dryRunPlan(settings: Settings, { source, gitRef, transfer, envFile }: PlanInput): string[] {
  const privateArchive = source.visibility === 'private' || source.visibility === 'internal'
  const plan = [
    `app: ${settings.app} in ${settings.region} (${settings.apiUrl}) — found, token accepted`,
    `commit: ${source.sha || '(not a GitHub commit)'}${gitRef && gitRef !== source.sha ? ` (git_ref ${gitRef})` : ''}`,
    `archive: ${source.archiveUrl}${privateArchive ? ' (private: a signed URL would be handed to Scalingo)' : ''} — served`,
    transfer === 'upload'
      ? 'transfer: the archive would be uploaded through Scalingo’s sources API'
      : 'transfer: Scalingo would fetch the archive URL'
  ]
  if (envFile) {
    plan.push(
      `env-file: ${envFile.variables.length} variables would be set (${envFile.variables.map(v => v.name).join(', ') || 'none'})`
    )
  }
  if (settings.environment) plan.push(`GitHub deployment: would be recorded in "${settings.environment}"`)
  plan.push(
    settings.wait
      ? `then follow it for up to ${formatDuration(settings.timeoutSeconds * 1000)}`
      : 'then return without waiting'
  )
  return plan
}
