/**
 * End to end: dist/index.js run as the runner runs it, against the loopback
 * Scalingo and GitHub sandboxes.
 */
import {
  DEFAULT_GITHUB_TOKEN,
  SHA_MAIN,
  SHA_TAG,
  runAction,
  startSandbox,
  type Sandbox,
  type Step
} from '../../sandbox/index.js'
import { errorLines, leaks, scalingoCalls, secretsOf } from '../helpers.js'

let sandbox: Sandbox
const slowTimeline: Step[] = [
  { afterMs: 600, status: 'building', log: ['-----> Downloading archive', '-----> Installing dependencies'] },
  { afterMs: 600, status: 'pushing', log: ['-----> Pushing image'] },
  { afterMs: 600, status: 'starting' },
  { afterMs: 600, status: 'success', log: ['-----> Application deployed'] }
]
afterEach(async () => {
  await sandbox?.close()
})

describe('deploying a public repository', () => {
  it('resolves a tag to its SHA, deploys the public archive and follows it to success', async () => {
    // Each status lasts longer than a poll, so every change is seen.
    sandbox = await startSandbox({ scalingo: { timeline: slowTimeline } })
    const run = await runAction({ env: sandbox.env({ ref: 'v1.2.0' }) })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)

    const [d] = sandbox.scalingo.allDeployments()
    expect(sandbox.scalingo.allDeployments()).toHaveLength(1)
    expect(d.git_ref).toBe(SHA_TAG)
    expect(d.source_url).toBe(`${sandbox.github.serverUrl}/acme/shop/archive/${SHA_TAG}.tar.gz`)

    expect(run.outputs).toEqual({
      'deployment-id': d.id,
      status: 'success',
      sha: SHA_TAG,
      'archive-url': `${sandbox.github.serverUrl}/acme/shop/archive/${SHA_TAG}.tar.gz`,
      'app-url': 'https://my-app.osc-fr1.scalingo.io',
      duration: String(d.duration),
      health: '',
      'previous-sha': '',
      'rolled-back': 'false'
    })
    // Status changes as they happened, and the build output in a collapsed group.
    expect(run.stdout).toMatch(/queued → building: the buildpack is building the app/)
    expect(run.stdout).toMatch(/starting → success: the new version is running/)
    expect(run.stdout).toMatch(
      /::group::Build output \((queued|building)\)\n::stop-commands::[0-9a-f]{32}\n-----> Downloading archive/
    )
    // The summary tells the whole story.
    expect(run.summary).toContain('✅ Scalingo deployment succeeded')
    expect(run.summary).toContain(`<code>v1&#46;2&#46;0</code> → <code>${SHA_TAG}</code>`)
    expect(run.summary).toContain(d.id)
    expect(run.summary).toContain('https://my-app.osc-fr1.scalingo.io')
    expect(run.summary).toContain('https://dashboard.scalingo.com/apps/osc-fr1/my-app')

    const calls = scalingoCalls(sandbox)
    expect(calls.filter(c => c === 'POST /v1/tokens/exchange')).toHaveLength(1)
    expect(calls.filter(c => c === 'POST /v1/apps/my-app/deployments')).toHaveLength(1)
    expect(leaks(run, secretsOf(sandbox))).toEqual([])
  })

  it('deploys the workflow SHA when ref is empty, with git_ref set to it', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(sandbox.scalingo.allDeployments()[0].git_ref).toBe(SHA_MAIN)
    expect(run.outputs.sha).toBe(SHA_MAIN)
    const commits = sandbox.github.requests.find(r => r.path.includes('/commits/'))
    expect(commits?.path).toBe(`/repos/acme/shop/commits/${SHA_MAIN}`)
    expect(commits?.headers.accept).toBe('application/vnd.github.sha')
  })

  it('resolves a branch and a short SHA to the full SHA', async () => {
    // The first build never ends here: were it live before the second run reads the app, SHA_TAG
    // (older) would be refused by the downgrade guard, on a loaded machine only.
    sandbox = await startSandbox({ scalingo: { timeline: [{ afterMs: 60_000, status: 'building' }] } })
    const branch = await runAction({ env: sandbox.env({ ref: 'main', wait: 'false' }) })
    const short = await runAction({ env: sandbox.env({ ref: SHA_TAG.slice(0, 7), wait: 'false' }) })
    expect(branch.outputs.sha).toBe(SHA_MAIN)
    expect(short.outputs.sha).toBe(SHA_TAG)
    expect(sandbox.scalingo.allDeployments().map(d => d.git_ref)).toEqual([SHA_MAIN, SHA_TAG])
  })

  it('sends the Scalingo token only as basic-auth password to the auth service, and the bearer to the API', async () => {
    sandbox = await startSandbox()
    await runAction({ env: sandbox.env({ wait: 'false' }) })
    const exchange = sandbox.scalingo.requests.find(r => r.path === '/v1/tokens/exchange')!
    expect(exchange.server).toBe('scalingo-auth')
    const decoded = Buffer.from(String(exchange.headers.authorization).replace(/^Basic /, ''), 'base64').toString()
    expect(decoded).toBe(`:${sandbox.scalingo.apiTokens[0]}`)
    for (const r of sandbox.scalingo.requests.filter(x => x.server === 'scalingo-api')) {
      expect(r.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
      expect(r.headers['user-agent']).toMatch(/^scalingo-deploy-action\//)
    }
    const post = sandbox.scalingo.requests.find(r => r.method === 'POST' && r.server === 'scalingo-api')!
    expect(JSON.parse(post.body)).toEqual({
      deployment: { git_ref: SHA_MAIN, source_url: `${sandbox.github.serverUrl}/acme/shop/archive/${SHA_MAIN}.tar.gz` }
    })
    expect(post.headers['content-type']).toBe('application/json')
  })
})

describe('deploying a private repository', () => {
  it('with archive-transfer: url, hands Scalingo the signed tarball URL and never shows it', async () => {
    sandbox = await startSandbox()
    const run = await runAction({
      env: sandbox.env({ repository: 'acme/secret-shop', ref: 'v1.2.0', 'archive-transfer': 'url' })
    })
    expect(run.code).toBe(0)
    const [d] = sandbox.scalingo.allDeployments()
    // Scalingo got the signed codeload URL, and could fetch it.
    expect(d.source_url).toMatch(
      new RegExp(`^${sandbox.github.codeloadUrl}/acme/secret-shop/legacy.tar.gz/${SHA_TAG}\\?token=GHSAT`)
    )
    expect(d.status).toBe('success')
    // The output is the plain form, without credentials.
    expect(run.outputs['archive-url']).toBe(`${sandbox.github.serverUrl}/acme/secret-shop/archive/${SHA_TAG}.tar.gz`)
    const token = new URL(d.source_url).searchParams.get('token')!
    expect(run.stdout).toContain(`::add-mask::${d.source_url}`)
    expect(run.stdout).toContain(`::add-mask::${token}`)
    expect(leaks(run, [...secretsOf(sandbox), d.source_url, token])).toEqual([])
    expect(run.stdout).toContain(
      'acme/secret-shop is private: its archive is fetched by Scalingo through a signed, short-lived GitHub URL (masked), minted once the app is free'
    )
  })

  it('fails clearly when the GitHub token cannot read the repository', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ repository: 'acme/secret-shop', 'github-token': '' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error::GitHub repository acme\/secret-shop was not found or is not readable with github-token \(404: Not Found\)/
      )
    ])
    expect(sandbox.scalingo.requests).toHaveLength(0)
  })
})

describe('source-url', () => {
  it('deploys the URL as given without asking GitHub, and masks a tokenized URL', async () => {
    sandbox = await startSandbox()
    const url = `${sandbox.github.codeloadUrl}/acme/shop/tar.gz/${SHA_MAIN}?sig=s3cr3t-signature-value`
    const run = await runAction({ env: sandbox.env({ 'source-url': url }) })
    expect(run.code).toBe(0)
    expect(sandbox.github.requests.filter(r => r.server === 'github-api')).toHaveLength(0)
    expect(sandbox.scalingo.allDeployments()[0].source_url).toBe(url)
    expect(run.outputs['archive-url']).toBe(`${sandbox.github.codeloadUrl}/acme/shop/tar.gz/${SHA_MAIN}`)
    expect(leaks(run, [url, 's3cr3t-signature-value'])).toEqual([])
  })
})

describe('wait: false', () => {
  it('returns once the deployment is created, without following it', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ wait: 'false' }) })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('queued')
    expect(run.outputs['deployment-id']).toBe(sandbox.scalingo.allDeployments()[0].id)
    expect(scalingoCalls(sandbox).filter(c => c.startsWith('GET /v1/apps/my-app/deployments/'))).toHaveLength(0)
    expect(run.summary).toContain('Not waited for')
  })
})

describe('unknown ref', () => {
  it('fails naming the ref, before any request to Scalingo', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ ref: 'v9.9.9' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error::ref "v9\.9\.9" was not found in acme\/shop \(422: No commit found for SHA: v9\.9\.9\)/
      )
    ])
    expect(sandbox.scalingo.requests).toHaveLength(0)
    expect(run.summary).toContain('❌ Scalingo deployment failed')
  })
})

describe('secrets on the wire', () => {
  it('sends the GitHub token to the GitHub API only', async () => {
    sandbox = await startSandbox()
    await runAction({ env: sandbox.env({ repository: 'acme/secret-shop', wait: 'false' }) })
    for (const r of sandbox.scalingo.requests) expect(JSON.stringify(r)).not.toContain(DEFAULT_GITHUB_TOKEN)
    for (const r of sandbox.github.requests.filter(x => x.server !== 'github-api'))
      expect(r.headers.authorization).toBeUndefined()
  })
})
