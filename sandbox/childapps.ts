import { randomBytes } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { json, paginate } from './http-util.js'

/**
 * Child apps and addons, as ../shared/scalingo-api.md ("Child apps and
 * addons") describes them: the documented child-app route, paginated child
 * lists, deletion guarded by `current_name`, addon providers' plans, addons
 * provisioned after a delay (no failed status: a refusal is the POST's
 * answer), the variables an addon sets (with aliases), and names taken by
 * apps this token cannot see. Undocumented behaviour is a switch.
 */

export interface ChildAppsBehaviour {
  /** The longest child name the API accepts: 32 (the child-apps docs) or 48 (apps since 2021, the default). */
  maxNameLength?: 32 | 48
  /** The largest page of `GET …/child_apps` (undocumented; default 50). */
  maxPerPage?: number
  /** Names taken by apps of other accounts: create answers 422, and GET the app answers `foreignAnswer`. */
  foreignApps?: string[]
  /** What GET answers for another account's app: 403 or 404 (default 404). */
  foreignAnswer?: 403 | 404
  /** How long an addon stays `provisioning` before `running` (default 300 ms); `Infinity`: stuck. */
  provisioningMs?: number
  /**
   * A new child starts with a copy of its parent's variables (undocumented
   * for `POST …/child_apps`; what linked review apps do), its database URL
   * included.
   */
  inheritVariables?: boolean
  /** An addon's variables appear this long after it reports `running` (default: at once). */
  variablesLagMs?: number
  /** Answer an addon POST without its `variables` list (the docs show no answer). */
  noVariablesInAnswer?: boolean
  /** Providers whose addon POST is refused, with the status (402 needs a payment method, say). */
  refuseProviders?: Record<string, number>
}

export interface SandboxPlan {
  id: string
  name: string
  display_name: string
  price: number
}

/** Providers, their plans, and the variables an addon of theirs sets (the second an alias of the first). */
export const PROVIDERS: Record<string, { plans: SandboxPlan[]; variables: [string, string] }> = {
  postgresql: {
    plans: [
      { id: '5cc45d223e6b3b001249e5a3', name: 'postgresql-starter-512', display_name: 'Starter 512M', price: 14.4 },
      { id: '5cc45d223e6b3b001249e5a4', name: 'postgresql-sandbox', display_name: 'Sandbox', price: 0 }
    ],
    variables: ['SCALINGO_POSTGRESQL_URL', 'DATABASE_URL']
  },
  redis: {
    plans: [{ id: '5cc45d223e6b3b001249e5b1', name: 'redis-sandbox', display_name: 'Sandbox', price: 0 }],
    variables: ['SCALINGO_REDIS_URL', 'REDIS_URL']
  }
}

export interface SandboxAddon {
  id: string
  app: string
  provider: string
  plan: SandboxPlan
  status: 'provisioning' | 'running' | 'suspended'
  resourceId: string
  createdAt: number
}

/** What the child-app routes need of the sandbox's apps. */
export interface ChildAppHost {
  apps: Map<
    string,
    { id: string; name: string; parent?: string; variables: { id: string; name: string; value: string }[] }
  >
  addApp(name: string): { id: string; name: string; parent?: string }
  removeApp(name: string): void
  appJson(name: string): Record<string, unknown>
  setVariable(app: string, name: string, value: string): void
}

const NAME = /^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/

export class ChildApps {
  readonly addons: SandboxAddon[] = []
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(
    private readonly host: ChildAppHost,
    readonly behaviour: ChildAppsBehaviour = {}
  ) {}

  close(): void {
    for (const t of this.timers) clearTimeout(t)
  }

  isForeign(name: string): boolean {
    return (this.behaviour.foreignApps ?? []).includes(name)
  }

  /** GET /v1/apps/{app} of an app another account owns. */
  foreign(res: ServerResponse): void {
    const status = this.behaviour.foreignAnswer ?? 404
    if (status === 403)
      return json(res, 403, { error: 'You are not authorized to do this operation', code: 'forbidden' })
    return json(res, 404, { resource: 'app', error: 'not found' })
  }

  /** POST /v1/apps/{parent}/child_apps. */
  create(parent: string, body: Record<string, unknown>, res: ServerResponse): void {
    const name = (body.app as { name?: unknown } | undefined)?.name
    const max = this.behaviour.maxNameLength ?? 48
    if (typeof name !== 'string' || name.length < 6 || name.length > max || !NAME.test(name))
      return json(res, 422, {
        errors: { name: [`is invalid (6 to ${max} lowercase letters, digits and single hyphens)`] }
      })
    if (this.host.apps.has(name) || this.isForeign(name))
      return json(res, 422, { errors: { name: ['has already been taken'] } })
    const app = this.host.addApp(name)
    app.parent = parent
    if (this.behaviour.inheritVariables)
      for (const v of this.host.apps.get(parent)?.variables ?? []) this.host.setVariable(name, v.name, v.value)
    json(res, 201, { app: { ...this.host.appJson(name), parent_app_name: parent } })
  }

  /** GET /v1/apps/{parent}/child_apps, paginated. */
  list(parent: string, url: URL, res: ServerResponse): void {
    const children = [...this.host.apps.values()].filter(a => a.parent === parent)
    const { items, meta } = paginate(children, url, this.behaviour.maxPerPage ?? 50)
    json(res, 200, { child_apps: items.map(a => ({ ...this.host.appJson(a.name), parent_app_name: parent })), meta })
  }

  /** DELETE /v1/apps/{app}?current_name={app}: 204; the name must be repeated. */
  destroy(name: string, url: URL, res: ServerResponse): void {
    if (url.searchParams.get('current_name') !== name)
      return json(res, 422, { errors: { current_name: ['does not match the app name'] } })
    for (const a of this.addons.filter(x => x.app === name)) this.addons.splice(this.addons.indexOf(a), 1)
    this.host.removeApp(name)
    res.writeHead(204)
    res.end()
  }

  /** GET /v1/addon_providers/{provider}/plans. */
  plans(provider: string, res: ServerResponse): void {
    const p = PROVIDERS[provider]
    if (!p) return json(res, 404, { resource: 'addon_provider', error: 'not found' })
    json(res, 200, { plans: p.plans })
  }

  private addonJson(a: SandboxAddon): Record<string, unknown> {
    return {
      id: a.id,
      app_id: this.host.apps.get(a.app)?.id,
      resource_id: a.resourceId,
      status: a.status,
      provisioned_at: a.status === 'running' ? new Date(a.createdAt).toISOString() : null,
      deprovisioned_at: null,
      plan: { ...a.plan, sku: `${a.provider}:${a.plan.name}` },
      addon_provider: { id: a.provider, name: a.provider === 'postgresql' ? 'PostgreSQL' : 'Redis', logo_url: '' },
      updated_at: new Date().toISOString()
    }
  }

  /** GET /v1/apps/{app}/addons and …/addons/{id}. */
  get(app: string, id: string | undefined, res: ServerResponse): void {
    if (!id) return json(res, 200, { addons: this.addons.filter(a => a.app === app).map(a => this.addonJson(a)) })
    const a = this.addons.find(x => x.app === app && x.id === id)
    if (!a) return json(res, 404, { resource: 'addon', error: 'not found' })
    json(res, 200, { addon: this.addonJson(a) })
  }

  /** An addon already running on an app (a parent's database), with the variables it sets. */
  seedAddon(app: string, provider: string, planName?: string): SandboxAddon {
    const p = PROVIDERS[provider]
    const plan = p.plans.find(x => x.name === planName) ?? p.plans[0]
    const a = this.newAddon(app, provider, plan)
    this.ready(a)
    return a
  }

  private newAddon(app: string, provider: string, plan: SandboxPlan): SandboxAddon {
    const a: SandboxAddon = {
      id: `ad-${randomBytes(8).toString('hex')}`,
      app,
      provider,
      plan,
      status: 'provisioning',
      resourceId: `${app.replace(/-/g, '_')}_${randomBytes(4).toString('hex')}`,
      createdAt: Date.now()
    }
    this.addons.push(a)
    return a
  }

  /** Running, and its variables set: the URL (with credentials) and its alias. */
  private ready(a: SandboxAddon, lagMs = 0): void {
    const [url, alias] = PROVIDERS[a.provider].variables
    a.status = 'running'
    const secret = randomBytes(12).toString('hex')
    this.secrets.push(secret)
    const set = (): void => {
      if (!this.addons.includes(a)) return
      const value = `${a.provider}://${a.resourceId}:${secret}@${a.resourceId}.db.sandbox:5432/${a.resourceId}`
      this.host.setVariable(a.app, url, value)
      this.host.setVariable(a.app, alias, `$${url}`)
    }
    if (lagMs <= 0) return set()
    const t = setTimeout(() => {
      this.timers.delete(t)
      set()
    }, lagMs)
    this.timers.add(t)
  }

  /** The addons' passwords: never to be seen in an action's output. */
  readonly secrets: string[] = []

  /** POST /v1/apps/{app}/addons: provisioning, then running and its variables set; not idempotent. */
  provision(app: string, body: Record<string, unknown>, res: ServerResponse): void {
    const params = (body.addon ?? {}) as { addon_provider_id?: unknown; plan_id?: unknown }
    const provider = typeof params.addon_provider_id === 'string' ? params.addon_provider_id : ''
    const p = PROVIDERS[provider]
    if (!p) return json(res, 404, { resource: 'addon_provider', error: 'not found' })
    const plan = p.plans.find(x => x.id === params.plan_id)
    if (!plan) return json(res, 422, { errors: { plan_id: ['is invalid'] } })
    const refused = this.behaviour.refuseProviders?.[provider]
    if (refused) return json(res, refused, { error: `the ${provider} addon cannot be provisioned`, code: 'refused' })
    const a = this.newAddon(app, provider, plan)
    const [url, alias] = p.variables
    const ready = (): void => this.ready(a, this.behaviour.variablesLagMs)
    const ms = this.behaviour.provisioningMs ?? 300
    if (Number.isFinite(ms)) {
      const t = setTimeout(() => {
        this.timers.delete(t)
        if (this.addons.includes(a)) ready()
      }, ms)
      this.timers.add(t)
    }
    json(res, 201, {
      addon: this.addonJson(a),
      message: `Your ${provider} addon is being provisioned`,
      variables: this.behaviour.noVariablesInAnswer ? undefined : [alias, url]
    })
  }
}
