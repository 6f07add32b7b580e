/**
 * End to end: green means live, decided from the platform's state, not
 * from this run's memory. Variables changed after the live deployment
 * started (by a run whose deployment was never created, or by hand in the
 * dashboard) mean the live commit does not run as configured: it is
 * deployed again. Under every plausible behaviour of the undocumented
 * events API. An artifact stays an artifact; a dry run always plans.
 */
import { SHA_MAIN, runAction, startSandbox, type EventsBehaviour, type Sandbox } from '../../sandbox/index.js'
import { errorLines, posts, readable, scalingoCalls } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

const VALUE = 'value-of-feature-flag-0123456789'
const HOUR = 3_600_000

/** The events API as each switch makes it. */
const behaviours: [string, EventsBehaviour][] = [
  ['one edit_variables event per bulk write', {}],
  ['one event per variable, no event for a write that changes nothing', { bulk: 'per-variable', noopWrites: 'skip' }],
  ['pages in no order, 5 events a page at most', { order: 'shuffled', maxPerPage: 5 }]
]

describe.each(behaviours)('variables applied, deployment never made (%s)', (_name, events) => {
  it('the next run deploys the live commit again, naming the variable, never its value', async () => {
    sandbox = await startSandbox({ scalingo: { events } })
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success', ageMs: HOUR })
    // Events of other kinds since the live deployment: read past, never taken for variable changes.
    for (let i = 0; i < 12; i++) sandbox.scalingo.recordEvent('my-app', 'restart', {}, Date.now() - HOUR / 2 + i)
    sandbox.scalingo.faults = [
      { method: 'POST', path: '/v1/apps/my-app/deployments', status: 422, body: '{"errors":{"app":["is locked"]}}' }
    ]
    const inputs = { variables: `FEATURE_FLAG=${VALUE}` }
    const first = await runAction({ env: sandbox.env(inputs) })
    expect(first.code).toBe(1)
    expect(sandbox.scalingo.apps.get('my-app')!.variables.map(v => v.name)).toEqual(['FEATURE_FLAG'])

    const second = await runAction({ env: sandbox.env(inputs) })
    expect(errorLines(second)).toEqual([])
    expect(second.outputs.status).toBe('success')
    expect(posts(sandbox)).toBe(2) // the refused one, then this run's
    expect(second.stdout).toMatch(
      new RegExp(`${SHA_MAIN} is live, but variables changed after deployment \\S+ started \\(FEATURE_FLAG; last at `)
    )
    expect(readable(second)).not.toContain(VALUE)

    // And now it runs: the third run skips.
    const third = await runAction({ env: sandbox.env(inputs) })
    expect(third.outputs.status).toBe('skipped')
    expect(posts(sandbox)).toBe(2)
  })
})

describe('variables changed by hand in the dashboard', () => {
  it('a value edited since the live deployment started: deployed again, the name told, the value never', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success', ageMs: HOUR })
    sandbox.scalingo.setVariableByHand('my-app', 'SMTP_PASSWORD', 'hand-typed-secret-value-42', 60_000)
    const run = await runAction({ env: sandbox.env() })
    expect(run.outputs.status).toBe('success')
    expect(posts(sandbox)).toBe(1)
    expect(run.stdout).toContain('(SMTP_PASSWORD; last at ')
    expect(readable(run)).not.toContain('hand-typed-secret-value-42')
  })

  it('a change from before the live deployment started is already running: skipped', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.setVariableByHand('my-app', 'SMTP_PASSWORD', 'older-value', 2 * HOUR)
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success', ageMs: HOUR })
    const run = await runAction({ env: sandbox.env() })
    expect(run.outputs.status).toBe('skipped')
    expect(posts(sandbox)).toBe(0)
  })

  it('reads the events back to the live deployment, no further', async () => {
    sandbox = await startSandbox({ scalingo: { events: { maxPerPage: 50 } } })
    // 200 old events (before the live deployment), 60 since, none of them a variable change.
    for (let i = 0; i < 200; i++) sandbox.scalingo.recordEvent('my-app', 'restart', {}, Date.now() - 3 * HOUR + i)
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success', ageMs: HOUR })
    for (let i = 0; i < 60; i++) sandbox.scalingo.recordEvent('my-app', 'scale', {}, Date.now() - HOUR / 2 + i)
    const run = await runAction({ env: sandbox.env() })
    expect(run.outputs.status).toBe('skipped')
    // Page 1 holds 50 newer events, page 2 reaches past the live deployment's start: two pages, not six.
    expect(scalingoCalls(sandbox).filter(c => c === 'GET /v1/apps/my-app/events')).toHaveLength(2)
  })

  it('when the events cannot be read, deploys rather than skips, and says why', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success', ageMs: HOUR })
    sandbox.scalingo.faults = [
      { method: 'GET', path: '/events', times: 20, status: 503, headers: { 'Retry-After': '0' } }
    ]
    const run = await runAction({ env: sandbox.env() })
    expect(run.outputs.status).toBe('success')
    expect(posts(sandbox)).toBe(1)
    expect(run.stdout).toContain(`${SHA_MAIN} is live, but whether a variable changed since deployment`)
  })
})

describe('an artifact stays an artifact', () => {
  it('source-url with a full SHA as ref records <sha>-artifact; a later archive run of that commit deploys', async () => {
    sandbox = await startSandbox()
    const sourceUrl = `${sandbox.github.serverUrl}/acme/shop/archive/${SHA_MAIN}.tar.gz`
    const artifact = await runAction({ env: sandbox.env({ 'source-url': sourceUrl, ref: SHA_MAIN.toUpperCase() }) })
    expect(artifact.outputs.status).toBe('success')
    expect(sandbox.scalingo.allDeployments().map(d => d.git_ref)).toEqual([`${SHA_MAIN}-artifact`])

    const archive = await runAction({ env: sandbox.env() })
    expect(archive.outputs.status).toBe('success')
    expect(posts(sandbox)).toBe(2)
  })

  it('promote-from refuses an artifact deployed with an explicit SHA instead of rebuilding it from GitHub', async () => {
    sandbox = await startSandbox({ scalingo: { apps: { 'my-app': {}, 'my-app-staging': {} } } })
    const sourceUrl = `${sandbox.github.serverUrl}/acme/shop/archive/${SHA_MAIN}.tar.gz`
    const staged = await runAction({
      env: sandbox.env({ app: 'my-app-staging', 'source-url': sourceUrl, ref: SHA_MAIN })
    })
    expect(staged.outputs.status).toBe('success')
    const run = await runAction({ env: sandbox.env({ 'promote-from': 'my-app-staging' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toContain('not a commit SHA: it was deployed from an artifact')
    expect(posts(sandbox)).toBe(0)
  })
})

describe('a dry run always plans', () => {
  it('on a commit that is already live: checks the archive, plans, and says it would skip and why', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success', ageMs: HOUR })
    const run = await runAction({ env: sandbox.env({ 'dry-run': 'true' }) })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('dry-run')
    expect(run.stdout).toContain(`decision: would skip: ${SHA_MAIN} is already live on my-app`)
    expect(run.summary).toContain('dry run')
    expect(sandbox.github.requests.some(r => r.method === 'HEAD' && r.path.includes(`${SHA_MAIN}.tar.gz`))).toBe(true)
    expect(posts(sandbox)).toBe(0)
  })

  it('says it would deploy, and why, when a variable changed since', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success', ageMs: HOUR })
    sandbox.scalingo.setVariableByHand('my-app', 'API_KEY', 'typed-in-the-dashboard', 1000)
    const run = await runAction({ env: sandbox.env({ 'dry-run': 'true' }) })
    expect(run.outputs.status).toBe('dry-run')
    expect(run.stdout).toContain('decision: would deploy (')
    expect(run.stdout).toContain('(API_KEY; last at ')
    expect(posts(sandbox)).toBe(0)
  })
})
