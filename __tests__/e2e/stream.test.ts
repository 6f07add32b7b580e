/**
 * End to end: live build output over the deployment stream, and the
 * polling fallback when the stream fails, drops, stays silent or lies.
 */
import { runAction, startSandbox, type Sandbox, type Step } from '../../sandbox/index.js'
import { errorLines, leaks, secretsOf } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

const LINES = Array.from({ length: 12 }, (_, i) => `       build line ${String(i + 1).padStart(2, '0')}`)

/** A build that logs over ~2 s, then pushes, starts and succeeds. */
function build(extra: Partial<Step> = {}): Step[] {
  return [
    { afterMs: 200, status: 'building', log: ['-----> Building'] },
    ...LINES.map(l => ({ afterMs: 150, log: [l] })),
    { afterMs: 200, status: 'pushing', log: ['-----> Pushing'], ...extra },
    { afterMs: 300, status: 'starting' },
    { afterMs: 300, status: 'success', log: ['-----> Done'] }
  ]
}

/** How many times each build line shows in the live log (before a failure's tail is repeated). */
function counts(stdout: string): number[] {
  const live = stdout.split(/\nLast \d+ lines of the build output:\n/)[0]
  return [...LINES, '-----> Building', '-----> Done'].map(l => live.split('\n').filter(x => x === l).length)
}

describe('live build output', () => {
  it('prints lines and status changes as they happen, before the deployment finishes', async () => {
    sandbox = await startSandbox({ scalingo: { timeline: build() } })
    const seen: { line: string; at: number }[] = []
    const run = await runAction({
      env: sandbox.env(),
      onStdout: chunk => {
        const at = Date.now()
        for (const line of chunk.split('\n')) seen.push({ line, at })
      }
    })
    expect(run.code).toBe(0)
    const [d] = sandbox.scalingo.allDeployments()
    const first = seen.find(s => s.line === LINES[0])!
    const building = seen.find(s => s.line.includes('queued → building'))!
    expect(first.at).toBeLessThan(d.finishedAt! - 1000)
    expect(building.at).toBeLessThan(d.finishedAt! - 1000)
    expect(counts(run.stdout)).toEqual(counts(run.stdout).map(() => 1))
    // Every status, in order, printed once.
    const statusLines = run.stdout.split('\n').filter(l => /^\[\d+s\] /.test(l))
    expect(statusLines.map(l => l.replace(/^\[\d+s\] /, '').replace(/:.*$/, ''))).toEqual([
      'queued',
      'queued → building',
      'building → pushing',
      'pushing → starting',
      'starting → success'
    ])
    // The stream did the work: no output fetch, few polls.
    const gets = sandbox.scalingo.requests.filter(r => r.method === 'GET' && r.server === 'scalingo-api')
    expect(gets.filter(r => r.path.endsWith('/output'))).toHaveLength(0)
    // GET app, the already-live check, a poll or two before the stream is up, the confirming GET.
    expect(gets.length).toBeLessThanOrEqual(6)
    // The stream was dialled as Scalingo's CLI does it, and authenticated with the bearer.
    const dial = sandbox.scalingo.requests.find(r => r.server === 'scalingo-deployments')!
    expect(dial.headers.origin).toBe('http://scalingo-cli.local/1')
    expect(leaks(run, secretsOf(sandbox))).toEqual([])
  })

  it('a stream that drops mid-build still ends in the right status, with no line lost or repeated', async () => {
    sandbox = await startSandbox({ scalingo: { timeline: build(), stream: { dropAfterFrames: 6 } } })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(sandbox.scalingo.streamConnections).toBeGreaterThanOrEqual(2)
    expect(counts(run.stdout)).toEqual(counts(run.stdout).map(() => 1))
    expect(run.outputs.status).toBe('success')
  })

  it('a stream that never connects falls back to polling, with every line once', async () => {
    sandbox = await startSandbox({
      scalingo: {
        timeline: build({ status: 'pushing' }).map((s, i, all) =>
          i === all.length - 1 ? { ...s, status: 'build-error' } : s
        ),
        stream: { mode: 'refuse' }
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('build-error')
    expect(counts(run.stdout)).toEqual(counts(run.stdout).map(() => 1))
    expect(run.stdout).toMatch(/\(live build output unavailable: .*; following by polling\)/)
    expect(sandbox.scalingo.requests.some(r => r.path.endsWith('/output'))).toBe(true)
    expect(errorLines(run)).toEqual([expect.stringMatching(/ended with build-error/)])
  })

  it('a stream that accepts but stays silent does not hold the run: polling takes over', async () => {
    sandbox = await startSandbox({ scalingo: { timeline: build(), stream: { mode: 'silent' } } })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(counts(run.stdout)).toEqual(counts(run.stdout).map(() => 1))
    expect(run.wallMs).toBeLessThan(15_000)
  })

  it('ignores a final status for another deployment id', async () => {
    sandbox = await startSandbox({
      scalingo: {
        timeline: build(),
        stream: { extraFrames: [{ type: 'status', id: 'another-deployment', data: { status: 'build-error' } }] }
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('success')
    expect(run.stdout).not.toContain('build-error')
  })

  it('never reports a final status the API does not confirm', async () => {
    sandbox = await startSandbox({
      scalingo: {
        timeline: build({
          run: (sb, d) => sb.sendStreamFrame(d.app, { type: 'status', id: d.id, data: { status: 'crashed-error' } })
        })
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('success')
    expect(run.stdout).not.toMatch(/→ crashed-error/)
  })
})

describe('build output that is hard to follow', () => {
  const progress = Array.from({ length: 200_000 }, (_, i) => `${(i / 2000).toFixed(1)}%`).join('\r') // about 1.2 MB, \r only
  const long = `${'L'.repeat(2 * 1024 * 1024)}`

  it.each([
    ['the stream', {}],
    ['polling', { mode: 'absent' as const }]
  ])(
    'over %s: a progress line shows its last state once, a 2 MB line is cut, the summary stays small',
    async (_n, stream) => {
      sandbox = await startSandbox({
        scalingo: {
          stream,
          timeline: [
            {
              afterMs: 100,
              status: 'building',
              log: ['-----> Downloading', progress, long, ' !     ERROR: out of disk space']
            },
            { afterMs: 300, status: 'build-error' }
          ]
        }
      })
      const run = await runAction({ env: sandbox.env() })
      expect(run.code).toBe(1)
      const live = run.stdout.split(/\nLast \d+ lines of the build output:\n/)[0].split('\n')
      const last = progress.slice(progress.lastIndexOf('\r') + 1)
      expect(live.filter(l => l === last)).toHaveLength(1)
      expect(live.filter(l => l.includes('50.0%'))).toHaveLength(0)
      const cut = live.filter(l => l.startsWith('LLLL'))
      expect(cut).toHaveLength(1)
      expect(cut[0]).toBe(`${'L'.repeat(64 * 1024)} … [line cut: ${long.length - 64 * 1024} more characters]`)
      expect(Buffer.byteLength(run.summary)).toBeLessThan(64 * 1024)
      expect(errorLines(run)[0]).toContain('— ! ERROR: out of disk space')
    }
  )

  it('lines the stream never delivered (dropped, no replay) are printed from the output, and the failure tail and annotation come from it', async () => {
    sandbox = await startSandbox({
      scalingo: {
        stream: { replay: 'none', dropAfterFrames: 3 },
        timeline: [
          { afterMs: 150, status: 'building', log: ['-----> one', '-----> two'] },
          { afterMs: 1200, log: ['-----> three', ' !     npm ERR! ERESOLVE could not resolve dependency'] },
          { afterMs: 200, status: 'build-error' }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    const live = run.stdout.split(/\nLast \d+ lines of the build output:\n/)[0]
    for (const l of [
      '-----> one',
      '-----> two',
      '-----> three',
      ' !     npm ERR! ERESOLVE could not resolve dependency'
    ])
      expect(live.split('\n').filter(x => x === l)).toHaveLength(1)
    expect(errorLines(run)[0]).toContain('— ! npm ERR! ERESOLVE could not resolve dependency')
    expect(run.summary).toContain('npm ERR! ERESOLVE could not resolve dependency')
    expect(sandbox.scalingo.requests.filter(r => r.path.endsWith('/output')).length).toBeGreaterThanOrEqual(1)
  })

  it('a successful run followed over a healthy stream reads nothing more', async () => {
    sandbox = await startSandbox({ scalingo: { timeline: build() } })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(sandbox.scalingo.requests.filter(r => r.path.endsWith('/output'))).toHaveLength(0)
  })
})
