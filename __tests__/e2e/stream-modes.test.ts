/**
 * End to end: every line of the build output exactly once, in order,
 * verbatim, whatever Scalingo's stream does (its framing, what a reconnect
 * replays, connections cut every few hundred milliseconds): the matrix of
 * the sandbox's stream switches.
 */
import { runAction, startSandbox, type Sandbox, type Step, type StreamBehaviour } from '../../sandbox/index.js'
import { errorLines } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

const LINES = Array.from({ length: 24 }, (_, i) => `       step ${String(i + 1).padStart(2, '0')} of the build`)

/** About 2.5 s of logging, a line or two at a time, then pushing, starting, success. */
function timeline(): Step[] {
  const steps: Step[] = [{ afterMs: 150, status: 'building', log: ['-----> Building'] }]
  for (let i = 0; i < LINES.length; i += 2) steps.push({ afterMs: 200, log: LINES.slice(i, i + 2) })
  steps.push({ afterMs: 150, status: 'pushing', log: ['-----> Pushing'] }, { afterMs: 150, status: 'starting' })
  steps.push({ afterMs: 150, status: 'success', log: ['-----> Done'] })
  return steps
}

/** The build-log lines of a run, in the order printed (fences, groups and our own lines left out). */
function buildLines(stdout: string): string[] {
  const all = ['-----> Building', ...LINES, '-----> Pushing', '-----> Done']
  return stdout.split('\n').filter(l => all.includes(l))
}

const framings: StreamBehaviour['framing'][] = ['bare', 'newline', 'multi']
const replays: StreamBehaviour['replay'][] = ['all', 'none']
const cuts: (number | undefined)[] = [undefined, 300]
const modes = framings.flatMap(framing =>
  replays.flatMap(replay => cuts.map(cutEveryMs => ({ framing, replay, cutEveryMs })))
)

describe('the build log over every stream behaviour', () => {
  it.each(modes)(
    'framing $framing, replay $replay, cut every $cutEveryMs ms: every line exactly once, in order',
    async stream => {
      sandbox = await startSandbox({ scalingo: { timeline: timeline(), stream: { ...stream, linesPerFrame: 3 } } })
      const run = await runAction({ env: sandbox.env() })
      expect(errorLines(run)).toEqual([])
      expect(run.code).toBe(0)
      expect(buildLines(run.stdout)).toEqual(['-----> Building', ...LINES, '-----> Pushing', '-----> Done'])
      expect(sandbox.scalingo.streamConnections).toBeGreaterThanOrEqual(stream.cutEveryMs ? 2 : 1)
    }
  )
})
