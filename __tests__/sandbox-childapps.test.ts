/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call -- answers read as loose JSON, as the API's clients do */
/**
 * The sandbox's child apps, addons and pull-request comments behave as
 * ../shared/scalingo-api.md and GitHub's REST docs say (the review-app
 * action will be built against them).
 */
import { DEFAULT_API_TOKEN, DEFAULT_GITHUB_TOKEN, startSandbox, type Sandbox } from '../sandbox/index.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

async function bearer(): Promise<string> {
  const res = await fetch(`${sandbox.scalingo.authUrl}/v1/tokens/exchange`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`:${DEFAULT_API_TOKEN}`).toString('base64')}` }
  })
  return ((await res.json()) as { token: string }).token
}

/** Answers as the tests read them: loose JSON. */
type Loose = Record<string, any>

async function api(
  token: string,
  method: string,
  path: string,
  body?: unknown
): Promise<{ status: number; data: Loose }> {
  const res = await fetch(`${sandbox.scalingo.apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  return { status: res.status, data: (text ? JSON.parse(text) : {}) as Loose }
}

describe('child apps', () => {
  it('creates a child with the documented route, lists children page by page, refuses a taken name', async () => {
    sandbox = await startSandbox({ scalingo: { apps: { staging: {} }, childApps: { maxPerPage: 2 } } })
    const t = await bearer()
    for (const n of [1, 2, 3]) {
      const created = await api(t, 'POST', '/v1/apps/staging/child_apps', { app: { name: `staging-pr${n}` } })
      expect(created.status).toBe(201)
      expect(created.data.app).toMatchObject({ name: `staging-pr${n}`, parent_app_name: 'staging' })
    }
    const page1 = await api(t, 'GET', '/v1/apps/staging/child_apps?page=1&per_page=50')
    expect(page1.data.child_apps.map((a: { name: string }) => a.name)).toEqual(['staging-pr1', 'staging-pr2'])
    expect(page1.data.meta.pagination.next_page).toBe(2)
    const page2 = await api(t, 'GET', '/v1/apps/staging/child_apps?page=2&per_page=50')
    expect(page2.data.child_apps.map((a: { name: string }) => a.name)).toEqual(['staging-pr3'])
    expect((await api(t, 'POST', '/v1/apps/staging/child_apps', { app: { name: 'staging-pr1' } })).status).toBe(422)
    expect((await api(t, 'POST', '/v1/apps/staging/child_apps', { app: { name: 'bad--name' } })).status).toBe(422)
  })

  it('names taken by another account: 422 on create, 404 or 403 on GET', async () => {
    sandbox = await startSandbox({
      scalingo: { apps: { staging: {} }, childApps: { foreignApps: ['staging-pr9'], foreignAnswer: 403 } }
    })
    const t = await bearer()
    expect((await api(t, 'POST', '/v1/apps/staging/child_apps', { app: { name: 'staging-pr9' } })).status).toBe(422)
    expect((await api(t, 'GET', '/v1/apps/staging-pr9')).status).toBe(403)
  })

  it('deletes an app only with current_name repeating its name; then it is gone', async () => {
    sandbox = await startSandbox({ scalingo: { apps: { staging: {} } } })
    const t = await bearer()
    await api(t, 'POST', '/v1/apps/staging/child_apps', { app: { name: 'staging-pr1' } })
    expect((await api(t, 'DELETE', '/v1/apps/staging-pr1')).status).toBe(422)
    expect((await api(t, 'DELETE', '/v1/apps/staging-pr1?current_name=staging-pr1')).status).toBe(204)
    expect((await api(t, 'GET', '/v1/apps/staging-pr1')).status).toBe(404)
    expect((await api(t, 'DELETE', '/v1/apps/staging-pr1?current_name=staging-pr1')).status).toBe(404)
  })
})

describe('addons', () => {
  it('resolves a plan name through the provider, provisions, then runs and sets its variables (an alias too)', async () => {
    sandbox = await startSandbox({ scalingo: { childApps: { provisioningMs: 100 } } })
    const t = await bearer()
    const plans = await api(t, 'GET', '/v1/addon_providers/postgresql/plans')
    const plan = plans.data.plans.find((p: { name: string }) => p.name === 'postgresql-starter-512')
    const added = await api(t, 'POST', '/v1/apps/my-app/addons', {
      addon: { addon_provider_id: 'postgresql', plan_id: plan.id }
    })
    expect(added.status).toBe(201)
    expect(added.data.addon).toMatchObject({ status: 'provisioning', addon_provider: { id: 'postgresql' } })
    expect(added.data.variables).toEqual(['DATABASE_URL', 'SCALINGO_POSTGRESQL_URL'])
    await new Promise(resolve => setTimeout(resolve, 200))
    const one = await api(t, 'GET', `/v1/apps/my-app/addons/${added.data.addon.id}`)
    expect(one.data.addon.status).toBe('running')
    const stored = await api(t, 'GET', '/v1/apps/my-app/variables?aliases=true')
    const db = stored.data.variables.find((v: { name: string }) => v.name === 'DATABASE_URL')
    expect(db.value).toBe('$SCALINGO_POSTGRESQL_URL')
    const resolved = await api(t, 'GET', '/v1/apps/my-app/variables?aliases=false')
    expect(resolved.data.variables.find((v: { name: string }) => v.name === 'DATABASE_URL').value).toMatch(
      /^postgresql:\/\//
    )
  })

  it('a refused provider answers the POST with its status; an unknown plan id 422', async () => {
    sandbox = await startSandbox({ scalingo: { childApps: { refuseProviders: { redis: 402 } } } })
    const t = await bearer()
    const plan = (await api(t, 'GET', '/v1/addon_providers/redis/plans')).data.plans[0]
    expect(
      (await api(t, 'POST', '/v1/apps/my-app/addons', { addon: { addon_provider_id: 'redis', plan_id: plan.id } }))
        .status
    ).toBe(402)
    expect(
      (await api(t, 'POST', '/v1/apps/my-app/addons', { addon: { addon_provider_id: 'postgresql', plan_id: 'nope' } }))
        .status
    ).toBe(422)
    expect((await api(t, 'GET', '/v1/apps/my-app/addons')).data.addons).toEqual([])
  })
})

describe('pull-request comments (GitHub issues API)', () => {
  it('creates, lists page by page with a Link header, and updates in place', async () => {
    sandbox = await startSandbox()
    const headers = { Authorization: `Bearer ${DEFAULT_GITHUB_TOKEN}`, 'Content-Type': 'application/json' }
    const base = `${sandbox.github.apiUrl}/repos/acme/shop/issues`
    for (const body of ['one', 'two', 'three'])
      expect(
        (await fetch(`${base}/7/comments`, { method: 'POST', headers, body: JSON.stringify({ body }) })).status
      ).toBe(201)
    const first = await fetch(`${base}/7/comments?per_page=2`, { headers })
    expect(first.headers.get('link')).toMatch(/page=2>; rel="next"/)
    const list = (await first.json()) as { id: number; body: string }[]
    expect(list.map(c => c.body)).toEqual(['one', 'two'])
    const patched = await fetch(`${base}/comments/${list[0].id}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ body: 'one, edited' })
    })
    expect(patched.status).toBe(200)
    expect(sandbox.github.comments.map(c => c.body)).toEqual(['one, edited', 'two', 'three'])
    expect((await fetch(`${base}/7/comments`, { method: 'POST', body: JSON.stringify({ body: 'x' }) })).status).toBe(
      403
    )
  })
})
