import * as core from '@actions/core'

/**
 * What a run did, filled in by the stages as they go and read at the end
 * (outputs, job summary) or on cancellation. It decides nothing.
 */

export interface RunReport {
  app: string
  region: string
  /** Where the run is: what a cancellation leaves behind depends on it. */
  stage: 'preparing' | 'creating' | 'created'
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
  /** What env-file and variables changed (names only). */
  variables?: string
  /** Where the variables came from: env-file, variables, or both. */
  variablesLabel?: string
  /** The GitHub deployment recorded, or why not. */
  githubDeployment?: string
  /** How the archive reached Scalingo, when not by its URL. */
  transfer?: string
  /** What GitHub's archive of the commit lacks (submodules, LFS, export-ignore). */
  archiveProblems?: string[]
  /** The commit that ran on the app before this run, when it is a commit SHA. */
  previousSha?: string
  /** The deployed commit's page, and what this release changes, when the previous commit is known. */
  commitUrl?: string
  compareUrl?: string
  /** The health check: ok or failed (undefined: none ran), and what it saw. */
  health?: 'ok' | 'failed'
  healthDetail?: string
  /** Whether a rollback deployment was created and succeeded; what the rollback did, or why not. */
  rolledBack: boolean
  rollback?: string
}

/** An empty report: the app and region are filled in once the inputs are read. */
export function newReport(): RunReport {
  return { app: '', region: '', stage: 'preparing', waited: true, rolledBack: false }
}

/** Every output the action sets, by the name users read in `steps.<id>.outputs`. */
export const OUTPUTS = {
  deploymentId: 'deployment-id',
  status: 'status',
  sha: 'sha',
  archiveUrl: 'archive-url',
  appUrl: 'app-url',
  duration: 'duration',
  health: 'health',
  previousSha: 'previous-sha',
  rolledBack: 'rolled-back'
} as const

/** Written once, at the end of the run (or on cancellation). */
export function setOutputs(r: RunReport): void {
  core.setOutput(OUTPUTS.deploymentId, r.deploymentId ?? '')
  core.setOutput(OUTPUTS.status, r.status ?? '')
  core.setOutput(OUTPUTS.sha, r.sha ?? '')
  core.setOutput(OUTPUTS.archiveUrl, r.archiveUrl ?? '')
  core.setOutput(OUTPUTS.appUrl, r.appUrl ?? '')
  core.setOutput(OUTPUTS.duration, r.durationSeconds !== undefined ? String(r.durationSeconds) : '')
  core.setOutput(OUTPUTS.health, r.health ?? '')
  core.setOutput(OUTPUTS.previousSha, r.previousSha ?? '')
  core.setOutput(OUTPUTS.rolledBack, String(r.rolledBack))
}
