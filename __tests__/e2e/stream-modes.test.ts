/**
 * End to end: every line of the build output exactly once, in order,
 * verbatim, whatever Scalingo's stream does (its framing, what a reconnect
 * replays, connections cut every few hundred milliseconds): the matrix of
 * the sandbox's stream switches.
 */
import {
  STEADY_LOG,
  runAction,
  startSandbox,
  steadyBuild,
  type Sandbox,
  type StreamBehaviour
} from '../../sandbox/index.js'
import { errorLines } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

/** The build-log lines of a run, in the order printed (fences, groups and our own lines left out). */
function buildLines(stdout: string): string[] {
  return stdout.split('\n').filter(l => STEADY_LOG.includes(l))
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
      sandbox = await startSandbox({ scalingo: { timeline: steadyBuild(), stream: { ...stream, linesPerFrame: 3 } } })
      const run = await runAction({ env: sandbox.env() })
      expect(errorLines(run)).toEqual([])
      expect(run.code).toBe(0)
      expect(buildLines(run.stdout)).toEqual(STEADY_LOG)
      expect(sandbox.scalingo.streamConnections).toBeGreaterThanOrEqual(stream.cutEveryMs ? 2 : 1)
    }
  )
})
