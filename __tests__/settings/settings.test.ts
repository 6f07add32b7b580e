import { InputError } from '../../src/lib/errors.js'
import { parseBaseUrl, parseDuration, parseRef } from '../../src/settings/parse.js'
import { readSettings } from '../../src/settings/settings.js'

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
const env = {
  GITHUB_SHA: SHA,
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_SERVER_URL: 'https://github.com'
}

function settings(inputs: Record<string, string>, e: NodeJS.ProcessEnv = env) {
  return readSettings(name => inputs[name] ?? '', e)
}

const base = { app: 'my-app', 'api-token': 'tk-us-abc123' }

describe('readSettings', () => {
  it('applies the documented defaults', () => {
    const s = settings(base)
    expect(s).toMatchObject({
      app: 'my-app',
      region: 'osc-fr1',
      apiUrl: 'https://api.osc-fr1.scalingo.com',
      authUrl: 'https://auth.scalingo.com',
      ref: SHA,
      repository: { owner: 'acme', repo: 'shop' },
      wait: true,
      timeoutSeconds: 2700,
      githubApiUrl: 'https://api.github.com',
      githubServerUrl: 'https://github.com'
    })
    expect(s.sourceUrl).toBeUndefined()
  })

  it('derives the API URL from a known region', () => {
    expect(settings({ ...base, region: 'osc-secnum-fr1' }).apiUrl).toBe('https://api.osc-secnum-fr1.scalingo.com')
  })

  it('accepts an unknown region only with api-url', () => {
    expect(() => settings({ ...base, region: 'osc-xx9' })).toThrow(/Input 'region'.*set api-url/)
    expect(settings({ ...base, region: 'osc-xx9', 'api-url': 'https://api.osc-xx9.example.com/' }).apiUrl).toBe(
      'https://api.osc-xx9.example.com'
    )
  })

  it('strips a trailing /v1 from base URLs (we add it)', () => {
    expect(settings({ ...base, 'api-url': 'https://api.example.com/v1' }).apiUrl).toBe('https://api.example.com')
  })

  it('takes ref, repository, wait and timeout as given', () => {
    const s = settings({ ...base, ref: 'v1.2.0', repository: 'other/app', wait: 'false', timeout: '15m' })
    expect(s).toMatchObject({
      ref: 'v1.2.0',
      repository: { owner: 'other', repo: 'app' },
      wait: false,
      timeoutSeconds: 900
    })
  })

  it('skips GitHub checks with source-url', () => {
    const s = settings({ ...base, 'source-url': 'https://example.com/a.tar.gz' }, {})
    expect(s.sourceUrl).toBe('https://example.com/a.tar.gz')
    expect(s.ref).toBe('')
  })

  const bad: [string, Record<string, string>, RegExp][] = [
    ['missing app', { 'api-token': 't' }, /Input 'app': is required/],
    ['uppercase app', { ...base, app: 'My-App' }, /Input 'app'/],
    ['path in app', { ...base, app: '../etc' }, /Input 'app'/],
    ['app ending with hyphen', { ...base, app: 'my-app-' }, /Input 'app'/],
    ['too long app', { ...base, app: 'a'.repeat(49) }, /Input 'app'/],
    ['missing token', { app: 'my-app' }, /Input 'api-token': is required/],
    ['token with newline', { ...base, 'api-token': 'abc\ndef' }, /Input 'api-token'/],
    ['http api-url', { ...base, 'api-url': 'http://api.example.com' }, /Input 'api-url': must be an https/],
    ['javascript: api-url', { ...base, 'api-url': 'javascript:alert(1)' }, /Input 'api-url'/],
    ['file: auth-url', { ...base, 'auth-url': 'file:///etc/passwd' }, /Input 'auth-url'/],
    ['credentials in api-url', { ...base, 'api-url': 'https://u:p@api.example.com' }, /credentials/],
    ['query in auth-url', { ...base, 'auth-url': 'https://auth.example.com/?x=1' }, /query/],
    ['bad wait', { ...base, wait: 'yes' }, /Input 'wait': must be true or false/],
    ['zero timeout', { ...base, timeout: '0' }, /Input 'timeout'/],
    ['negative timeout', { ...base, timeout: '-5' }, /Input 'timeout'/],
    ['huge timeout', { ...base, timeout: '100h' }, /Input 'timeout': must be at most 6h/],
    ['garbage timeout', { ...base, timeout: '10 minutes' }, /Input 'timeout'/],
    ['ref with space', { ...base, ref: 'my branch' }, /Input 'ref'/],
    ['ref with ..', { ...base, ref: 'a..b' }, /Input 'ref'/],
    ['ref starting with -', { ...base, ref: '-rf' }, /Input 'ref'/],
    ['bad repository', { ...base, repository: 'just-a-name' }, /Input 'repository'/],
    ['unknown region', { ...base, region: 'mars-1' }, /Input 'region'/],
    ['region with dots', { ...base, region: '../x' }, /Input 'region'/],
    ['http source-url', { ...base, 'source-url': 'http://example.com/a.tar.gz' }, /Input 'source-url'/]
  ]
  it.each(bad)('rejects %s with an error naming the input', (_name, inputs, message) => {
    let caught: unknown
    try {
      settings(inputs)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(InputError)
    expect((caught as Error).message).toMatch(message)
    expect((caught as Error).message).not.toMatch(/\n/)
  })

  it('rejects a non-https GITHUB_API_URL (the GitHub token travels there)', () => {
    expect(() => settings(base, { ...env, GITHUB_API_URL: 'http://github.example.com/api/v3' })).toThrow(
      /GITHUB_API_URL/
    )
  })

  it('needs a SHA when ref is empty', () => {
    expect(() => settings(base, { ...env, GITHUB_SHA: '' })).toThrow(/Input 'ref'/)
  })
})

describe('parseTimeout', () => {
  it.each([
    ['900', 900],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['1h30m', 5400],
    ['2m30s', 150],
    ['6h', 21600]
  ])('%s is %d seconds', (value, seconds) => {
    expect(parseDuration('timeout', value)).toBe(seconds)
  })
})

describe('URLs', () => {
  it('allows plain http only for loopback hosts', () => {
    expect(parseBaseUrl('api-url', 'http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080')
    expect(parseBaseUrl('api-url', 'http://localhost:1')).toBe('http://localhost:1')
    expect(parseBaseUrl('api-url', 'http://[::1]:1')).toBe('http://[::1]:1')
    expect(() => parseBaseUrl('api-url', 'http://10.0.0.1')).toThrow(InputError)
    expect(() => parseBaseUrl('api-url', 'http://127.0.0.1.example.com')).toThrow(InputError)
  })
  it('accepts usual refs', () => {
    for (const r of ['main', 'v1.2.0', 'feature/login', 'refs/tags/v1', 'abc1234', 'release-2026.11'])
      expect(parseRef('ref', r)).toBe(r)
  })
})

describe('parseChoice', () => {
  it('the first choice when empty; one of the words; else the list and what was given', async () => {
    const { parseChoice } = await import('../../src/settings/parse.js')
    expect(parseChoice('mode', '', ['auto', 'deploy', 'destroy'])).toBe('auto')
    expect(parseChoice('mode', 'destroy', ['auto', 'deploy', 'destroy'])).toBe('destroy')
    expect(() => parseChoice('mode', 'Deploy', ['auto', 'deploy', 'destroy'])).toThrow(
      `Input 'mode': must be auto, deploy or destroy, got "Deploy"`
    )
  })
})
