import type { RunReport } from './report.js'
import { setOutputs } from './report.js'
import { writeSummary } from './summary.js'

/** Each run's outputs and summary, once written (or being written). */
const finished = new WeakMap<RunReport, Promise<void>>()

/**
 * The outputs and the job summary, written exactly once per run, by
 * whichever ending comes first: the pipeline's own, or a cancellation that
 * arrives as it finishes. The other waits for the same writes.
 */
export function finishRun(report: RunReport, env: NodeJS.ProcessEnv): Promise<void> {
  let writing = finished.get(report)
  if (!writing) {
    writing = (async () => {
      setOutputs(report)
      await writeSummary(report, env)
    })()
    finished.set(report, writing)
  }
  return writing
}
