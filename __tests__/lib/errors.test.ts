import { ActionError, HttpError, describeError, extractServerMessage } from '../../src/lib/errors.js'
import { registerSecret } from '../../src/lib/secrets.js'
import { oneLine } from '../../src/lib/text.js'

describe('extractServerMessage', () => {
  it.each([
    ['{"error":"not found","resource":"app"}', undefined, 'not found'],
    [
      '{"errors":{"source_url":["is invalid","is blank"],"git_ref":["is too long"]}}',
      undefined,
      'source_url is invalid, is blank; git_ref is too long'
    ],
    ['{"message":"No commit found for SHA: x","documentation_url":"…"}', undefined, 'No commit found for SHA: x'],
    ['{"error":"payment required","url":"https://billing"}', undefined, 'payment required'],
    ['Retry later', 'text/plain', 'Retry later'],
    [
      '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
      'text/html',
      'HTML page: 502 Bad Gateway'
    ],
    ['', undefined, '(empty body)'],
    ['   \n', undefined, '(empty body)'],
    ['{"unexpected":true}', undefined, '{"unexpected":true}'],
    ['[1,2]', undefined, '[1,2]'],
    ['{"error":{"code":"x"}}', undefined, '{"code":"x"}']
  ])('%s → %s', (body, type, expected) => {
    expect(extractServerMessage(body, type)).toBe(expected)
  })
})

describe('describeError', () => {
  it('is one line, with the hint, and never [object Object]', () => {
    expect(describeError(new ActionError('bad\nthing', 'check it'))).toBe('bad thing (check it)')
    expect(describeError({ some: 'object' })).toBe('{"some":"object"}')
    const http = new HttpError({
      status: 403,
      method: 'POST',
      url: 'https://api/x',
      serverMessage: 'nope',
      requestId: 'r1',
      headers: {}
    })
    expect(describeError(http)).toBe('POST https://api/x answered 403: nope [request id r1]')
  })
  it('scrubs registered secrets', () => {
    registerSecret('super-secret-token')
    expect(describeError(new Error('failed with super-secret-token inside'))).toBe('failed with *** inside')
  })
  it('bounds the length', () => {
    expect(oneLine('x'.repeat(1000), 50)).toHaveLength(50)
  })
})

describe('secrets', () => {
  it('scrubs every occurrence, not only the first', async () => {
    const { scrub } = await import('../../src/lib/secrets.js')
    registerSecret('twice-told-secret-1')
    expect(scrub('a twice-told-secret-1 b twice-told-secret-1 c')).toBe('a *** b *** c')
  })

  it('registers the URL-encoded form of a secret', async () => {
    const { scrub } = await import('../../src/lib/secrets.js')
    registerSecret('p@ss w/rd+123')
    expect(scrub('GET https://x/?password=p%40ss%20w%2Frd%2B123')).toBe('GET https://x/?password=***')
  })

  it('registers a multi-line value whole and line by line, and scrubs before flattening', async () => {
    const { scrub, secretForms } = await import('../../src/lib/secrets.js')
    const pem = '-----BEGIN KEY-----\nAAAABBBBCCCCDDDD\nEEEEFFFF\n-----END KEY-----'
    expect(secretForms(pem)).toEqual(expect.arrayContaining([pem, 'AAAABBBBCCCCDDDD', 'EEEEFFFF']))
    registerSecret(pem)
    expect(scrub('only a line: EEEEFFFF')).toBe('only a line: ***')
    expect(describeError(new Error(`bad key ${pem} here`))).toBe('bad key *** here')
  })

  it('leaves values shorter than 4 characters alone', async () => {
    const { scrub } = await import('../../src/lib/secrets.js')
    registerSecret('abc')
    expect(scrub('abc')).toBe('abc')
  })
})
