/** End to end: transient faults never fail a good deployment, and never create two. */
import { SHA_MAIN, runAction, startSandbox, type Sandbox, type Step } from '../../sandbox/index.js'
import { errorLines, leaks, posts, scalingoCalls, secretsOf } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

const longer: Step[] = [
  { afterMs: 300, status: 'building', log: ['-----> Building'] },
  { afterMs: 1200, status: 'pushing' },
  { afterMs: 300, status: 'success', log: ['-----> Done'] }
]

describe('transient failures', () => {
  it('503s and a dropped connection while following do not fail a successful deployment', async () => {
    sandbox = await startSandbox({
      scalingo: {
        timeline: longer,
        // Polling only: with the stream up, the GETs these faults spoil may never come.
        stream: { mode: 'absent' },
        faults: [
          {
            method: 'GET',
            path: /\/deployments\/[0-9a-f]+$/,
            skip: 1,
            times: 2,
            status: 503,
            body: '<html><title>503 Service Unavailable</title></html>',
            headers: { 'Content-Type': 'text/html' }
          },
          { method: 'GET', path: /\/deployments\/[0-9a-f]+$/, skip: 4, times: 1, action: 'reset' }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('success')
    expect(run.stdout).toMatch(/\(503; retrying in/)
    expect(errorLines(run)).toEqual([])
    expect(sandbox.scalingo.allDeployments()).toHaveLength(1)
  })

  it('retries the token exchange on 502/503 and a reset connection', async () => {
    sandbox = await startSandbox({
      scalingo: {
        faults: [
          { path: '/v1/tokens/exchange', times: 1, status: 502 },
          { path: '/v1/tokens/exchange', skip: 1, times: 1, action: 'reset' }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(scalingoCalls(sandbox).filter(c => c === 'POST /v1/tokens/exchange')).toHaveLength(3)
    expect(sandbox.scalingo.bearers.size).toBe(1)
  })

  it('honours Retry-After on a 429', async () => {
    sandbox = await startSandbox({
      scalingo: {
        faults: [
          {
            method: 'GET',
            path: /^\/v1\/apps\/my-app$/,
            times: 1,
            status: 429,
            headers: { 'Retry-After': '2', 'Content-Type': 'text/plain' },
            body: 'Retry later'
          }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env({ wait: 'false' }) })
    expect(run.code).toBe(0)
    const gets = sandbox.scalingo.requests.filter(r => r.method === 'GET' && r.path === '/v1/apps/my-app')
    expect(gets).toHaveLength(2)
    expect(gets[1].at - gets[0].at).toBeGreaterThanOrEqual(1900)
    expect(run.stdout).toMatch(/\(429; retrying in 2s, attempt 2\)/)
  })

  it('retries a deployment POST refused with 429: it was not processed', async () => {
    sandbox = await startSandbox({
      scalingo: {
        faults: [
          {
            method: 'POST',
            path: '/deployments',
            times: 1,
            status: 429,
            headers: { 'Retry-After': '1' },
            body: 'Retry later'
          }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(scalingoCalls(sandbox).filter(c => c === 'POST /v1/apps/my-app/deployments')).toHaveLength(2)
    expect(sandbox.scalingo.allDeployments()).toHaveLength(1)
  })

  it('exchanges the token again once when the bearer expires mid-follow', async () => {
    sandbox = await startSandbox({
      scalingo: {
        timeline: [
          { afterMs: 300, status: 'building', run: sb => sb.expireBearers() },
          { afterMs: 1200, status: 'success' }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(scalingoCalls(sandbox).filter(c => c === 'POST /v1/tokens/exchange')).toHaveLength(2)
    expect(sandbox.scalingo.requests.some(r => r.server === 'scalingo-api')).toBe(true)
    expect(leaks(run, secretsOf(sandbox))).toEqual([])
  })
})

describe('at most one deployment per run', () => {
  it('an ambiguous POST (processed, then the connection dropped) is found, not posted again', async () => {
    sandbox = await startSandbox({
      scalingo: { faults: [{ method: 'POST', path: '/deployments', times: 1, action: 'process-then-reset' }] }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(scalingoCalls(sandbox).filter(c => c === 'POST /v1/apps/my-app/deployments')).toHaveLength(1)
    expect(sandbox.scalingo.allDeployments()).toHaveLength(1)
    expect(run.outputs['deployment-id']).toBe(sandbox.scalingo.allDeployments()[0].id)
    expect(run.stdout).toMatch(
      /::warning::The deployment request got no clear answer .*looking for it instead of posting again/
    )
  })

  it('a 502 on the POST with no deployment created fails clearly without posting again', async () => {
    sandbox = await startSandbox({
      scalingo: { faults: [{ method: 'POST', path: '/deployments', times: 5, status: 502, body: 'Bad Gateway' }] }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    expect(scalingoCalls(sandbox).filter(c => c === 'POST /v1/apps/my-app/deployments')).toHaveLength(1)
    expect(sandbox.scalingo.allDeployments()).toHaveLength(0)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error::the deployment request got no clear answer and no matching deployment appeared on the app/
      )
    ])
  }, 30_000)

  it('an earlier deployment of the same commit, created seconds before our POST, is not mistaken for ours', async () => {
    sandbox = await startSandbox({ scalingo: { timeline: [{ afterMs: 50, status: 'build-error' }] } })
    const first = await runAction({ env: sandbox.env({ wait: 'false' }) })
    expect(first.code).toBe(0)
    const [earlier] = sandbox.scalingo.allDeployments()
    // Well inside the clock-skew window: only the ids read before the POST tell it apart.
    expect(Date.now() - earlier.createdAtMs).toBeLessThan(30_000)
    sandbox.scalingo.faults = [{ method: 'POST', path: '/deployments', times: 5, status: 504, body: 'Gateway Timeout' }]
    const second = await runAction({ env: sandbox.env() })
    expect(second.code).toBe(1)
    expect(second.outputs['deployment-id']).toBe('')
    expect(second.stdout).not.toContain(`Found the deployment the request created: ${earlier.id}`)
    expect(sandbox.scalingo.allDeployments()).toHaveLength(1)
  }, 30_000)
})

describe('at most one deployment per run, after a wait', () => {
  it('a deployment of the same commit that appears while we wait for a free app is never adopted as ours', async () => {
    sandbox = await startSandbox({ github: { signedUrlTtlSeconds: 60 } })
    sandbox.scalingo.seedRunning('my-app', 2500)
    // Another run ships the same commit while ours waits to mint its signed URL.
    let theirs = ''
    setTimeout(() => {
      theirs = sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success', ageMs: 0 }).id
    }, 800)
    sandbox.scalingo.faults = [{ method: 'POST', path: '/deployments', times: 5, status: 504, body: 'Gateway Timeout' }]
    const run = await runAction({
      env: sandbox.env({ repository: 'acme/secret-shop', 'archive-transfer': 'url', force: 'true' })
    })
    expect(theirs).not.toBe('')
    expect(run.stdout).toContain('Waiting until deployment')
    expect(run.stdout).not.toContain(`Found the deployment the request created: ${theirs}`)
    expect(run.code).toBe(1)
    expect(run.outputs['deployment-id']).toBe('')
    expect(posts(sandbox)).toBe(1)
  }, 30_000)
})

describe('at most once, precisely', () => {
  it.each([500, 502, 503, 504])(
    'a %d answering the POST may hide a created deployment: looked up, never posted again',
    async status => {
      sandbox = await startSandbox({
        scalingo: { faults: [{ method: 'POST', path: '/deployments', times: 5, status, body: 'oops' }] }
      })
      const run = await runAction({ env: sandbox.env() })
      expect(run.code).toBe(1)
      expect(posts(sandbox)).toBe(1)
      expect(run.stdout).toMatch(
        /::warning::The deployment request got no clear answer \(POST .* answered \d{3}: oops\); looking for it instead of posting again/
      )
      expect(scalingoCalls(sandbox).filter(c => c === 'GET /v1/apps/my-app/deployments').length).toBeGreaterThanOrEqual(
        2
      )
    },
    30_000
  )

  it('a connection dropped while the POST answer is read: the created deployment is found and followed, one POST', async () => {
    sandbox = await startSandbox({
      scalingo: { faults: [{ method: 'POST', path: '/deployments', action: 'process-then-cut-body' }] }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(errorLines(run)).toEqual([])
    expect(run.code).toBe(0)
    expect(posts(sandbox)).toBe(1)
    expect(sandbox.scalingo.allDeployments()).toHaveLength(1)
    expect(run.outputs['deployment-id']).toBe(sandbox.scalingo.allDeployments()[0].id)
    expect(run.outputs.status).toBe('success')
  })

  it('a connection dropped while an idempotent answer is read is retried like any network error', async () => {
    sandbox = await startSandbox({
      scalingo: {
        faults: [
          {
            method: 'GET',
            path: /^\/v1\/apps\/my-app$/,
            action: 'cut-body',
            status: 200,
            headers: { 'Content-Type': 'application/json' },
            body: '{"app":{"id":"x","name":"my-app","url":"https://x"}}'
          }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(errorLines(run)).toEqual([])
    expect(run.code).toBe(0)
    expect(scalingoCalls(sandbox).filter(c => c === 'GET /v1/apps/my-app')).toHaveLength(2)
  })

  it("finds our deployment though Scalingo's clock is 30 s behind the runner's", async () => {
    sandbox = await startSandbox({
      scalingo: {
        clockSkewMs: -30_000,
        faults: [{ method: 'POST', path: '/deployments', action: 'process-then-reset' }]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(errorLines(run)).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs['deployment-id']).toBe(sandbox.scalingo.allDeployments()[0].id)
    expect(posts(sandbox)).toBe(1)
  })
})
