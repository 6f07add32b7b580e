/** End to end: HTTPS_PROXY and NO_PROXY are honoured, as a runner behind a corporate proxy needs. */
import { runAction, startProxy, startSandbox, type Sandbox, type TestProxy } from '../../sandbox/index.js'
import { errorLines } from '../helpers.js'

let sandbox: Sandbox
let proxy: TestProxy
afterEach(async () => {
  await proxy?.close()
  await sandbox?.close()
})

async function setup(): Promise<Record<string, string>> {
  sandbox = await startSandbox()
  proxy = await startProxy({
    'api.sandbox.test': sandbox.scalingo.apiUrl,
    'auth.sandbox.test': sandbox.scalingo.authUrl,
    'github-api.sandbox.test': sandbox.github.apiUrl
  })
  return {
    ...sandbox.env({ 'api-url': 'https://api.sandbox.test', 'auth-url': 'https://auth.sandbox.test' }),
    GITHUB_API_URL: 'https://github-api.sandbox.test',
    HTTPS_PROXY: proxy.url,
    NODE_EXTRA_CA_CERTS: proxy.caFile
  }
}

it('reaches GitHub and Scalingo through HTTPS_PROXY (hosts only the proxy can reach)', async () => {
  const env = await setup()
  const run = await runAction({ env })
  expect(errorLines(run)).toEqual([])
  expect(run.code).toBe(0)
  expect(run.outputs.status).toBe('success')
  expect(new Set(proxy.connects)).toEqual(
    new Set(['github-api.sandbox.test:443', 'auth.sandbox.test:443', 'api.sandbox.test:443'])
  )
})

it('goes direct for NO_PROXY hosts', async () => {
  const env = await setup()
  const run = await runAction({ env: { ...env, NO_PROXY: 'auth.sandbox.test' } })
  // Direct, auth.sandbox.test does not resolve: the proxy never saw it, and the error says so.
  expect(proxy.connects).not.toContain('auth.sandbox.test:443')
  expect(proxy.connects).toContain('github-api.sandbox.test:443')
  expect(run.code).toBe(1)
  expect(errorLines(run)).toEqual([
    expect.stringMatching(/POST https:\/\/auth\.sandbox\.test\/v1\/tokens\/exchange failed: (ENOTFOUND|EAI_AGAIN)/)
  ])
}, 60_000)
