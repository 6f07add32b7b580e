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
      body: '',
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
