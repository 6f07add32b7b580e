/**
 * End to end: the faults a production deploy step meets. Each must end in
 * the right status or a clear one-line error, never hang, never post twice.
 */
import { runAction, startSandbox, type ActionRun, type Sandbox, type Step } from '../../sandbox/index.js'
import { errorLines, leaks, posts, scalingoCalls, secretsOf } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

const steady: Step[] = [
  { afterMs: 200, status: 'building', log: ['-----> Building'] },
  { afterMs: 1500, status: 'pushing' },
  { afterMs: 300, status: 'success', log: ['-----> Done'] }
]
const DEP = /^\/v1\/apps\/my-app\/deployments\/[0-9a-f]+$/

describe('faults while following (polling)', () => {
  it.each([
    ['502', { status: 502, body: 'Bad Gateway' }],
    ['503', { status: 503, body: '<html><title>503</title></html>', headers: { 'Content-Type': 'text/html' } }],
    ['504', { status: 504, body: '' }],
    ['a reset connection', { action: 'reset' as const }]
  ])('%s mid-follow does not fail a successful deployment', async (_n, fault) => {
    sandbox = await startSandbox({
      scalingo: {
        timeline: steady,
        stream: { mode: 'absent' },
        faults: [{ method: 'GET', path: DEP, skip: 2, times: 3, ...fault }]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('success')
    expect(errorLines(run)).toEqual([])
    expect(posts(sandbox)).toBe(1)
  })
})

describe('faults at the auth endpoint', () => {
  it.each([
    ['503', { status: 503 }],
    ['504', { status: 504 }],
    ['a reset connection', { action: 'reset' as const }]
  ])('%s on the token exchange is retried', async (_n, fault) => {
    sandbox = await startSandbox({ scalingo: { faults: [{ path: '/v1/tokens/exchange', times: 2, ...fault }] } })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(scalingoCalls(sandbox).filter(c => c === 'POST /v1/tokens/exchange')).toHaveLength(3)
  })
})

describe('a request that hangs', () => {
  it.each([
    ['the token exchange', { path: '/v1/tokens/exchange' }],
    ['the app lookup', { method: 'GET', path: /^\/v1\/apps\/my-app$/ }],
    ['the GitHub commit lookup', { path: '/commits/' }]
  ])('%s never holds the run past its timeout', async (_n, where) => {
    const github = 'path' in where && String(where.path).includes('commits')
    const fault = { ...where, times: 100, action: 'hang' as const }
    sandbox = await startSandbox(github ? { github: { faults: [fault] } } : { scalingo: { faults: [fault] } })
    const run = await runAction({ env: sandbox.env({ timeout: '3s' }), killAfterMs: 20_000 })
    expect(run.signal).toBeNull()
    expect(run.code).toBe(1)
    expect(run.wallMs).toBeLessThan(8_000)
    expect(errorLines(run)).toEqual([expect.stringMatching(/failed: no answer before the timeout/)])
    expect(posts(sandbox)).toBe(0)
  })
})

describe('answers that are not what the API promises', () => {
  it('malformed JSON from the app lookup: a clear error, no deployment', async () => {
    sandbox = await startSandbox({
      scalingo: {
        faults: [
          {
            method: 'GET',
            path: /^\/v1\/apps\/my-app$/,
            status: 200,
            headers: { 'Content-Type': 'application/json' },
            body: '{"app": {"name": "my-app",'
          }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error::GET http:\/\/127\.0\.0\.1:\d+\/v1\/apps\/my-app answered 200: expected JSON, got a body that is not JSON/
      )
    ])
    expect(run.stdout).not.toMatch(/undefined|\[object Object\]/)
    expect(posts(sandbox)).toBe(0)
  })

  it.each([
    [
      'an HTML page',
      {
        status: 200,
        headers: { 'Content-Type': 'text/html' },
        body: '<!DOCTYPE html><html><head><title>Proxy error</title></head></html>'
      }
    ],
    ['an empty body', { status: 201, body: '' }],
    ['no "deployment" key', { status: 201, headers: { 'Content-Type': 'application/json' }, body: '{"id": "x"}' }]
  ])(
    '%s answering the POST (nothing created): looked up, then a clear error, never a second POST',
    async (_n, fault) => {
      sandbox = await startSandbox({ scalingo: { faults: [{ method: 'POST', path: '/deployments', ...fault }] } })
      const run = await runAction({ env: sandbox.env() })
      expect(run.code).toBe(1)
      expect(posts(sandbox)).toBe(1)
      expect(sandbox.scalingo.allDeployments()).toHaveLength(0)
      expect(run.stdout).toMatch(/::warning::The deployment request got no clear answer/)
      expect(errorLines(run)).toEqual([expect.stringMatching(/no matching deployment appeared on the app/)])
      expect(run.stdout).not.toMatch(/undefined|\[object Object\]/)
    },
    30_000
  )

  it('a deployment GET without the "deployment" key, again and again mid-follow: a clear error', async () => {
    sandbox = await startSandbox({
      scalingo: {
        timeline: steady,
        stream: { mode: 'absent' },
        faults: [
          {
            method: 'GET',
            path: DEP,
            times: 100,
            status: 200,
            headers: { 'Content-Type': 'application/json' },
            body: '{}'
          }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/Scalingo answered GET deployment [0-9a-f]+ without a deployment/)
    ])
  })
})

/** Runs the action on a long build, and sends it `signal` as soon as it says the build started. */
async function cancelWhileBuilding(
  inputs: Record<string, string>,
  signal: NodeJS.Signals
): Promise<{ run: ActionRun; sentAt: number }> {
  sandbox = await startSandbox({
    scalingo: {
      timeline: [
        { afterMs: 100, status: 'building' },
        { afterMs: 60_000, status: 'success' }
      ]
    }
  })
  let sentAt = 0
  const run = await runAction({
    env: sandbox.env(inputs),
    onSpawn: child => {
      child.stdout?.on('data', (c: Buffer) => {
        if (!sentAt && String(c).includes('→ building')) {
          sentAt = Date.now()
          child.kill(signal)
        }
      })
    }
  })
  return { run, sentAt }
}

describe('cancellation', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s mid-follow: says which deployment keeps running, exits promptly, one deployment',
    async signal => {
      const { run, sentAt } = await cancelWhileBuilding({}, signal)
      const [d] = sandbox.scalingo.allDeployments()
      expect(sentAt).toBeGreaterThan(0)
      expect(run.code).toBe(1)
      expect(Date.now() - sentAt).toBeLessThan(3000)
      expect(errorLines(run)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^::error::cancelled \\(${signal}\\): deployment ${d.id} is still building on Scalingo and was not stopped; follow it with: scalingo --region osc-fr1 --app my-app deployment-follow`
          )
        )
      ])
      expect(run.outputs['deployment-id']).toBe(d.id)
      expect(run.summary).toContain(d.id)
      expect(sandbox.scalingo.allDeployments()).toHaveLength(1)
      expect(d.status).toBe('building')
    }
  )

  it('a GitHub deployment of a cancelled run ends error ("cancelled"), within the runner\'s grace period', async () => {
    const { run, sentAt } = await cancelWhileBuilding({ environment: 'production' }, 'SIGINT')
    expect(run.code).toBe(1)
    expect(Date.now() - sentAt).toBeLessThan(7_500)
    const [gh] = sandbox.github.deployments
    expect(gh.statuses.map(s => s.state)).toEqual(['in_progress', 'error'])
    expect(gh.statuses[1].description).toBe('cancelled')
  })

  it('before anything was created, says so', async () => {
    sandbox = await startSandbox({ github: { faults: [{ path: '/commits/', times: 10, action: 'hang' }] } })
    const run = await runAction({
      env: sandbox.env(),
      // Signal once the action is stuck on the commit lookup: a fixed delay
      // could land before Node has even loaded the bundle on a busy machine.
      onSpawn: child => {
        const waiting = setInterval(() => {
          if (!sandbox.github.requests.some(r => r.path.includes('/commits/'))) return
          clearInterval(waiting)
          child.kill('SIGTERM')
        }, 20)
        child.on('exit', () => clearInterval(waiting))
      }
    })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual(['::error::cancelled (SIGTERM) before any deployment was created'])
    expect(posts(sandbox)).toBe(0)
  })
})

describe('build output that is hard to print', () => {
  it('ANSI colours and bytes that are not UTF-8 are printed safely', async () => {
    const ansi = '\u001b[1;31m!     npm ERR! code ELIFECYCLE\u001b[0m'
    sandbox = await startSandbox({
      scalingo: {
        timeline: [
          { afterMs: 100, status: 'building', log: [ansi] },
          { afterMs: 200, status: 'build-error' }
        ],
        stream: { mode: 'refuse' },
        faults: [
          {
            method: 'GET',
            path: /\/output$/,
            times: 10,
            status: 200,
            headers: { 'Content-Type': 'text/plain' },
            body: Buffer.concat([
              Buffer.from(`${ansi}\ncaf`),
              Buffer.from([0xe9, 0xff, 0xfe]),
              Buffer.from(' latin-1\n')
            ])
          }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(ansi)
    expect(run.stdout).toContain('caf\ufffd\ufffd\ufffd latin-1')
    expect(errorLines(run)).toHaveLength(1)
  })
})

describe('another deployment already running on the app', () => {
  it('waits behind it, says so, and never takes its status for ours', async () => {
    let n = 0
    sandbox = await startSandbox({
      scalingo: {
        timeline: () =>
          n++ === 0
            ? [
                { afterMs: 100, status: 'building', log: ['other build'] },
                { afterMs: 6500, status: 'build-error', log: ['other failed'] }
              ]
            : [
                { afterMs: 100, status: 'building', log: ['our build'] },
                { afterMs: 300, status: 'success' }
              ]
      }
    })
    const first = await runAction({ env: sandbox.env({ wait: 'false' }) })
    expect(first.code).toBe(0)
    const run = await runAction({ env: sandbox.env() })
    const [other, ours] = sandbox.scalingo.allDeployments()
    expect(other.status).toBe('build-error')
    expect(run.code).toBe(0)
    expect(run.outputs['deployment-id']).toBe(ours.id)
    expect(run.outputs.status).toBe('success')
    expect(run.stdout).toContain(
      `(deployment ${ours.id} waits in the queue behind deployment ${other.id}, which is building`
    )
    expect(run.stdout).not.toContain('other failed')
    expect(leaks(run, secretsOf(sandbox))).toEqual([])
  }, 30_000)
})

describe('the deadline holds for archives too', () => {
  it('a download of the archive that hangs ends at the timeout: a clear error, nothing created', async () => {
    sandbox = await startSandbox({ github: { faults: [{ path: '/legacy.tar.gz/', times: 100, action: 'hang' }] } })
    const run = await runAction({
      env: sandbox.env({ repository: 'acme/secret-shop', 'archive-transfer': 'upload', timeout: '3s' }),
      killAfterMs: 20_000
    })
    expect(run.signal).toBeNull()
    expect(run.code).toBe(1)
    expect(run.wallMs).toBeLessThan(10_000)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error::downloading the archive of [0-9a-f]{40} did not finish before the timeout; nothing was created/
      )
    ])
    expect(posts(sandbox)).toBe(0)
  })
})
