/**
 * End to end: production safety. The health check after a successful
 * deployment, the rollback when it fails, and the downgrade guard before
 * anything is created.
 */
import {
  SHA_MAIN,
  SHA_TAG,
  defaultRepos,
  runAction,
  startSandbox,
  webAnswers,
  type Sandbox,
  type WebRequest
} from '../../sandbox/index.js'
import { errorLines, obeyedCommands, posts } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

const webRequests = (sb: Sandbox) => sb.scalingo.requests.filter(r => r.server === 'app-web')

describe('health-check', () => {
  it('passes on the first try: health ok, no credential sent to the app', async () => {
    sandbox = await startSandbox({ scalingo: { web: webAnswers.healthy } })
    const run = await runAction({ env: sandbox.env({ 'health-check': '/health' }) })
    expect(errorLines(run)).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs.health).toBe('ok')
    const [get] = webRequests(sandbox)
    expect(get.path).toBe('/health')
    expect(get.headers.authorization).toBeUndefined()
    expect(run.stdout).toContain('Health check: /health answered 200 (first try)')
    expect(run.summary).toContain('| Health check | ✅ ok — <code>/health answered 200 &#40;first try&#41;</code> |')
  })

  it('fails when the app never answers 2xx/3xx: one deployment, a clear error, health failed', async () => {
    sandbox = await startSandbox({ scalingo: { web: webAnswers.failing(503) } })
    const run = await runAction({ env: sandbox.env({ 'health-check': '/health', 'health-check-timeout': '4s' }) })
    expect(run.code).toBe(1)
    expect(run.outputs.health).toBe('failed')
    expect(run.outputs.status).toBe('success')
    expect(run.outputs['rolled-back']).toBe('false')
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error title=Health check failed::health check failed: \/health answered 503 for 4s \(the new version is live but not healthy/
      )
    ])
    expect(posts(sandbox)).toBe(1)
    // Tried right away, then after 1 s and 2 s: each failed try is logged.
    expect(webRequests(sandbox).length).toBeGreaterThanOrEqual(3)
    expect(run.stdout).toContain('(health check: /health answered 503; trying again in 1s)')
  }, 30_000)

  it('recovers within the timeout: an app warming up for 2.5 s is healthy', async () => {
    sandbox = await startSandbox({ scalingo: { web: webAnswers.failingFor(2500) } })
    const run = await runAction({ env: sandbox.env({ 'health-check': '/health', 'health-check-timeout': '20s' }) })
    expect(errorLines(run)).toEqual([])
    expect(run.outputs.health).toBe('ok')
    expect(run.stdout).toMatch(/Health check: \/health answered 200 \(after \d+ tries, \d+s\)/)
  }, 30_000)

  it('a redirect is an answer: healthy, and not followed', async () => {
    sandbox = await startSandbox({ scalingo: { web: webAnswers.redirecting } })
    const run = await runAction({ env: sandbox.env({ 'health-check': '/' }) })
    expect(run.outputs.health).toBe('ok')
    expect(run.stdout).toContain('Health check: / answered 302')
  })

  it('an app that hangs fails the check at its timeout', async () => {
    sandbox = await startSandbox({ scalingo: { web: webAnswers.hanging } })
    const run = await runAction({ env: sandbox.env({ 'health-check': '/health', 'health-check-timeout': '3s' }) })
    expect(run.code).toBe(1)
    expect(run.outputs.health).toBe('failed')
    expect(errorLines(run)[0]).toMatch(/health check failed: \/health gave no answer within/)
  }, 30_000)

  it('a full URL is checked as given', async () => {
    sandbox = await startSandbox({ scalingo: { web: webAnswers.healthy } })
    const run = await runAction({ env: sandbox.env({ 'health-check': `${sandbox.scalingo.webUrl}/ready?probe=1` }) })
    expect(run.outputs.health).toBe('ok')
    expect(webRequests(sandbox).map(r => r.path)).toEqual(['/ready?probe=1'])
  })

  it('a dry run lists the health check and the rollback plan', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_TAG, status: 'success' })
    const run = await runAction({
      env: sandbox.env({ 'dry-run': 'true', 'health-check': '/health', rollback: 'true' })
    })
    expect(run.code).toBe(0)
    expect(run.summary).toContain('health check: GET /health until it answers 2xx or 3xx, for up to 2m')
    expect(run.summary).toContain(`rollback: if the check fails, deploy ${SHA_TAG} (what runs now) again`)
  })

  it("a dry run shows a health-check URL without its query, which may carry a probe's key", async () => {
    sandbox = await startSandbox()
    const run = await runAction({
      env: sandbox.env({ 'dry-run': 'true', 'health-check': 'https://status.example.com/ready?key=probe-key-123' })
    })
    expect(run.code).toBe(0)
    expect(run.summary).toContain('health check: GET https://status.example.com/ready until it answers 2xx or 3xx')
    expect(run.stdout + run.summary).not.toContain('probe-key-123')
  })

  it.each([
    ['a plain-http URL', 'http://status.example.com/ready', /must be an https:\/\/ URL/],
    ['a URL with credentials', 'https://user:pw@status.example.com/', /must not contain credentials/],
    ['neither a path nor a URL', 'health', /is not a URL; expected a path like \/health, or an https:\/\/ URL/]
  ])('refuses %s before any request', async (_n, value, message) => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ 'health-check': value }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toMatch(message)
    expect(sandbox.scalingo.requests).toHaveLength(0)
  })
})

describe('rollback', () => {
  /** Healthy while the previous commit runs, failing once ours does. */
  const brokenByOurs = (r: WebRequest) =>
    r.live?.git_ref === SHA_MAIN ? { status: 500, body: 'boom' } : { status: 200, body: 'ok' }

  it('after a failed check: the previous commit deployed again and followed, two deployments, rolled-back true, the run still fails', async () => {
    sandbox = await startSandbox({ scalingo: { web: brokenByOurs } })
    const previous = sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_TAG, status: 'success' })
    const run = await runAction({
      env: sandbox.env({
        'health-check': '/health',
        'health-check-timeout': '2s',
        rollback: 'true',
        environment: 'production'
      })
    })
    expect(run.code).toBe(1)
    expect(run.outputs['previous-sha']).toBe(SHA_TAG)
    expect(run.outputs.health).toBe('failed')
    expect(run.outputs['rolled-back']).toBe('true')
    const created = sandbox.scalingo.allDeployments().filter(d => d.id !== previous.id)
    expect(created.map(d => [d.git_ref, d.status])).toEqual([
      [SHA_MAIN, 'success'],
      [SHA_TAG, 'success']
    ])
    expect(sandbox.scalingo.liveDeployment('my-app')?.git_ref).toBe(SHA_TAG)
    expect(run.stdout).toContain(
      `Rolling back to ${SHA_TAG}, which ran before this run (deployment ${previous.id}); the variables this run changed stay changed`
    )
    expect(run.stdout).toMatch(/\[\d+s\] rollback: queued/)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::error title=Health check failed::health check failed: /health answered 500 for 2s; rolled back to ${SHA_TAG}`
        )
      )
    ])
    expect(run.summary).toMatch(/\| Rollback \| ↩️ <code>deployment [0-9a-f]+ of [0-9a-f]{40} succeeded<\/code> \|/)
    expect(run.summary).toContain(`| Previous commit | <code>${SHA_TAG}</code> |`)
    const gh = sandbox.github.deployments[0]
    expect(gh.statuses.at(-1)).toMatchObject({
      state: 'failure',
      description: `Health check failed; rolled back to ${SHA_TAG}`
    })
  }, 40_000)

  it('with no previous commit: says why, and does not guess', async () => {
    sandbox = await startSandbox({ scalingo: { web: webAnswers.failing(503) } })
    const run = await runAction({
      env: sandbox.env({ 'health-check': '/health', 'health-check-timeout': '2s', rollback: 'true' })
    })
    expect(run.code).toBe(1)
    expect(run.outputs['rolled-back']).toBe('false')
    expect(run.outputs['previous-sha']).toBe('')
    expect(run.stdout).toContain('Rollback not done: no deployment was live before this run')
    expect(posts(sandbox)).toBe(1)
  }, 30_000)

  it('when someone deployed meanwhile: leaves it as it is', async () => {
    sandbox = await startSandbox({
      scalingo: {
        web: r => {
          // While our check runs, another run deploys: what is live is no longer ours.
          if (r.live?.git_ref === SHA_MAIN)
            sandbox.scalingo.seedDeployment('my-app', { git_ref: 'someone-else', status: 'success', ageMs: 0 })
          return { status: 503 }
        }
      }
    })
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_TAG, status: 'success' })
    const run = await runAction({
      env: sandbox.env({ 'health-check': '/health', 'health-check-timeout': '2s', rollback: 'true' })
    })
    expect(run.code).toBe(1)
    expect(run.outputs['rolled-back']).toBe('false')
    expect(run.stdout).toMatch(
      /Rollback not done: deployment [0-9a-f]+ is live now, not ours \([0-9a-f]+\): someone deployed meanwhile, left as it is/
    )
    expect(posts(sandbox)).toBe(1)
  }, 30_000)

  it('a failed deployment leaves the previous version running: no health check, no rollback', async () => {
    sandbox = await startSandbox({
      scalingo: {
        web: webAnswers.failing(503),
        timeline: [
          { afterMs: 100, status: 'building' },
          { afterMs: 100, status: 'build-error' }
        ]
      }
    })
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_TAG, status: 'success' })
    const run = await runAction({ env: sandbox.env({ 'health-check': '/health', rollback: 'true' }) })
    expect(run.code).toBe(1)
    expect(run.outputs.health).toBe('')
    expect(webRequests(sandbox)).toHaveLength(0)
    expect(posts(sandbox)).toBe(1)
  })
})

describe('the downgrade guard', () => {
  it('refuses a commit older than what runs, naming both, before creating anything', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success' })
    const run = await runAction({ env: sandbox.env({ ref: 'v1.2.0' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::error::${SHA_TAG} is older than ${SHA_MAIN}, which runs on my-app now: refusing to go back.*set force: true`
        )
      )
    ])
    expect(posts(sandbox)).toBe(0)
    const compare = sandbox.github.requests.find(r => r.path.includes('/compare/'))
    expect(compare?.path).toBe(`/repos/acme/shop/compare/${SHA_MAIN}...${SHA_TAG}`)
  })

  it('force: true deploys an older commit on purpose (a manual rollback), with a warning', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success' })
    const run = await runAction({ env: sandbox.env({ ref: 'v1.2.0', force: 'true' }) })
    expect(run.code).toBe(0)
    expect(obeyedCommands(run.stdout)).toContain(
      `::warning::${SHA_TAG} is older than ${SHA_MAIN}, which runs now: deploying it anyway (force: true)`
    )
  })

  it('diverged history is a warning; a compare GitHub cannot make is a warning; both deploy', async () => {
    const other = 'fedcba9876543210fedcba9876543210fedcba98'
    const repos = defaultRepos()
    repos['acme/shop'].commits = [other]
    sandbox = await startSandbox({ github: { repos } })
    sandbox.scalingo.seedDeployment('my-app', { git_ref: other, status: 'success' })
    const diverged = await runAction({ env: sandbox.env() })
    expect(diverged.code).toBe(0)
    expect(obeyedCommands(diverged.stdout).filter(l => l.startsWith('::warning'))).toEqual([
      expect.stringMatching(/have diverged: this deployment replaces commits that are not in it/)
    ])
    sandbox.github.faults = [
      { path: '/compare/', status: 403, body: '{"message":"Resource not accessible by integration"}' }
    ]
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_TAG, status: 'success', ageMs: 0 })
    const unknown = await runAction({ env: sandbox.env() })
    expect(unknown.code).toBe(0)
    expect(obeyedCommands(unknown.stdout).filter(l => l.startsWith('::warning'))).toEqual([
      expect.stringMatching(/Could not compare .* not checked for a downgrade/)
    ])
  })

  it('the summary links the deployed commit and what the release changes', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_TAG, status: 'success' })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    const server = sandbox.github.serverUrl
    expect(run.summary).toContain(`[commit](${server}/acme/shop/commit/${SHA_MAIN})`)
    expect(run.summary).toContain(
      `[changes since the previous commit](${server}/acme/shop/compare/${SHA_TAG}...${SHA_MAIN})`
    )
  })
})
