import {
  MIN_SECRET,
  longestSecret,
  registerSecret,
  registerSecretUrl,
  scrub,
  scrubCut,
  secretForms,
  trimSecretEdge
} from '../../src/lib/secrets.js'
import { capture } from '../helpers-stdout.js'

/** The values a run of `fn` asked the runner to mask (as the runner reads them: command data is %-escaped). */
function masked(fn: () => void): string[] {
  return capture(fn)
    .split('\n')
    .filter(l => l.startsWith('::add-mask::'))
    .map(l => l.slice('::add-mask::'.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))
}

describe('secretForms', () => {
  it('gives the value as is, URL-encoded and JSON-escaped', () => {
    expect(secretForms('p@ss w/rd+123"x')).toEqual([
      'p@ss w/rd+123"x',
      'p%40ss%20w%2Frd%2B123%22x',
      'p@ss w/rd+123\\"x'
    ])
  })

  it('gives each line of a multi-line value, whatever its line ends, but not short or blank ones', () => {
    const pem = '-----BEGIN KEY-----\r\nMIIBOgIBAAJBAK\nab\n   \rLASTLINE99\nwxyz\n  wx\n-----END KEY-----'
    const forms = secretForms(pem)
    expect(forms).toEqual(
      expect.arrayContaining(['-----BEGIN KEY-----', 'MIIBOgIBAAJBAK', 'LASTLINE99', 'wxyz', '-----END KEY-----'])
    )
    expect(forms).not.toContain('ab')
    expect(forms).not.toContain('  wx')
    expect(forms).not.toContain('   ')
    expect(forms[0]).toBe(pem)
  })

  it('gives no line forms for a one-line value', () => {
    expect(secretForms('abcd-efgh')).toEqual(['abcd-efgh'])
  })

  it(`drops forms shorter than ${MIN_SECRET} characters`, () => {
    expect(MIN_SECRET).toBe(4)
    expect(secretForms('abc')).toEqual([])
    expect(secretForms('abcd')).toEqual(['abcd'])
  })
})

describe('registerSecret', () => {
  it('asks the runner to mask every form, once each', () => {
    expect(masked(() => registerSecret('first secret/1'))).toEqual(['first secret/1', 'first%20secret%2F1'])
    expect(masked(() => registerSecret('first secret/1'))).toEqual([])
  })

  it('ignores empty, missing and short values', () => {
    expect(masked(() => registerSecret(undefined))).toEqual([])
    expect(masked(() => registerSecret(''))).toEqual([])
    expect(masked(() => registerSecret('xyz'))).toEqual([])
    expect(scrub('xyz stays')).toBe('xyz stays')
  })

  it('masks exactly four characters', () => {
    expect(masked(() => registerSecret('q7Zk'))).toEqual(['q7Zk'])
    expect(scrub('a q7Zk b')).toBe('a *** b')
  })
})

describe('scrub', () => {
  it('replaces every occurrence, not just the first', () => {
    registerSecret('tok-AAAA-1111')
    expect(scrub('tok-AAAA-1111 then tok-AAAA-1111 and tok-AAAA-1111')).toBe('*** then *** and ***')
  })

  it('replaces the URL-encoded and JSON-escaped forms', () => {
    registerSecret('p@ss w/rd+123')
    expect(scrub('postgres://u:p%40ss%20w%2Frd%2B123@db')).toBe('postgres://u:***@db')
    registerSecret('say "hi" now')
    expect(scrub('{"v":"say \\"hi\\" now"}')).toBe('{"v":"***"}')
  })

  it('replaces the longest secret first, so a token inside a URL goes with the whole URL', () => {
    registerSecret('inner-token-42')
    registerSecret('https://files.example/a?sig=inner-token-42&x=1')
    expect(scrub('at https://files.example/a?sig=inner-token-42&x=1 and inner-token-42')).toBe('at *** and ***')
  })

  it('leaves text without secrets alone', () => {
    expect(scrub('nothing to hide here')).toBe('nothing to hide here')
  })
})

describe('registerSecretUrl', () => {
  it('with path: a webhook, whose path is the credential: the path and its long segments too', () => {
    const url = 'https://hooks.slack.example/services/T0AB/B0CDEFGHIJ/x9y8z7w6v5u4t3s2'
    const forms = masked(() => registerSecretUrl(url, { path: true }))
    expect(forms).toEqual(
      expect.arrayContaining([
        url,
        '/services/T0AB/B0CDEFGHIJ/x9y8z7w6v5u4t3s2',
        'services',
        'B0CDEFGHIJ',
        'x9y8z7w6v5u4t3s2'
      ])
    )
    expect(forms).not.toContain('T0AB')
    expect(scrub('hook x9y8z7w6v5u4t3s2 failed')).toBe('hook *** failed')
  })

  it('registers the URL, its query, each query value and its password', () => {
    const url = 'https://user:pa%24%24word@storage.example/bucket/obj?X-Signature=abcdef123&X-Expires=600'
    const forms = masked(() => registerSecretUrl(url))
    expect(forms).toEqual(expect.arrayContaining([url, 'abcdef123', 'pa$$word', 'X-Signature=abcdef123&X-Expires=600']))
    // A short query value (600) is not masked.
    expect(forms).not.toContain('600')
    expect(scrub('signature abcdef123, password pa$$word')).toBe('signature ***, password ***')
  })

  it('registers a string that is not a URL as a whole', () => {
    expect(masked(() => registerSecretUrl('not a url but secret'))).toEqual([
      'not a url but secret',
      'not%20a%20url%20but%20secret'
    ])
  })

  it('registers nothing more for a URL without query or password', () => {
    const url = 'https://plain.example/archive.tar.gz'
    expect(masked(() => registerSecretUrl(url))).toEqual([url, encodeURIComponent(url)])
  })
})

describe('scrub first, then cut', () => {
  const secret = 'cut-edge-secret-ABCDEFGHIJ0123456789'
  beforeAll(() => {
    capture(() => registerSecret(secret))
  })

  it('scrubs the whole text before it cuts it', () => {
    const text = `${'a'.repeat(20)}${secret}${'z'.repeat(30)}`
    // A cut at 30 would fall inside the secret: it was scrubbed whole first.
    expect(scrubCut(text, 30)).toBe(`${'a'.repeat(20)}***${'z'.repeat(6)}…`)
  })

  it('drops what a cut leaves of a secret at its edge, when the whole text did not hold it all', () => {
    // The text itself ends inside the secret (a line already cut elsewhere): scrub cannot see it, the edge trim does.
    const text = `${'b'.repeat(20)}${secret.slice(0, 25)}`
    expect(scrubCut(text, 40)).toBe(`${'b'.repeat(20)}…`)
    expect(trimSecretEdge(`xyz ${secret.slice(0, 3)}`)).toBe('xyz ')
    // Two characters say nothing: kept (a cut would otherwise eat every `cu`).
    expect(trimSecretEdge(`xyz ${secret.slice(0, 2)}`)).toBe(`xyz ${secret.slice(0, 2)}`)
    expect(trimSecretEdge('nothing secret here')).toBe('nothing secret here')
  })

  it('leaves a text that fits as it is, but scrubbed', () => {
    expect(scrubCut(`short ${secret}`, 100)).toBe('short ***')
    expect(scrubCut('short', 100)).toBe('short')
  })

  it('knows how long the longest secret is', () => {
    expect(longestSecret()).toBeGreaterThanOrEqual(secret.length)
  })
})
