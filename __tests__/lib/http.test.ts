import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { HttpError, NetworkError } from '../../src/lib/errors.js'
import { Http, backoffDelay, defaultRetry, isRetryableStatus, parseRetryAfter } from '../../src/lib/http.js'
import { safeUrl } from '../../src/lib/urls.js'
import { rejection } from '../helpers.js'
import { quickHttp } from '../helpers-client.js'

describe('backoff', () => {
  it('grows exponentially, is bounded, and is jittered', () => {
    const low = (a: number) => backoffDelay(a, defaultRetry, () => 0)
    const high = (a: number) => backoffDelay(a, defaultRetry, () => 1)
    expect([1, 2, 3, 4].map(high)).toEqual([500, 1000, 2000, 4000])
    expect([1, 2, 3, 4].map(low)).toEqual([250, 500, 1000, 2000])
    expect(high(10)).toBe(defaultRetry.maxDelayMs)
  })
  it('lets Retry-After win, capped', () => {
    expect(backoffDelay(1, defaultRetry, () => 1, 3000)).toBe(3000)
    expect(backoffDelay(1, defaultRetry, () => 1, 3_600_000)).toBe(defaultRetry.maxRetryAfterMs)
  })
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-25T12:00:00Z')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })
  it('retries 5xx, 429 and 408 only', () => {
    expect([500, 502, 503, 504, 429, 408].every(isRetryableStatus)).toBe(true)
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false)
  })
  it('prints URLs without query or credentials', () => {
    expect(safeUrl('https://u:p@codeload.github.com/a/b?token=SECRET')).toBe('https://codeload.github.com/a/b')
  })
})

describe('Http against a local server', () => {
  let server: Server
  let base: string
  let answers: Array<{ status: number; body?: string; headers?: Record<string, string> } | 'reset'>
  let hits: string[]
  beforeEach(async () => {
    hits = []
    answers = []
    server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`)
      const a = answers.shift() ?? { status: 200, body: '{"ok":true}' }
      if (a === 'reset') return void req.socket.destroy()
      res.writeHead(a.status, a.headers ?? { 'Content-Type': 'application/json' })
      res.end(a.body ?? '')
    })
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterEach(async () => {
    await new Promise(r => server.close(r))
  })

  it('retries idempotent calls through 5xx and resets', async () => {
    answers = [{ status: 503 }, 'reset', { status: 200, body: '{"n":1}' }]
    const http = quickHttp()
    const { data } = await http.json<{ n: number }>({ method: 'GET', url: `${base}/x`, retry: 'idempotent' })
    http.dispose()
    expect(data).toEqual({ n: 1 })
    expect(hits).toHaveLength(3)
  })

  it('gives up after the bounded number of attempts with the last error', async () => {
    answers = Array(10).fill({
      status: 500,
      body: '{"error":"boom"}',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'r-1' }
    })
    const http = quickHttp()
    const err = await rejection(http.request({ method: 'GET', url: `${base}/x`, retry: 'idempotent' }))
    http.dispose()
    expect(err).toBeInstanceOf(HttpError)
    expect(err).toMatchObject({ status: 500, serverMessage: 'boom', requestId: 'r-1' })
    expect(hits).toHaveLength(defaultRetry.attempts)
  })

  it('never retries a non-idempotent call that may have been processed', async () => {
    answers = [{ status: 503 }, { status: 201, body: '{}' }]
    const http = quickHttp()
    const err = await rejection(http.request({ method: 'POST', url: `${base}/x`, json: {}, retry: 'unsent-only' }))
    http.dispose()
    expect(err).toBeInstanceOf(HttpError)
    expect(hits).toEqual(['POST /x'])
  })

  it('reports a reset as a network error that may have been sent', async () => {
    answers = ['reset']
    const http = quickHttp()
    const err = await rejection(http.request({ method: 'POST', url: `${base}/x`, json: {}, retry: 'unsent-only' }))
    http.dispose()
    expect(err).toBeInstanceOf(NetworkError)
    expect(err.unsent).toBe(false)
    expect(hits).toHaveLength(1)
  })

  it('retries a POST that certainly never left (connection refused), as many times as allowed', async () => {
    const port = (server.address() as AddressInfo).port
    await new Promise(r => server.close(r))
    const retries: string[] = []
    const http = new Http({
      userAgent: 'test',
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
      onRetry: i => retries.push(i.reason)
    })
    const err = await rejection(
      http.request({ method: 'POST', url: `http://127.0.0.1:${port}/x`, json: {}, retry: 'unsent-only' })
    )
    http.dispose()
    expect(err).toBeInstanceOf(NetworkError)
    expect(err.unsent).toBe(true)
    expect(err.code).toBe('ECONNREFUSED')
    expect(retries).toEqual(Array(defaultRetry.attempts - 1).fill('ECONNREFUSED'))
    server = createServer()
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  })

  it('a POST refused at first goes through once the server is back: sent once', async () => {
    const port = (server.address() as AddressInfo).port
    await new Promise(r => server.close(r))
    const http = new Http({
      userAgent: 'test',
      retry: { baseDelayMs: 20, maxDelayMs: 40 },
      onRetry: () => {
        if (!server.listening) {
          server = createServer((req, res) => {
            hits.push(`${req.method} ${req.url}`)
            res.writeHead(201, { 'Content-Type': 'application/json' })
            res.end('{"created":true}')
          })
          server.listen(port, '127.0.0.1')
        }
      }
    })
    const res = await http.request({
      method: 'POST',
      url: `http://127.0.0.1:${port}/x`,
      json: {},
      retry: 'unsent-only'
    })
    http.dispose()
    expect(res.status).toBe(201)
    expect(hits).toEqual(['POST /x'])
  })

  it('turns a non-JSON success body into a clear error that never quotes it', async () => {
    answers = [
      { status: 200, body: '<html><title>Proxy login</title></html>', headers: { 'Content-Type': 'text/html' } }
    ]
    const http = quickHttp()
    const err = await rejection(http.json({ method: 'GET', url: `${base}/x?token=SECRET`, retry: 'none' }))
    http.dispose()
    expect(err.message).toBe(
      `GET ${base}/x answered 200: expected JSON, got a body that is not JSON (text/html, 39 bytes)`
    )
  })

  it('does not sleep past the deadline', async () => {
    answers = [{ status: 503, headers: { 'Retry-After': '30' } }]
    const http = new Http({ userAgent: 't' })
    const started = Date.now()
    const err = await rejection(
      http.request({ method: 'GET', url: `${base}/x`, retry: 'idempotent', deadline: Date.now() + 1000 })
    )
    http.dispose()
    expect(err).toBeInstanceOf(HttpError)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(hits).toHaveLength(1)
  })
})
