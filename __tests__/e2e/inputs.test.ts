/** End to end: bad input fails with one clear line and makes no request at all. */
import { runAction, startSandbox, type Sandbox } from '../../sandbox/index.js'
import { errorLines } from '../helpers.js'

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await startSandbox()
})
afterAll(async () => {
  await sandbox.close()
})

const cases: [string, Record<string, string>, RegExp][] = [
  ['no app', { app: '' }, /Input 'app': is required/],
  ['an app name with a path', { app: '../admin' }, /Input 'app': "\.\.\/admin" is not a Scalingo app name/],
  ['no API token', { 'api-token': '' }, /Input 'api-token': is required/],
  ['an unknown region', { region: 'us-east-1', 'api-url': '' }, /Input 'region': "us-east-1" is not a known region/],
  ['a plain-http API URL', { 'api-url': 'http://api.example.com' }, /Input 'api-url': must be an https:\/\/ URL/],
  ['a plain-http auth URL', { 'auth-url': 'http://auth.example.com' }, /Input 'auth-url': must be an https:\/\/ URL/],
  ['wait that is not a boolean', { wait: 'maybe' }, /Input 'wait': must be true or false, got "maybe"/],
  ['a garbage timeout', { timeout: 'forever' }, /Input 'timeout': "forever" is not a duration/],
  ['a ref with spaces', { ref: 'my branch' }, /Input 'ref': "my branch" is not a valid git ref/],
  ['a bad repository', { repository: 'nope' }, /Input 'repository': "nope" is not a repository/]
]

describe('bad input', () => {
  it.each(cases)('%s: one ::error:: line naming the input, no request', async (_name, inputs, message) => {
    const before = sandbox.scalingo.requests.length + sandbox.github.requests.length
    const run = await runAction({ env: sandbox.env(inputs) })
    expect(run.code).toBe(1)
    const errors = errorLines(run)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(new RegExp(`^::error::${message.source}`))
    expect(run.stdout).not.toMatch(/\s+at .+\(.+:\d+:\d+\)/) // no stack trace
    expect(run.stderr).toBe('')
    expect(sandbox.scalingo.requests.length + sandbox.github.requests.length).toBe(before)
  })

  it('a GITHUB_API_URL over plain http to a non-loopback host is refused before any request', async () => {
    const run = await runAction({ env: { ...sandbox.env(), GITHUB_API_URL: 'http://ghe.example.com/api/v3' } })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toMatch(/^::error::Input 'GITHUB_API_URL': must be an https:\/\/ URL/)
    expect(sandbox.scalingo.requests).toHaveLength(0)
  })
})
