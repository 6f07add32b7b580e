import { ActionError } from '../../src/lib/errors.js'
import { hasNextPage, jwtExpiry, readDeployment } from '../../src/scalingo/client.js'
import { DEFAULT_API_TOKEN } from '../../sandbox/index.js'
import { sandboxClient } from '../helpers-client.js'

const { setup, sandbox, client } = sandboxClient()

describe('jwtExpiry', () => {
  it('reads the exp claim', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 1_800_000_000 })).toString('base64url')
    expect(jwtExpiry(`h.${payload}.s`)).toBe(1_800_000_000_000)
    expect(jwtExpiry('not-a-jwt')).toBeUndefined()
    expect(jwtExpiry('a.!!!.c')).toBeUndefined()
  })
})

describe('readDeployment', () => {
  it('refuses an answer without a deployment', () => {
    expect(() => readDeployment({}, 'x')).toThrow(ActionError)
    expect(() => readDeployment({ deployment: { id: 'a' } }, 'x')).toThrow(/without a deployment/)
    expect(readDeployment({ deployment: { id: 'a', status: 'queued' } }, 'x').id).toBe('a')
  })
})

describe('ScalingoClient against the sandbox', () => {
  beforeEach(async () => {
    await setup()
  })

  it('exchanges the token with basic auth and an empty user', async () => {
    const c = client()
    const jwt = await c.exchange()
    expect(jwt.split('.')).toHaveLength(3)
    const req = sandbox().requests[0]
    expect(req.path).toBe('/v1/tokens/exchange')
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`:${DEFAULT_API_TOKEN}`).toString('base64')}`)
  })

  it('says the token was refused on 401', async () => {
    await expect(client({ apiToken: 'wrong-token' }).exchange()).rejects.toThrow(
      /the Scalingo API token was refused \(401: invalid credentials\)/
    )
  })

  it('exchanges again before the bearer expires', async () => {
    const c = await setup({ bearerTtlSeconds: 60 })
    await c.getApp()
    await c.getApp()
    // Each call found fewer than 5 minutes left, so each exchanged again.
    expect(c.exchanges).toBe(2)
  })

  it('reads the app, creates, reads and lists deployments, and reads the output', async () => {
    const c = client()
    const app = await c.getApp()
    expect(app).toMatchObject({ name: 'my-app', url: 'https://my-app.osc-fr1.scalingo.io' })
    expect(app.links?.deployments_stream).toMatch(/^ws:\/\//)
    const d = await c.createDeployment('abc', 'https://example.com/a.tar.gz')
    expect(d).toMatchObject({ status: 'queued', git_ref: 'abc' })
    const read = async (): Promise<string | undefined> => {
      const body = await c.openOutput(d.links!.output!)
      if (!body) return undefined
      let text = ''
      for await (const chunk of body) text += String(chunk)
      return text
    }
    expect(await read()).toBeUndefined() // no log yet: 404
    await sandbox().waitFinished(d.id)
    expect((await c.getDeployment(d.id)).status).toBe('success')
    expect((await c.listDeployments()).map(x => x.id)).toEqual([d.id])
    expect(await read()).toContain('-----> Application deployed\n')
  })

  it('explains a 404 for the app with the region', async () => {
    await expect(client({ app: 'ghost' }).getApp()).rejects.toThrow(/app "ghost" was not found in region osc-fr1/)
  })
})

describe('hasNextPage', () => {
  it('follows meta.pagination.next_page; without it, a full page may have a next one; an empty page never', () => {
    expect(hasNextPage({ pagination: { next_page: 3 } }, 2, 50, 50)).toBe(true)
    expect(hasNextPage({ pagination: { next_page: null } }, 2, 50, 50)).toBe(false)
    expect(hasNextPage({ pagination: { next_page: 2 } }, 2, 50, 50)).toBe(false)
    expect(hasNextPage(undefined, 1, 50, 50)).toBe(true)
    expect(hasNextPage(undefined, 1, 49, 50)).toBe(false)
    expect(hasNextPage({ pagination: { next_page: 2 } }, 1, 0, 50)).toBe(false)
  })
})
