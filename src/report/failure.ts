import * as core from '@actions/core'
import { ActionError, describeError } from '../lib/errors.js'
import * as log from '../lib/log.js'
import { inert } from '../lib/text.js'
import type { RunReport } from './report.js'

/**
 * The run failed: one annotation, titled when the error has a title (a
 * failed deployment), the message kept for the summary; a stack only in
 * the debug output, scrubbed.
 */
export function reportFailure(report: Pick<RunReport, 'error'>, err: unknown): void {
  report.error = describeError(err)
  if (err instanceof ActionError && err.title) {
    core.error(inert(report.error), { title: inert(err.title) })
    process.exitCode = 1
  } else {
    core.setFailed(inert(report.error))
  }
  if (!(err instanceof ActionError) && err instanceof Error && err.stack) log.debug(describeError(err.stack))
}
