/**
 * The sandbox is driven by Scalingo's own JavaScript client (the `scalingo`
 * package, dev only): if the client and the sandbox disagree, the sandbox is
 * wrong, and every test built on it proves less.
 */
import { clientFromToken, type Client } from 'scalingo'
import { DEFAULT_API_TOKEN, ScalingoSandbox } from '../sandbox/index.js'

let sb: ScalingoSandbox
let client: Client
beforeEach(async () => {
  sb = await new ScalingoSandbox({
    timeline: [
      { afterMs: 150, status: 'building', log: ['-----> Building'] },
      { afterMs: 150, status: 'success', log: ['-----> Done'] }
    ]
  }).start()
  client = await clientFromToken(DEFAULT_API_TOKEN, { apiUrl: sb.apiUrl, authApiUrl: sb.authUrl })
})
afterEach(async () => {
  await sb.close()
})

describe("Scalingo's JS client against the sandbox", () => {
  it('exchanges the API token for a bearer (basic auth, empty user)', () => {
    expect(client._token.split('.')).toHaveLength(3)
    expect(sb.bearers.has(client._token)).toBe(true)
  })

  it('refuses a bad token as the client expects (401 APIError)', async () => {
    await expect(clientFromToken('tk-us-wrong', { apiUrl: sb.apiUrl, authApiUrl: sb.authUrl })).rejects.toMatchObject({
      status: 401
    })
  })

  it('finds the app, and 404s an unknown one', async () => {
    const app = await client.Apps.find('my-app')
    expect(app).toMatchObject({ name: 'my-app', url: expect.stringMatching(/^https:\/\//) })
    expect(app.links.deployments_stream).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/apps\/my-app$/)
    await expect(client.Apps.find('nope')).rejects.toMatchObject({
      status: 404,
      data: { resource: 'app', error: 'not found' }
    })
  })

  it('creates, finds, lists deployments and reads their logs', async () => {
    const created = await client.Deployments.create('my-app', {
      git_ref: 'abc123',
      source_url: 'https://example.com/a.tar.gz'
    })
    expect(created).toMatchObject({ status: 'queued', git_ref: 'abc123', app_id: expect.any(String) })
    await sb.waitFinished(created.id)
    const found = await client.Deployments.find('my-app', created.id)
    expect(found).toMatchObject({ id: created.id, status: 'success', duration: expect.any(Number) })
    const list = await client.Deployments.for('my-app', { page: 1, per_page: 5 })
    expect(list.deployments.map(d => d.id)).toEqual([created.id])
    expect(list.meta.pagination).toMatchObject({ current_page: 1, total_count: 1 })
    expect(await client.Deployments.logs('my-app', created.id)).toBe('-----> Building\n-----> Done\n')
  })

  it("streams a deployment's events to the client's listener", async () => {
    const listener = await client.Apps.deploymentListener('my-app')
    const events: string[] = []
    let id = ''
    const done = new Promise<void>(resolve => {
      // The client types `deployment` as an id; Scalingo's Go CLI reads a whole deployment: accept both.
      listener.onNew(e => {
        const d = e.deployment as unknown as string | { id: string }
        events.push(`new ${(typeof d === 'string' ? d : d.id) === id ? 'ours' : 'other'}`)
      })
      listener.onLog(e => events.push(`log ${e.id === id ? 'ours' : 'other'} ${String(e.content).trim()}`))
      listener.onStatus(e => {
        events.push(`status ${e.id === id ? 'ours' : 'other'} ${e.status}`)
        if (e.status === 'success') resolve()
      })
    })
    await new Promise<void>(resolve => listener.onOpen(() => setTimeout(resolve, 50)))
    id = (await client.Deployments.create('my-app', { git_ref: 'abc', source_url: 'https://example.com/a.tar.gz' })).id
    await done
    listener.close()
    expect(events).toEqual([
      'new ours',
      'status ours building',
      'log ours -----> Building',
      'log ours -----> Done',
      'status ours success'
    ])
  })

  it('sets variables in bulk, leaving the others alone', async () => {
    await client.Environment.create('my-app', { name: 'KEEP', value: 'me' })
    const updated = await client.Environment.bulkUpdate('my-app', [
      { name: 'DATABASE_URL', value: 'postgres://x' },
      { name: 'KEEP', value: 'changed' }
    ])
    expect(updated.map(v => v.name).sort()).toEqual(['DATABASE_URL', 'KEEP'])
    const all = await client.Environment.for('my-app')
    expect(Object.fromEntries(all.map(v => [v.name, v.value]))).toEqual({
      KEEP: 'changed',
      DATABASE_URL: 'postgres://x'
    })
    await expect(client.Environment.bulkUpdate('my-app', [{ name: 'bad name', value: 'x' }])).rejects.toMatchObject({
      status: 422
    })
  })
})
