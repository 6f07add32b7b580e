import {
  answerUrlProblem,
  isHttpsOrLoopback,
  isLoopbackHost,
  mayCarrySecrets,
  safeUrl,
  sameOrigin
} from '../../src/lib/urls.js'

describe('URL policy', () => {
  it('lets a secret travel over https/wss, or plain http/ws to loopback only', () => {
    expect(
      ['https://a.example', 'wss://a.example', 'http://127.0.0.1:1', 'ws://localhost:2'].map(mayCarrySecrets)
    ).toEqual([true, true, true, true])
    expect(['http://a.example', 'ws://a.example', 'ftp://127.0.0.1', 'not a url'].map(mayCarrySecrets)).toEqual([
      false,
      false,
      false,
      false
    ])
  })

  it('knows loopback hosts, and only those', () => {
    for (const h of ['127.3.2.1', '127.0.0.100', '127.100.200.254', '[::1]', '::1', 'LOCALHOST']) {
      expect([h, isLoopbackHost(h)]).toEqual([h, true])
    }
    for (const h of [
      'localhost.example.com',
      '128.0.0.1',
      '127.0.0.1.evil.example',
      '127.0.0.1000',
      'evil127.0.0.1',
      '[::2]',
      '10.0.0.1'
    ]) {
      expect([h, isLoopbackHost(h)]).toEqual([h, false])
    }
  })

  it('takes base URLs given as inputs over https, or plain http to loopback only', () => {
    const ok = (url: string): boolean => isHttpsOrLoopback(new URL(url))
    expect(ok('https://api.osc-fr1.scalingo.com')).toBe(true)
    expect(ok('http://127.0.0.1:8080')).toBe(true)
    expect(ok('http://api.example')).toBe(false)
    // Only http on loopback: not any scheme that happens to point there.
    expect(ok('ftp://127.0.0.1/x')).toBe(false)
    expect(ok('ws://127.0.0.1/x')).toBe(false)
  })

  it('prints a URL without credentials or query', () => {
    expect(safeUrl('https://u:p@host.example:8443/a/b.tar.gz?X-Sig=abc#frag')).toBe(
      'https://host.example:8443/a/b.tar.gz'
    )
    expect(safeUrl('::nope')).toBe('(invalid URL)')
  })
})

describe('sameOrigin (where the bearer may go besides the API)', () => {
  const api = 'https://api.osc-fr1.scalingo.com'
  it.each([
    ['https://api.osc-fr1.scalingo.com/v1/apps/a/deployments/1/output', true],
    ['https://api.osc-fr1.scalingo.com:443/v1/x', true],
    ['https://logs.scalingo.example/v1/x', false],
    ['http://api.osc-fr1.scalingo.com/v1/x', false],
    ['https://api.osc-fr1.scalingo.com:8443/v1/x', false],
    ['https://api.osc-fr1.scalingo.com.evil.example/v1/x', false],
    ['https://user@api.osc-fr1.scalingo.com/v1/x', false],
    ['https://:secret@api.osc-fr1.scalingo.com/v1/x', false],
    ['not a url', false]
  ])('%s → %s', (url, expected) => {
    expect(sameOrigin(url, api)).toBe(expected)
  })

  it('is false when the base is not a URL', () => {
    expect(sameOrigin('https://api.osc-fr1.scalingo.com/v1', 'nope')).toBe(false)
  })
})

describe('answerUrlProblem (a URL an answer hands us)', () => {
  it.each([
    ['https://storage.example/b/o?X-Amz-Signature=abc', undefined],
    ['http://127.0.0.1:9000/b/o?sig=1', undefined],
    ['nope', 'it is not a URL'],
    ['http://storage.example/b/o', 'it is not https (http://storage.example)'],
    ['ftp://127.0.0.1/b/o', 'it is not https (ftp://127.0.0.1)'],
    ['https://user@storage.example/b/o', 'it carries a user name or password'],
    ['https://:pw@storage.example/b/o', 'it carries a user name or password'],
    ['https://user:pw@storage.example/b/o', 'it carries a user name or password']
  ])('%s → %s', (url, expected) => {
    expect(answerUrlProblem(url)).toBe(expected)
  })
})
