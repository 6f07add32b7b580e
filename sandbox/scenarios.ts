import type { Step } from './scalingo.js'

/**
 * Scenarios shared by the tests and the benchmarks: a build that logs its
 * lines a couple at a time over about 2.5 s, then pushes, starts, succeeds.
 */

export const STEADY_LINES = Array.from(
  { length: 24 },
  (_, i) => `       step ${String(i + 1).padStart(2, '0')} of the build`
)

/** Every build-log line of steadyBuild(), in order. */
export const STEADY_LOG = ['-----> Building', ...STEADY_LINES, '-----> Pushing', '-----> Done']

export function steadyBuild(): Step[] {
  const steps: Step[] = [{ afterMs: 150, status: 'building', log: ['-----> Building'] }]
  for (let i = 0; i < STEADY_LINES.length; i += 2) steps.push({ afterMs: 200, log: STEADY_LINES.slice(i, i + 2) })
  steps.push({ afterMs: 150, status: 'pushing', log: ['-----> Pushing'] }, { afterMs: 150, status: 'starting' })
  steps.push({ afterMs: 150, status: 'success', log: ['-----> Done'] })
  return steps
}
