import type { Clock } from '../../lib/clock.js'
import { ActionError, HttpError, describeError, mayHaveBeenProcessed } from '../../lib/errors.js'
import * as log from '../../lib/log.js'
import { type Addon, listAddons, planIdOf, provisionAddon } from '../../scalingo/childapps.js'
import type { ScalingoClient } from '../../scalingo/client.js'
import type { AddonsWanted } from '../../settings/reviewapp.js'

/**
 * The review app's addons: one per wanted provider, posted once (the POST
 * is not idempotent), then awaited until running. A child app inherits
 * none of its parent's. Scalingo has no failed status: a refusal is the
 * POST's answer, and an addon stuck provisioning ends at the timeout.
 */

export interface WantedAddon {
  provider: string
  planId: string
  /** For messages ('' when only the id is known). */
  planName: string
}

/** When provisioning is looked at again: soon at first (a small plan is ready in seconds), then every 3 s. */
export function addonPollDelay(polls: number): number {
  return polls === 0 ? 500 : polls < 4 ? 1_000 : 3_000
}

/** What `addons` asks for: the parent's (one per provider), a list (plans resolved by name), or none. */
export async function wantedAddons(
  client: ScalingoClient,
  wanted: AddonsWanted,
  parent: string
): Promise<WantedAddon[]> {
  if (wanted.kind === 'none') return []
  if (wanted.kind === 'list') {
    const out: WantedAddon[] = []
    for (const { provider, plan } of wanted.items)
      out.push({ provider, planId: await planIdOf(client, provider, plan), planName: plan })
    return out
  }
  const seen = new Set<string>()
  const out: WantedAddon[] = []
  for (const a of await listAddons(client, parent)) {
    if (seen.has(a.provider) || !a.planId) continue
    seen.add(a.provider)
    out.push({ provider: a.provider, planId: a.planId, planName: a.planName })
  }
  return out
}

/**
 * The variables an addon of each provider sets besides its `SCALINGO_*`
 * URL (Scalingo's addon pages; the CLI prints them as "Modified
 * variables"). An addon may set them only after it reports `running`, and
 * its POST answer may not list them: they belong to the review app's own
 * addon all the same, and are never copied from the parent.
 */
const PROVIDER_VARIABLES: Record<string, string[]> = {
  postgresql: ['DATABASE_URL'],
  mysql: ['DATABASE_URL'],
  redis: ['REDIS_URL'],
  'scalingo-redis': ['REDIS_URL'],
  mongodb: ['SCALINGO_MONGO_URL', 'MONGO_URL'],
  elasticsearch: ['ELASTICSEARCH_URL'],
  opensearch: ['OPENSEARCH_URL'],
  influxdb: ['SCALINGO_INFLUX_URL', 'INFLUX_URL']
}

/** The names the addons of these providers set on an app. */
export function providedNames(providers: string[]): string[] {
  return providers.flatMap(p => [
    `SCALINGO_${p
      .replace(/^scalingo-/, '')
      .toUpperCase()
      .replace(/-/g, '_')}_URL`,
    ...(PROVIDER_VARIABLES[p] ?? [])
  ])
}

export function describeAddon(a: { provider: string; planName: string; planId?: string }): string {
  return `${a.provider} (${a.planName || a.planId || 'plan unknown'})`
}

export interface AddonsOutcome {
  /** Addons this run posted. */
  created: string[]
  /** Variable names the new addons said they set. */
  variables: string[]
}

/** Posts one addon; after an unclear answer, the app's addons say whether it was created (never posted twice). */
async function provisionOne(client: ScalingoClient, app: string, w: WantedAddon): Promise<string[]> {
  try {
    const answer = await provisionAddon(client, app, w.provider, w.planId)
    return answer.variables
  } catch (err) {
    if (err instanceof HttpError && !mayHaveBeenProcessed(err)) {
      throw new ActionError(
        `Scalingo refused the ${describeAddon(w)} addon for ${app} (${err.status}: ${err.serverMessage}); the review app is left as it is, and the next run completes it`,
        err.status === 402 ? 'the account needs a payment method for this plan' : 'check the addons input'
      )
    }
    if (!mayHaveBeenProcessed(err)) throw err
    log.info(`(adding ${describeAddon(w)} had no clear answer: ${describeError(err)}; reading ${app}'s addons again)`)
    if ((await listAddons(client, app)).some(a => a.provider === w.provider)) return []
    throw err
  }
}

/** Adds each wanted addon the review app does not have yet. */
export async function provisionMissing(
  client: ScalingoClient,
  app: string,
  wanted: WantedAddon[]
): Promise<AddonsOutcome> {
  const outcome: AddonsOutcome = { created: [], variables: [] }
  if (wanted.length === 0) return outcome
  const present = await listAddons(client, app)
  for (const w of wanted) {
    if (present.some(a => a.provider === w.provider)) continue
    outcome.variables.push(...(await provisionOne(client, app, w)))
    outcome.created.push(describeAddon(w))
    log.info(`Added the ${describeAddon(w)} addon to ${app}`)
  }
  return outcome
}

/** Waits until the addons of the wanted providers run; a suspended one, or the timeout, fails. */
export async function waitForAddons(
  client: ScalingoClient,
  app: string,
  wanted: WantedAddon[],
  bounds: { clock: Clock; deadline: number; stop?: AbortSignal }
): Promise<Addon[]> {
  if (wanted.length === 0) return []
  const providers = new Set(wanted.map(w => w.provider))
  for (let polls = 0; ; polls++) {
    const mine = (await listAddons(client, app)).filter(a => providers.has(a.provider))
    const waiting = mine.filter(a => a.status !== 'running')
    const suspended = waiting.find(a => a.status === 'suspended')
    if (suspended) throw new ActionError(`the ${describeAddon(suspended)} addon of ${app} is suspended`)
    if (waiting.length === 0) return mine
    if (polls === 0) log.info(`Waiting for ${waiting.map(a => describeAddon(a)).join(', ')} to be provisioned…`)
    const wait = addonPollDelay(polls)
    if (bounds.clock.now() + wait > bounds.deadline || bounds.stop?.aborted) {
      throw new ActionError(
        `${waiting.map(a => `${describeAddon(a)} is still ${a.status}`).join(', ')} on ${app} at the timeout`,
        'the next run waits for it again (nothing is added twice); raise timeout if provisioning takes longer'
      )
    }
    await bounds.clock.sleep(wait, bounds.stop)
  }
}
