import * as core from '@actions/core'
import type { RunReport } from './report/report.js'
import { setOutputs } from './report/report.js'
import { writeSummary } from './report/summary.js'
import { followCommand } from './scalingo/regions.js'

/**
 * Cancellation. The runner sends SIGINT, then SIGTERM, then kills: say what
 * is left running, write the outputs and the summary, and exit, quickly.
 * It reads the report and decides nothing else.
 */

/** What a cancellation leaves behind, from where the run was. */
export function cancellationMessage(signal: NodeJS.Signals, report: RunReport): string {
  const follow = followCommand(report.region, report.app)
  switch (report.stage) {
    case 'created':
      return `cancelled (${signal}): deployment ${report.deploymentId} is still ${report.status ?? 'running'} on Scalingo and was not stopped; follow it with: ${follow}`
    case 'creating':
      return `cancelled (${signal}) while creating the deployment: it may have been created; check the app's deployments (${follow})`
    default:
      return `cancelled (${signal}) before any deployment was created`
  }
}

/** Handles the first SIGINT or SIGTERM; returns a function that stops listening. */
export function onCancel(report: RunReport, env: NodeJS.ProcessEnv, beforeExit: () => void): () => void {
  let fired = false
  const listener = (signal: NodeJS.Signals): void => {
    if (fired) return
    fired = true
    report.error = cancellationMessage(signal, report)
    core.setFailed(report.error)
    beforeExit()
    setOutputs(report)
    void writeSummary(report, env).finally(() => process.exit(1))
  }
  process.on('SIGINT', listener)
  process.on('SIGTERM', listener)
  return () => {
    process.off('SIGINT', listener)
    process.off('SIGTERM', listener)
  }
}
