import type { RunReport } from './report.js'
import { setOutputs } from './report.js'
import { writeSummary } from './summary.js'

/** Each run's outputs and summary, once written (or being written), by its report. */
const finished = new WeakMap<object, Promise<void>>()

/**
 * `write` (a run's outputs and job summary) done exactly once per report,
 * by whichever ending comes first: the pipeline's own, or a cancellation
 * that arrives as it finishes. The other waits for the same writes.
 */
export function writeOnce(report: object, write: () => Promise<void>): Promise<void> {
  let writing = finished.get(report)
  if (!writing) {
    writing = write()
    finished.set(report, writing)
  }
  return writing
}

/** The deploy action's outputs and summary, once; then `tell` (the chat), once. */
export function finishRun(report: RunReport, env: NodeJS.ProcessEnv, tell?: () => Promise<void>): Promise<void> {
  return writeOnce(report, async () => {
    setOutputs(report)
    await writeSummary(report, env)
    await tell?.()
  })
}
