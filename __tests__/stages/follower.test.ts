import { Follower, type OutputSchedule, outputReadDue, pollDelay } from '../../src/stages/follower.js'
import type { ScalingoClient } from '../../src/scalingo/client.js'
import { systemClock } from '../../src/lib/clock.js'
import { BuildLog } from '../../src/stages/buildlog.js'
import { sandboxClient } from '../helpers-client.js'

const { setup } = sandboxClient()

const quick = () => 20
/** Where the build log goes in these tests: nowhere. */
const silent = { write: () => true, once: () => undefined }

/** Creates a deployment on the sandbox and follows it, polling fast, until `withinMs` from now. */
async function createAndFollow(client: ScalingoClient, withinMs: number, onStatus?: (s: string) => void) {
  const deployment = await client.createDeployment('x', 'https://example.com/a.tar.gz')
  return new Follower({
    client,
    deployment,
    deadline: Date.now() + withinMs,
    clock: systemClock,
    log: new BuildLog(silent),
    pollDelay: quick,
    onStatus
  }).run()
}

describe('pollDelay', () => {
  it('is quick at first and near fast transitions, slower during a long build or queue, capped', () => {
    expect(pollDelay('queued', 0, 0)).toBe(500)
    expect(pollDelay('building', 1_000, 60_000)).toBe(1000)
    expect(pollDelay('building', 60_000, 60_000)).toBe(3000)
    expect(pollDelay('building', 600_000, 600_000)).toBe(5000)
    expect(pollDelay('starting', 60_000, 60_000)).toBe(1500)
    expect(pollDelay('queued', 60_000, 60_000)).toBe(3000)
  })
  it('keeps the status polls of a 60 s deployment (1 s queued, 48 s building, 5 s pushing, 6 s starting) under 32', () => {
    const phases: [string, number][] = [
      ['queued', 1_000],
      ['building', 48_000],
      ['pushing', 5_000],
      ['starting', 6_000]
    ]
    let t = 0
    let polls = 0
    for (const [status, length] of phases) {
      const end = t + length
      const since = t
      while (t < end) {
        t += pollDelay(status, t - since, t)
        polls++
      }
    }
    expect(polls).toBeLessThanOrEqual(32)
  })
})

describe('followDeployment', () => {
  it('reports each status change in order and ends on the terminal one', async () => {
    const client = await setup({
      timeline: [
        { afterMs: 60, status: 'building' },
        { afterMs: 60, status: 'pushing' },
        { afterMs: 60, status: 'crashed-error' }
      ]
    })
    const seen: string[] = []
    const r = await createAndFollow(client, 10_000, s => seen.push(s))
    expect(r.timedOut).toBe(false)
    expect(r.deployment.status).toBe('crashed-error')
    expect(seen).toEqual(['queued', 'building', 'pushing', 'crashed-error'])
  })

  it('stops at the deadline without cancelling', async () => {
    const client = await setup({
      timeline: [
        { afterMs: 10, status: 'building' },
        { afterMs: 60_000, status: 'success' }
      ]
    })
    const r = await createAndFollow(client, 300)
    expect(r.timedOut).toBe(true)
    expect(r.deployment.status).toBe('building')
  })

  it('stops at the deadline even when a request hangs', async () => {
    const client = await setup({
      timeline: [
        { afterMs: 10, status: 'building' },
        { afterMs: 60_000, status: 'success' }
      ],
      faults: [{ method: 'GET', path: '/deployments/', times: 100, action: 'hang' }]
    })
    const started = Date.now()
    const r = await createAndFollow(client, 500)
    expect(r.timedOut).toBe(true)
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('keeps following through persistent transient errors until they pass', async () => {
    const client = await setup({
      timeline: [{ afterMs: 300, status: 'success' }],
      faults: [{ method: 'GET', path: '/deployments/', times: 12, status: 503 }]
    })
    const r = await createAndFollow(client, 10_000)
    expect(r.deployment.status).toBe('success')
    expect(r.transientErrors).toBeGreaterThanOrEqual(2)
  })
})

describe('at the deadline', () => {
  it('a deployment that ended right at the timeout is reported as it ended, not as a timeout', async () => {
    const client = await setup({
      timeline: [
        { afterMs: 50, status: 'building' },
        { afterMs: 250, status: 'success' }
      ]
    })
    const deployment = await client.createDeployment('x', 'https://example.com/a.tar.gz')
    const r = await new Follower({
      client,
      deployment,
      deadline: Date.now() + 450,
      clock: systemClock,
      log: new BuildLog(silent),
      // The next poll would come after the deadline: only the last look sees the end.
      pollDelay: () => 5_000
    }).run()
    expect(r.timedOut).toBe(false)
    expect(r.deployment.status).toBe('success')
  })
})

describe('outputReadDue: reads of the whole log spaced as it grows', () => {
  const at = (s: number) => s * 1000
  it('waits for the build, reads soon after it starts, then every 15 s while the log is small', () => {
    expect(outputReadDue(at(100), { lastBytes: 0 })).toBe(false)
    expect(outputReadDue(at(1), { buildingSince: 0, lastBytes: 0 })).toBe(false)
    expect(outputReadDue(at(2), { buildingSince: 0, lastBytes: 0 })).toBe(true)
    expect(outputReadDue(at(16), { buildingSince: 0, firstAt: at(2), lastAt: at(2), lastBytes: 1000 })).toBe(false)
    expect(outputReadDue(at(17), { buildingSince: 0, firstAt: at(2), lastAt: at(2), lastBytes: 1000 })).toBe(true)
  })
  it('once the log is large, waits as long as the reads have lasted (the log can have doubled)', () => {
    const s = { buildingSince: 0, firstAt: at(2), lastAt: at(302), lastBytes: 10 * 1024 * 1024 }
    expect(outputReadDue(at(501), s)).toBe(false)
    expect(outputReadDue(at(602), s)).toBe(true)
  })
  it('keeps the bytes downloaded within 3× the final log for any build length (a log growing steadily)', () => {
    for (const minutes of [1, 5, 20]) {
      for (const finalBytes of [1, 10, 50].map(mb => mb * 1024 * 1024)) {
        const T = minutes * 60_000
        const s: OutputSchedule = { buildingSince: 0, lastBytes: 0 }
        let downloaded = 0
        for (let now = 0; now < T; now += 3_000) {
          if (!outputReadDue(now, s)) continue
          const size = Math.round((finalBytes * now) / T)
          s.firstAt ??= now
          s.lastAt = now
          s.lastBytes = size
          downloaded += size
        }
        downloaded += finalBytes // the last read, once it ended
        expect({ minutes, finalBytes, ratio: downloaded / finalBytes <= 3 }).toEqual({
          minutes,
          finalBytes,
          ratio: true
        })
      }
    }
  })
})
