import { createDeploymentOnce, findOurs, isAmbiguous } from '../../src/stages/create.js'
import { HttpError, NetworkError } from '../../src/lib/errors.js'
import { systemClock } from '../../src/lib/clock.js'
import { sandboxClient } from '../helpers-client.js'

const { setup, sandbox } = sandboxClient()

describe('createDeploymentOnce', () => {
  it('knows which failures are ambiguous', () => {
    const http = (status: number) => new HttpError({ status, method: 'POST', url: 'u', serverMessage: '', headers: {} })
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
    const none = new Set<string>()
    expect(findOurs(list, 'abc', now, none)?.id).toBe('ours')
    expect(findOurs(list.slice(2), 'abc', now, none)).toBeUndefined()
    expect(findOurs(list, null, now, none)).toBeUndefined()
    // The list from before the POST unknown: nothing can be told apart, nothing is adopted.
    expect(findOurs(list, 'abc', now, undefined)).toBeUndefined()
  })

  it('recovers a processed POST whose answer was lost, with one deployment', async () => {
    const client = await setup({ faults: [{ method: 'POST', path: '/deployments', action: 'process-then-reset' }] })
    await client.exchange()
    const r = await createDeploymentOnce(client, 'abc', 'https://example.com/a.tar.gz', {
      clock: systemClock,
      deadline: Date.now() + 60_000,
      knownIds: new Set()
    })
    expect(r.recovered).toBe(true)
    expect(
      sandbox()
        .allDeployments()
        .map(d => d.id)
    ).toEqual([r.deployment.id])
  })
})

describe('the ambiguous answers, and the lookup', () => {
  const http = (status: number) => new HttpError({ status, method: 'POST', url: 'u', serverMessage: '', headers: {} })

  it.each([500, 502, 503, 504, 200, 201])('a %d does not tell whether the deployment was created', status => {
    expect(isAmbiguous(http(status))).toBe(true)
  })

  it.each([400, 401, 402, 403, 404, 422, 429])('a %d is a clear refusal: nothing was created', status => {
    expect(isAmbiguous(http(status))).toBe(false)
  })

  it('allows 60 s of clock skew: a deployment Scalingo dates 30 s before our POST is ours', () => {
    const postedAt = Date.parse('2026-11-25T12:00:00Z')
    const list = [{ id: 'ours', status: 'queued', git_ref: 'abc', created_at: '2026-11-25T11:59:30Z' }]
    expect(findOurs(list, 'abc', postedAt, new Set())?.id).toBe('ours')
    expect(findOurs(list, 'abc', postedAt + 61_000, new Set())).toBeUndefined()
  })

  it('never adopts a deployment that existed before the POST, however recent', () => {
    const postedAt = Date.parse('2026-11-25T12:00:00Z')
    const list = [
      { id: 'theirs', status: 'building', git_ref: 'abc', created_at: '2026-11-25T12:00:01Z' },
      { id: 'ours', status: 'queued', git_ref: 'abc', created_at: '2026-11-25T12:00:00Z' }
    ]
    expect(findOurs(list, 'abc', postedAt, new Set(['theirs']))?.id).toBe('ours')
    expect(findOurs(list, 'abc', postedAt, new Set(['theirs', 'ours']))).toBeUndefined()
  })

  it('never posts once the timeout has passed', async () => {
    const client = await setup()
    await client.exchange()
    const err = await createDeploymentOnce(client, 'abc', 'https://example.com/a.tar.gz', {
      clock: systemClock,
      deadline: Date.now() - 1
    }).catch((e: unknown) => e as Error)
    expect((err as Error).message).toMatch(
      /the timeout was reached before the deployment could be created; nothing was created/
    )
    expect(sandbox().requests.filter(r => r.method === 'POST' && r.path.endsWith('/deployments'))).toHaveLength(0)
  })
})
