/**
 * End to end: canonical form first, then policy. A ref is put in the form
 * git itself accepts before any guard reads it, and the guards compare
 * what refs name, however they are written. GITHUB_API_URL is checked
 * whenever any GitHub request may happen.
 */
import { SHA_MAIN, SHA_TAG, runAction, startSandbox, webAnswers, type Sandbox } from '../../sandbox/index.js'
import { errorLines } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

describe('refs git would refuse are refused before any request', () => {
  it.each([
    'refs/./pull/42/head',
    'refs/pull/./42/head',
    'a/.hidden',
    '.hidden',
    'release.lock/v1',
    'v1.lock',
    'a//b',
    'v1/',
    'v1.',
    'a..b',
    'v1@{0}',
    '@',
    'a b',
    'v1~1',
    'v1^',
    'a:b',
    'a?b',
    'a*b',
    'a[b',
    'a\\b',
    'a\u007fb'
  ])('%j', async ref => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ ref }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([expect.stringMatching(/^::error::Input 'ref': /)])
    expect(sandbox.scalingo.requests).toHaveLength(0)
    expect(sandbox.github.requests).toHaveLength(0)
  })

  it.each(['refs/pull/42/head', 'pull/42/merge', 'REFS/PULL/42/head', 'Pull/42/head'])(
    'a pull request ref, however written (%j), is refused',
    async ref => {
      sandbox = await startSandbox()
      const run = await runAction({ env: sandbox.env({ ref }) })
      expect(run.code).toBe(1)
      expect(errorLines(run)[0]).toContain('is a pull request ref')
      expect(sandbox.scalingo.requests).toHaveLength(0)
    }
  )
})

describe('on a tag push, the tag is the tag however it is written', () => {
  const tagPush = { GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.2.0', GITHUB_REF: 'refs/tags/v1.2.0' }

  it.each(['v1.2.0', 'tags/v1.2.0', 'refs/tags/v1.2.0'])(
    '%j is checked for a move since the push, and refused when it moved',
    async ref => {
      sandbox = await startSandbox()
      const run = await runAction({ env: { ...sandbox.env({ ref }), ...tagPush, GITHUB_SHA: SHA_MAIN } })
      expect(run.code).toBe(1)
      expect(errorLines(run)[0]).toContain(`is the tag this workflow was pushed for, at ${SHA_MAIN}`)
      expect(sandbox.scalingo.requests).toHaveLength(0)
    }
  )

  it('refs/tags/v1.2.0 still at the pushed commit deploys', async () => {
    sandbox = await startSandbox()
    const run = await runAction({
      env: { ...sandbox.env({ ref: 'refs/tags/v1.2.0' }), ...tagPush, GITHUB_SHA: SHA_TAG }
    })
    expect(run.code).toBe(0)
    expect(run.outputs.sha).toBe(SHA_TAG)
  })
})

describe('GITHUB_API_URL is checked whenever a GitHub request may happen', () => {
  it.each([
    ['rollback', { 'health-check': '/health', rollback: 'true' }],
    ['environment', { environment: 'production' }]
  ])('with source-url and %s, plain http to another host is refused before any request', async (_what, inputs) => {
    sandbox = await startSandbox({ scalingo: { web: webAnswers.failing(503) } })
    const sourceUrl = `${sandbox.github.serverUrl}/acme/shop/archive/${SHA_MAIN}.tar.gz`
    const run = await runAction({
      env: { ...sandbox.env({ 'source-url': sourceUrl, ...inputs }), GITHUB_API_URL: 'http://github.internal.example' }
    })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/^::error::Input 'GITHUB_API_URL': must be an https:\/\/ URL/)
    ])
    expect(sandbox.scalingo.requests).toHaveLength(0)
  })

  it('with source-url and neither, GitHub is never called and the URL is not checked', async () => {
    sandbox = await startSandbox()
    const sourceUrl = `${sandbox.github.serverUrl}/acme/shop/archive/${SHA_MAIN}.tar.gz`
    const run = await runAction({
      env: { ...sandbox.env({ 'source-url': sourceUrl }), GITHUB_API_URL: 'http://github.internal.example' }
    })
    expect(run.code).toBe(0)
    expect(sandbox.github.requests.filter(r => r.server === 'github-api')).toHaveLength(0)
  })
})
