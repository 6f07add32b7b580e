import { createDeploymentOnce, findOurs, isAmbiguous } from '../../src/stages/create.js'
import { HttpError, NetworkError } from '../../src/lib/errors.js'
import { Http } from '../../src/lib/http.js'
import { ScalingoClient } from '../../src/scalingo/client.js'
import { systemClock } from '../../src/lib/clock.js'
import { DEFAULT_API_TOKEN, ScalingoSandbox, type ScalingoOptions } from '../../sandbox/index.js'

let sb: ScalingoSandbox
let http: Http
async function setup(opts: ScalingoOptions = {}): Promise<ScalingoClient> {
  sb = await new ScalingoSandbox(opts).start()
  http = new Http({ userAgent: 'test', retry: { baseDelayMs: 1, maxDelayMs: 2 } })
  return new ScalingoClient(http, {
    apiUrl: sb.apiUrl,
    authUrl: sb.authUrl,
    apiToken: DEFAULT_API_TOKEN,
    app: 'my-app',
    region: 'osc-fr1'
  })
}
afterEach(async () => {
  http?.dispose()
  await sb?.close()
})

describe('createDeploymentOnce', () => {
  it('knows which failures are ambiguous', () => {
    const http = (status: number) =>
      new HttpError({ status, method: 'POST', url: 'u', serverMessage: '', body: '', headers: {} })
    expect(isAmbiguous(http(502))).toBe(true)
    expect(isAmbiguous(http(504))).toBe(true)
    expect(isAmbiguous(http(422))).toBe(false)
    expect(isAmbiguous(new NetworkError({ method: 'POST', url: 'u', cause: 'ECONNRESET', unsent: false }))).toBe(true)
    expect(isAmbiguous(new NetworkError({ method: 'POST', url: 'u', cause: 'ECONNREFUSED', unsent: true }))).toBe(false)
  })

  it('finds only a deployment created since we posted, with our git_ref', () => {
    const now = Date.parse('2026-11-25T12:00:00Z')
    const list = [
      { id: 'new-other', status: 'queued', git_ref: 'zzz', created_at: '2026-11-25T12:00:01Z' },
      { id: 'ours', status: 'queued', git_ref: 'abc', created_at: '2026-11-25T12:00:01Z' },
      { id: 'old', status: 'success', git_ref: 'abc', created_at: '2026-11-25T11:00:00Z' }
    ]
    expect(findOurs(list, 'abc', now)?.id).toBe('ours')
    expect(findOurs(list.slice(2), 'abc', now)).toBeUndefined()
    expect(findOurs(list, null, now)).toBeUndefined()
  })

  it('recovers a processed POST whose answer was lost, with one deployment', async () => {
    const client = await setup({ faults: [{ method: 'POST', path: '/deployments', action: 'process-then-reset' }] })
    await client.exchange()
    const r = await createDeploymentOnce(client, 'abc', 'https://example.com/a.tar.gz', {
      clock: systemClock,
      deadline: Date.now() + 60_000
    })
    expect(r.recovered).toBe(true)
    expect(sb.allDeployments().map(d => d.id)).toEqual([r.deployment.id])
  })
})
