import * as core from '@actions/core'
import { ActionError, describeError } from '../lib/errors.js'
import type { RunReport } from './report.js'

/**
 * The run failed: one annotation, titled when the error has a title (a
 * failed deployment), the message kept for the summary; a stack only in
 * the debug output, scrubbed.
 */
export function reportFailure(report: RunReport, err: unknown): void {
  report.error = describeError(err)
  if (err instanceof ActionError && err.title) {
    core.error(report.error, { title: err.title })
    process.exitCode = 1
  } else {
    core.setFailed(report.error)
  }
  if (!(err instanceof ActionError) && err instanceof Error && err.stack) core.debug(describeError(err.stack))
}
