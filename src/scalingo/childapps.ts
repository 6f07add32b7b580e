import { ActionError, HttpError } from '../lib/errors.js'
import { quote, statusLabel } from '../lib/text.js'
import { type PageMeta, type ScalingoClient, hasNextPage } from './client.js'

/**
 * Child apps and addons (../shared/scalingo-api.md, "Child apps and
 * addons"): the calls a review app needs, each answer reduced to what we
 * use. Every list is read to its last page: a name missing from page one
 * may be on page two.
 */

/** Pages of a list read at most: past them, the list is not trusted to end. */
export const MAX_PAGES = 40
const PER_PAGE = 50

/** An addon of an app, as far as we use it: matched on its provider's id, never its display name. */
export interface Addon {
  id: string
  provider: string
  planId: string
  planName: string
  status: string
}

/** Whether an app of that name exists, as this token sees it. */
export type AppPresence = 'exists' | 'missing' | 'hidden'

function encode(app: string): string {
  return encodeURIComponent(app)
}

/** Every child of `parent` (names), page by page. */
export async function listChildApps(client: ScalingoClient, parent: string): Promise<string[]> {
  const names: string[] = []
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await client.api<{ child_apps?: unknown; meta?: PageMeta }>(
      'GET',
      `/v1/apps/${encode(parent)}/child_apps?page=${page}&per_page=${PER_PAGE}`,
      { retry: 'idempotent' }
    )
    if (!Array.isArray(data.child_apps))
      throw new ActionError(`Scalingo answered the child apps of "${parent}" without a "child_apps" array`)
    for (const c of data.child_apps as { name?: unknown }[]) if (typeof c?.name === 'string') names.push(c.name)
    if (!hasNextPage(data.meta, page, data.child_apps.length, PER_PAGE)) return names
  }
  throw new ActionError(`the child apps of "${parent}" run past ${MAX_PAGES} pages: not deciding from a partial list`)
}

/** `GET /v1/apps/{name}`: 404 is missing; 403 is an app this token cannot see (the name is taken). */
export async function appPresence(client: ScalingoClient, name: string): Promise<AppPresence> {
  try {
    await client.api('GET', `/v1/apps/${encode(name)}`, { retry: 'idempotent' })
    return 'exists'
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return 'missing'
    if (err instanceof HttpError && err.status === 403) return 'hidden'
    throw err
  }
}

/** `POST /v1/apps/{parent}/child_apps`: not idempotent (sent again only when certainly unsent). */
export async function createChildApp(client: ScalingoClient, parent: string, name: string): Promise<void> {
  await client.api('POST', `/v1/apps/${encode(parent)}/child_apps`, {
    json: { app: { name } },
    retry: 'unsent-only'
  })
}

/** `DELETE /v1/apps/{name}?current_name={name}`: 'gone' when it answers 404. */
export async function deleteApp(client: ScalingoClient, name: string): Promise<'deleted' | 'gone'> {
  try {
    await client.api('DELETE', `/v1/apps/${encode(name)}?current_name=${encode(name)}`, { retry: 'idempotent' })
    return 'deleted'
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return 'gone'
    throw err
  }
}

function readAddon(a: unknown): Addon | undefined {
  if (!a || typeof a !== 'object') return undefined
  const x = a as {
    id?: unknown
    status?: unknown
    plan?: { id?: unknown; name?: unknown }
    addon_provider?: { id?: unknown }
  }
  if (typeof x.id !== 'string' || typeof x.addon_provider?.id !== 'string') return undefined
  return {
    id: x.id,
    provider: x.addon_provider.id,
    planId: typeof x.plan?.id === 'string' ? x.plan.id : '',
    planName: typeof x.plan?.name === 'string' ? x.plan.name : '',
    status: typeof x.status === 'string' ? statusLabel(x.status) : 'unknown'
  }
}

/** The app's addons. */
export async function listAddons(client: ScalingoClient, app: string): Promise<Addon[]> {
  const { data } = await client.api<{ addons?: unknown }>('GET', `/v1/apps/${encode(app)}/addons`, {
    retry: 'idempotent'
  })
  if (!Array.isArray(data.addons))
    throw new ActionError(`Scalingo answered the addons of "${app}" without an "addons" array`)
  return data.addons.map(readAddon).filter((a): a is Addon => a !== undefined)
}

/** The id of a provider's plan given by name (or already by id), as `scalingo addons-add` finds it. */
export async function planIdOf(client: ScalingoClient, provider: string, plan: string): Promise<string> {
  let data: { plans?: unknown }
  try {
    data = (
      await client.api<{ plans?: unknown }>('GET', `/v1/addon_providers/${encode(provider)}/plans`, {
        retry: 'idempotent'
      })
    ).data
  } catch (err) {
    if (err instanceof HttpError && err.status === 404)
      throw new ActionError(`Scalingo knows no addon provider ${quote(provider)} (404)`, 'check the addons input')
    throw err
  }
  const plans = Array.isArray(data.plans) ? (data.plans as { id?: unknown; name?: unknown }[]) : []
  const found = plans.find(p => p?.name === plan) ?? plans.find(p => p?.id === plan)
  if (!found || typeof found.id !== 'string') {
    const names = plans.map(p => p?.name).filter((n): n is string => typeof n === 'string')
    throw new ActionError(
      `addon provider ${quote(provider)} has no plan ${quote(plan)}${names.length ? ` (its plans: ${names.slice(0, 12).join(', ')})` : ''}`,
      'check the addons input'
    )
  }
  return found.id
}

/**
 * `POST /v1/apps/{app}/addons`: not idempotent (a second POST is a second
 * database). Returns the addon and the variables it says it sets.
 */
export async function provisionAddon(
  client: ScalingoClient,
  app: string,
  provider: string,
  planId: string
): Promise<{ addon?: Addon; variables: string[] }> {
  const { data } = await client.api<{ addon?: unknown; variables?: unknown; vars?: unknown }>(
    'POST',
    `/v1/apps/${encode(app)}/addons`,
    { json: { addon: { addon_provider_id: provider, plan_id: planId, options: {} } }, retry: 'unsent-only' }
  )
  const list = Array.isArray(data.variables) ? data.variables : Array.isArray(data.vars) ? data.vars : []
  return { addon: readAddon(data.addon), variables: list.filter((v): v is string => typeof v === 'string') }
}
