/**
 * End to end: hostile or malformed input fails with one clear `::error::`
 * line naming the input, no stack trace, and no request to anyone.
 */
import { runAction, startSandbox, type Sandbox } from '../../sandbox/index.js'
import { errorLines, obeyedCommands } from '../helpers.js'

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await startSandbox()
})
afterAll(async () => {
  await sandbox.close()
})

const long = 'a'.repeat(10_000)
type Case = [string, Record<string, string>, RegExp, Record<string, string>?]
const cases: Case[] = [
  ['no app', { app: '' }, /Input 'app': is required/],
  ['a whitespace-only app', { app: '   ' }, /Input 'app': is required/],
  ['an app name with a path', { app: '../admin' }, /Input 'app': "\.\.\/admin" is not a Scalingo app name/],
  ['an uppercase app name', { app: 'My-App' }, /Input 'app': "My-App" is not a Scalingo app name/],
  ['a unicode app name', { app: 'mÿ-äpp' }, /Input 'app': "mÿ-äpp" is not a Scalingo app name/],
  ['a 10 kB app name', { app: long }, /Input 'app': "a{40}…" is not a Scalingo app name/],
  ['an app name with a newline and a command', { app: 'my-app\n::add-mask::x' }, /Input 'app': must be a single line/],
  ['no API token', { 'api-token': '' }, /Input 'api-token': is required/],
  [
    'an API token with a newline',
    { 'api-token': 'tk-us-abc\n::set-output name=x::y' },
    /Input 'api-token': must be a single token/
  ],
  ['an unknown region', { region: 'us-east-1', 'api-url': '' }, /Input 'region': "us-east-1" is not a known region/],
  [
    'a region with a path',
    { region: '../osc-fr1', 'api-url': '' },
    /Input 'region': "\.\.\/osc-fr1" is not a region name/
  ],
  ['a plain-http API URL', { 'api-url': 'http://api.example.com' }, /Input 'api-url': must be an https:\/\/ URL/],
  ['a javascript: API URL', { 'api-url': 'javascript:alert(1)' }, /Input 'api-url': must be an https:\/\/ URL/],
  ['a file: auth URL', { 'auth-url': 'file:///etc/passwd' }, /Input 'auth-url': must be an https:\/\/ URL/],
  ['a plain-http auth URL', { 'auth-url': 'http://auth.example.com' }, /Input 'auth-url': must be an https:\/\/ URL/],
  [
    'an API URL with credentials',
    { 'api-url': 'https://user:pass@api.example.com' },
    /Input 'api-url': must not contain credentials/
  ],
  ['an API URL that is not a URL', { 'api-url': 'not a url' }, /Input 'api-url': "not a url" is not a URL/],
  [
    'a plain-http source URL',
    { 'source-url': 'http://archives.example.com/a.tar.gz' },
    /Input 'source-url': must be an https:\/\/ URL/
  ],
  ['wait that is not a boolean', { wait: 'maybe' }, /Input 'wait': must be true or false, got "maybe"/],
  ['wait as yes', { wait: 'yes' }, /Input 'wait': must be true or false, got "yes"/],
  ['a garbage timeout', { timeout: 'forever' }, /Input 'timeout': "forever" is not a duration/],
  ['a negative timeout', { timeout: '-5' }, /Input 'timeout': "-5" is not a duration/],
  ['a zero timeout', { timeout: '0' }, /Input 'timeout': must be at least 1 second/],
  ['a huge timeout', { timeout: '99999h' }, /Input 'timeout': "99999h" is not a duration/],
  ['a timeout over 6 h', { timeout: '7h' }, /Input 'timeout': must be at most 6h/],
  ['a ref with spaces', { ref: 'my branch' }, /Input 'ref': "my branch" is not a valid git ref/],
  ['a ref with ..', { ref: 'main..evil' }, /Input 'ref': "main\.\.evil" is not a valid git ref/],
  ['a ref starting with -', { ref: '--upload-pack=x' }, /Input 'ref': "--upload-pack=x" is not a valid git ref/],
  ['a ref with a newline', { ref: 'main\nx' }, /Input 'ref': must be a single line/],
  ['a bad repository', { repository: 'nope' }, /Input 'repository': "nope" is not a repository/],
  [
    'environment without waiting',
    { environment: 'production', wait: 'false' },
    /Input 'environment': needs wait: true: without following the deployment, its GitHub deployment could never be finished/
  ],
  ['rollback without a health check', { rollback: 'true' }, /Input 'rollback': needs health-check/],
  [
    'a repository with a path',
    { repository: 'acme/../etc' },
    /Input 'repository': "acme\/\.\.\/etc" is not a repository/
  ],
  [
    'a plain-http GITHUB_API_URL',
    {},
    /Input 'GITHUB_API_URL': must be an https:\/\/ URL/,
    { GITHUB_API_URL: 'http://ghe.example.com/api/v3' }
  ]
]

describe('hostile and malformed input', () => {
  it.each(cases)('%s: one ::error:: line naming the input, no request', async (_name, inputs, message, env = {}) => {
    const before = sandbox.scalingo.requests.length + sandbox.github.requests.length
    const run = await runAction({ env: { ...sandbox.env(inputs), ...env } })
    expect(run.code).toBe(1)
    const errors = errorLines(run)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(new RegExp(`^::error::${message.source}`))
    // Exactly one line, bounded, and nothing the input smuggled in became a command.
    expect(errors[0].length).toBeLessThan(600)
    expect(obeyedCommands(run.stdout).filter(l => !/^::(add-mask|debug|error)::/.test(l))).toEqual([])
    expect(
      obeyedCommands(run.stdout)
        .filter(l => l.startsWith('::add-mask::'))
        .every(l => !l.includes('::add-mask::x'))
    ).toBe(true)
    expect(run.stdout).not.toMatch(/\s+at .+\(.+:\d+:\d+\)/)
    expect(run.stderr).toBe('')
    expect(sandbox.scalingo.requests.length + sandbox.github.requests.length).toBe(before)
  })
})
