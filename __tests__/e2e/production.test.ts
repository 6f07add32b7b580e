/**
 * End to end: the production features, each with its failure and
 * no-permission paths: skip-if-live, dry-run, env-file, GitHub Deployments,
 * promotion from another app.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_API_TOKEN, SHA_MAIN, SHA_TAG, runAction, startSandbox, type Sandbox } from '../../sandbox/index.js'
import { errorLines, leaks, posts, scalingoCalls } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

describe('skip what is already live', () => {
  it('skips a commit that is the latest successful deployment, unless force', async () => {
    sandbox = await startSandbox()
    const live = sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success' })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('skipped')
    expect(run.outputs['deployment-id']).toBe(live.id)
    expect(posts(sandbox)).toBe(0)
    expect(run.stdout).toContain(`Skipped: ${SHA_MAIN} is already live on my-app (deployment ${live.id}`)
    expect(run.summary).toContain('skipped: already live')
    const forced = await runAction({ env: sandbox.env({ force: 'true' }) })
    expect(forced.code).toBe(0)
    expect(forced.outputs.status).toBe('success')
    expect(posts(sandbox)).toBe(1)
  })

  it('a deployment list that cannot be read only costs the check: a warning, then the deployment', async () => {
    // What runs is this commit, but whether another deployment is on its way cannot be told.
    sandbox = await startSandbox({
      scalingo: {
        faults: [{ method: 'GET', path: '/deployments?page=', times: 10, status: 404, body: '{"error":"not found"}' }]
      }
    })
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success' })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /::warning::Could not check whether this commit is already live \(GET .* answered 404: not found\); deploying it/
    )
    expect(posts(sandbox)).toBe(1)
  })

  it('deploys when the live commit is another one, or the last deployment of this commit failed', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success', ageMs: 7_200_000 })
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_TAG, status: 'success', ageMs: 3_600_000 })
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'build-error', ageMs: 60_000 })
    const run = await runAction({ env: sandbox.env() })
    expect(run.outputs.status).toBe('success')
    expect(posts(sandbox)).toBe(1)
  })
})

describe('dry-run', () => {
  it('checks token, app, commit and archive, prints the plan, creates nothing', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ 'dry-run': 'true', ref: 'v1.2.0' }) })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('dry-run')
    expect(run.outputs.sha).toBe(SHA_TAG)
    expect(posts(sandbox)).toBe(0)
    expect(scalingoCalls(sandbox)).toEqual([
      'POST /v1/tokens/exchange',
      'GET /v1/apps/my-app',
      'GET /v1/apps/my-app/deployments'
    ])
    expect(
      sandbox.github.requests.some(r => r.method === 'HEAD' && r.path === `/acme/shop/archive/${SHA_TAG}.tar.gz`)
    ).toBe(true)
    expect(run.stdout).toContain('Dry run: everything checked, nothing created.')
    expect(run.summary).toContain('dry run: everything checked, nothing created')
    expect(run.summary).toContain(`commit: ${SHA_TAG}`)
  })

  it('still fails on a refused token or an unknown app', async () => {
    sandbox = await startSandbox()
    const bad = await runAction({ env: sandbox.env({ 'dry-run': 'true', app: 'ghost' }) })
    expect(bad.code).toBe(1)
    expect(errorLines(bad)).toEqual([expect.stringMatching(/app "ghost" was not found in region osc-fr1/)])
  })
})

describe('env-file', () => {
  function workspace(content: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'workspace-'))
    writeFileSync(join(dir, '.env.production'), content)
    return dir
  }

  it("sets the file's variables in one call before deploying, logs names only, leaves others alone", async () => {
    sandbox = await startSandbox()
    const app = sandbox.scalingo.apps.get('my-app')!
    app.variables.push(
      { id: 'v1', name: 'KEEP', value: 'kept-value-1' },
      { id: 'v2', name: 'CHANGE', value: 'old-value-2' },
      { id: 'v3', name: 'SAME', value: 'same-value-3' }
    )
    const dir = workspace(
      '# production\nCHANGE=new-value-2\nexport ADDED="s3cret value with spaces"\nSAME=same-value-3\n\nPLAIN=plain-value-4 # a comment\n'
    )
    const run = await runAction({ env: { ...sandbox.env({ 'env-file': '.env.production' }), GITHUB_WORKSPACE: dir } })
    expect(run.code).toBe(0)
    expect(Object.fromEntries(app.variables.map(v => [v.name, v.value]))).toEqual({
      KEEP: 'kept-value-1',
      CHANGE: 'new-value-2',
      SAME: 'same-value-3',
      ADDED: 's3cret value with spaces',
      PLAIN: 'plain-value-4'
    })
    const calls = scalingoCalls(sandbox)
    expect(calls.filter(c => c === 'PUT /v1/apps/my-app/variables')).toHaveLength(1)
    // Set before the deployment is created.
    expect(calls.indexOf('PUT /v1/apps/my-app/variables')).toBeLessThan(
      calls.indexOf('POST /v1/apps/my-app/deployments')
    )
    expect(run.stdout).toContain('env-file: added ADDED, PLAIN; changed CHANGE (1 unchanged)')
    expect(run.summary).toContain(
      '| Variables (env-file) | <code>added ADDED, PLAIN; changed CHANGE &#40;1 unchanged&#41;</code> |'
    )
    expect(leaks(run, ['new-value-2', 's3cret value with spaces', 'plain-value-4', 'same-value-3'])).toEqual([])
  })

  it('a malformed line fails before anything changes, with no request at all', async () => {
    sandbox = await startSandbox()
    const dir = workspace('GOOD=1\nthis line is wrong\n')
    const run = await runAction({ env: { ...sandbox.env({ 'env-file': '.env.production' }), GITHUB_WORKSPACE: dir } })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual(["::error::Input 'env-file': line 2 is not NAME=value"])
    expect(sandbox.scalingo.requests).toHaveLength(0)
    expect(sandbox.github.requests).toHaveLength(0)
  })

  it.each([
    ['a ../ path', (_dir: string) => '../outside/.env'],
    [
      'a symlink pointing out',
      (dir: string) => (symlinkSync(join(dir, '..', 'outside', '.env'), join(dir, 'link.env')), 'link.env')
    ]
  ])('refuses a real dotenv file outside the workspace given as %s, before any request', async (_n, input) => {
    sandbox = await startSandbox()
    const root = mkdtempSync(join(tmpdir(), 'runner-'))
    mkdirSync(join(root, 'workspace'))
    mkdirSync(join(root, 'outside'))
    writeFileSync(join(root, 'outside', '.env'), 'STOLEN=value-from-outside\n')
    const dir = join(root, 'workspace')
    const run = await runAction({ env: { ...sandbox.env({ 'env-file': input(dir) }), GITHUB_WORKSPACE: dir } })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual(["::error::Input 'env-file': must be a file inside the workspace"])
    expect(sandbox.scalingo.requests).toHaveLength(0)
    expect(sandbox.scalingo.apps.get('my-app')!.variables).toEqual([])
  })
})

describe('GitHub Deployments (environment)', () => {
  it('records in_progress with the run link, then success with the app URL', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ environment: 'production' }) })
    expect(run.code).toBe(0)
    const [d] = sandbox.github.deployments
    expect(d).toMatchObject({
      sha: SHA_MAIN,
      environment: 'production',
      payload: expect.objectContaining({ auto_merge: false, required_contexts: [], production_environment: true })
    })
    expect(d.statuses.map(s => s.state)).toEqual(['in_progress', 'success'])
    expect(d.statuses[0].log_url).toBe(`${sandbox.github.serverUrl}/acme/shop/actions/runs/4242`)
    expect(d.statuses[1].environment_url).toBe('https://my-app.osc-fr1.scalingo.io')
    expect(run.summary).toContain(`| GitHub deployment | <code>${d.id} in environment "production"</code> |`)
  })

  it('records failure when the Scalingo deployment fails', async () => {
    sandbox = await startSandbox({ scalingo: { timeline: [{ afterMs: 100, status: 'build-error' }] } })
    const run = await runAction({ env: sandbox.env({ environment: 'staging' }) })
    expect(run.code).toBe(1)
    expect(sandbox.github.deployments[0].statuses.map(s => s.state)).toEqual(['in_progress', 'failure'])
    expect(sandbox.github.deployments[0].payload.production_environment).toBe(false)
  })

  it('without deployments: write, warns once and deploys anyway', async () => {
    sandbox = await startSandbox({ github: { deploymentsWrite: false } })
    const run = await runAction({ env: sandbox.env({ environment: 'production' }) })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('success')
    const warnings = run.stdout.split('\n').filter(l => l.startsWith('::warning'))
    expect(run.summary).toContain(
      '| GitHub deployment | <code>not recorded in "production" &#40;see the warning&#41;</code> |'
    )
    expect(warnings).toEqual([
      expect.stringMatching(
        /Could not record a GitHub deployment in "production" \(403: Resource not accessible by integration\); give the workflow "permissions: deployments: write"/
      )
    ])
  })
})

describe('promotion (promote-from)', () => {
  it("deploys the commit of the other app's latest successful deployment", async () => {
    sandbox = await startSandbox({ scalingo: { apps: { 'my-app': {}, 'my-app-staging': {} } } })
    const staged = sandbox.scalingo.seedDeployment('my-app-staging', { git_ref: SHA_TAG, status: 'success' })
    sandbox.scalingo.seedDeployment('my-app-staging', { git_ref: SHA_MAIN, status: 'build-error', ageMs: 1000 })
    const run = await runAction({ env: sandbox.env({ 'promote-from': 'my-app-staging' }) })
    expect(run.code).toBe(0)
    expect(run.outputs.sha).toBe(SHA_TAG)
    expect(
      sandbox.scalingo
        .allDeployments()
        .filter(d => d.app === 'my-app')
        .map(d => d.git_ref)
    ).toEqual([SHA_TAG])
    expect(run.stdout).toContain(
      `Promoting ${SHA_TAG} from my-app-staging: its latest successful deployment ${staged.id}`
    )
    expect(run.summary).toContain(`Promoted from | <code>my-app-staging &#40;deployment ${staged.id}`)
  })

  it('fails clearly when the other app has no successful deployment', async () => {
    sandbox = await startSandbox({ scalingo: { apps: { 'my-app': {}, 'my-app-staging': {} } } })
    sandbox.scalingo.seedDeployment('my-app-staging', { git_ref: SHA_MAIN, status: 'build-error' })
    const run = await runAction({ env: sandbox.env({ 'promote-from': 'my-app-staging' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/^::error::app "my-app-staging" has no successful deployment to promote/)
    ])
    expect(posts(sandbox)).toBe(0)
  })

  it('uses promote-from-api-token for the other app', async () => {
    const staging = 'tk-us-staging-account-token-0123456789'
    sandbox = await startSandbox({
      scalingo: { apps: { 'my-app': {}, 'my-app-staging': {} }, apiTokens: [DEFAULT_API_TOKEN, staging] }
    })
    sandbox.scalingo.seedDeployment('my-app-staging', { git_ref: SHA_TAG, status: 'success' })
    const run = await runAction({
      env: sandbox.env({ 'promote-from': 'my-app-staging', 'promote-from-api-token': staging })
    })
    expect(run.code).toBe(0)
    const basics = sandbox.scalingo.requests
      .filter(r => r.path === '/v1/tokens/exchange')
      .map(r => Buffer.from(String(r.headers.authorization).slice(6), 'base64').toString())
    expect(basics).toEqual([`:${staging}`, `:${DEFAULT_API_TOKEN}`])
    expect(leaks(run, [staging])).toEqual([])
  })

  it('an unknown promote-from app is explained like the main one: which app, which region, what to check', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ 'promote-from': 'my-app-stagng' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error::app "my-app-stagng" was not found in region osc-fr1 \(404: not found\) \(check promote-from and promote-from-region; the app may live in another region, or the account of promote-from-api-token has no access to it\)/
      )
    ])
    expect(posts(sandbox)).toBe(0)
  })

  it('refuses ref together with promote-from', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ 'promote-from': 'my-app-staging', ref: 'main' }) })
    expect(errorLines(run)).toEqual([
      "::error::Input 'ref': cannot be combined with promote-from (the commit comes from the promoted app)"
    ])
    expect(sandbox.scalingo.requests).toHaveLength(0)
  })
})
