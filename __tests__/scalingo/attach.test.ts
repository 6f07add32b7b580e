import { attachUrlProblem } from '../../src/scalingo/attach.js'
import { operationIdOf } from '../../src/scalingo/client.js'
import { attachBackoff, attachRetryable } from '../../src/stages/oneoff/terminal.js'
import { isAmbiguous } from '../../src/stages/create.js'
import { operationPollDelay } from '../../src/stages/oneoff/start.js'
import { HttpError, NetworkError } from '../../src/lib/errors.js'

const API = 'https://api.osc-fr1.scalingo.com'

describe('attachUrlProblem: where the bearer may go', () => {
  it.each([
    'https://api.osc-fr1.scalingo.com:5000/abc',
    'https://run.osc-fr1.scalingo.com/abc',
    'https://OSC-FR1.RUN.SCALINGO.COM/abc'
  ])('accepts %s', url => {
    expect(attachUrlProblem(url, API)).toBeUndefined()
  })

  it.each([
    ['http://run.osc-fr1.scalingo.com/abc', 'it is not https (http://run.osc-fr1.scalingo.com)'],
    ['https://u:p@run.osc-fr1.scalingo.com/abc', 'it carries a user name or password'],
    [
      'https://run.scalingo.com.evil.example/abc',
      "run.scalingo.com.evil.example is neither the API's host nor under scalingo.com"
    ],
    ['https://evilscalingo.com/abc', "evilscalingo.com is neither the API's host nor under scalingo.com"],
    ['not a url', 'it is not a URL']
  ])('refuses %s', (url, why) => {
    expect(attachUrlProblem(url, API)).toBe(why)
  })

  it('plain http only on loopback, and only to the API host', () => {
    expect(attachUrlProblem('http://127.0.0.1:4000/x', 'http://127.0.0.1:3000')).toBeUndefined()
    expect(attachUrlProblem('http://localhost:4000/x', 'http://127.0.0.1:3000')).toContain('neither')
  })
})

describe('operationIdOf', () => {
  it('takes operation_url first, then operation, then Location; only a plain id', () => {
    expect(
      operationIdOf(
        { operation_url: 'https://api.x/v1/apps/a/operations/op-1?x=1', operation: 'op-2' },
        'https://api.x/v1/apps/a/operations/op-3'
      )
    ).toBe('op-1')
    expect(operationIdOf({ operation: 'op-2' }, 'https://api.x/v1/apps/a/operations/op-3')).toBe('op-2')
    expect(operationIdOf({}, 'https://api.x/v1/apps/a/operations/op-3/')).toBe('op-3')
    expect(operationIdOf({ operation_url: 'https://evil/x/../..%2f', operation: '../../admin' })).toBeUndefined()
    expect(operationIdOf({})).toBeUndefined()
  })
})

describe('one-off decisions', () => {
  const http = (status: number): HttpError =>
    new HttpError({ status, method: 'POST', url: 'u', serverMessage: '', headers: {} })
  const net = (unsent: boolean): NetworkError => new NetworkError({ method: 'POST', url: 'u', cause: 'x', unsent })

  it('a POST may have started the command unless certainly unsent or refused', () => {
    expect([500, 502, 504, 200].map(s => isAmbiguous(http(s)))).toEqual([true, true, true, true])
    expect([400, 401, 403, 404, 422, 429].map(s => isAmbiguous(http(s)))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false
    ])
    expect([isAmbiguous(net(false)), isAmbiguous(net(true))]).toEqual([true, false])
  })

  it('attaching is retried on no answer, a 5xx, a 404 or a 429; not on a refusal', () => {
    expect([net(false), http(503), http(404), http(429)].map(attachRetryable)).toEqual([true, true, true, true])
    expect([http(401), http(403), http(400)].map(attachRetryable)).toEqual([false, false, false])
    expect([1, 2, 3, 4, 5, 9].map(attachBackoff)).toEqual([500, 1000, 2000, 4000, 5000, 5000])
  })

  it('polls the operation soon, then once a second', () => {
    expect([0, 1, 2, 10].map(operationPollDelay)).toEqual([200, 1000, 1000, 1000])
  })
})
