// Ends every jest run with one plain line, `N passed, N failed`, which CI
// reads; also written to .jest-count for .ci/run to repeat at its very end.
import { writeFileSync } from 'node:fs'

export default class CountReporter {
  onRunComplete(_contexts, results) {
    const line = `${results.numPassedTests} passed, ${results.numFailedTests + results.numRuntimeErrorTestSuites} failed`
    try {
      writeFileSync(process.env.JEST_COUNT_FILE || '.jest-count', `${line}\n`)
    } catch {
      // read-only checkout: the printed line is enough
    }
    process.stdout.write(`\n${line}\n`)
  }
}
