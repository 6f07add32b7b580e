import { describeError } from '../lib/errors.js'
import * as log from '../lib/log.js'
import { listSome } from '../lib/text.js'
import { type Deployment, type ScalingoClient, VARIABLE_EVENTS } from '../scalingo/client.js'

/**
 * Whether a variable of the app changed after its live deployment started,
 * from the platform's own record (the app's events), not from this run's
 * memory: variables written by a run whose deployment was never created,
 * or edited by hand in the dashboard, are not running yet. Events are read
 * back to the live deployment's start and no further.
 */

export const EVENTS_PER_PAGE = 50
/** Pages read at most: past them, the answer is "cannot tell" (and the commit is deployed). */
export const MAX_EVENT_PAGES = 10

export type VariableChanges =
  /** Nothing changed since the live deployment started. */
  | { changed: false }
  /** These variables changed after it started (the newest change at `latest`). */
  | { changed: true; names: string[]; latest: string }
  /** The events could not tell: why. */
  | { changed: 'unknown'; why: string }

function time(iso: string | undefined): number {
  const t = iso ? Date.parse(iso) : NaN
  return Number.isNaN(t) ? NaN : t
}

/** Reads the app's events back to `live`'s start; names (never values) of the variables changed since. */
export async function variableChangesSince(
  client: ScalingoClient,
  live: Deployment,
  ignore: string[] = []
): Promise<VariableChanges> {
  const since = time(live.created_at)
  if (Number.isNaN(since)) return { changed: 'unknown', why: `deployment ${live.id} has no readable created_at` }
  const names = new Set<string>()
  let latest = -Infinity
  for (let page = 1; page <= MAX_EVENT_PAGES; page++) {
    let answer: Awaited<ReturnType<ScalingoClient['listEvents']>>
    try {
      answer = await client.listEvents(page, EVENTS_PER_PAGE)
    } catch (err) {
      return { changed: 'unknown', why: `the app's events could not be read (${describeError(err)})` }
    }
    let oldest = Infinity
    // The answer's order is not trusted: every event of the page is looked at.
    for (const e of answer.events) {
      const at = time(e.createdAt)
      if (Number.isNaN(at)) continue
      oldest = Math.min(oldest, at)
      if (at <= since || !VARIABLE_EVENTS.includes(e.type)) continue
      // The action's own state (a review app's after-create mark) is not configuration.
      if (e.variableNames.length > 0 && e.variableNames.every(n => ignore.includes(n))) continue
      for (const n of e.variableNames) if (!ignore.includes(n)) names.add(n)
      if (e.variableNames.length === 0) names.add('(unnamed)')
      latest = Math.max(latest, at)
    }
    if (oldest <= since || !answer.more) return summarize(names, latest)
  }
  if (names.size > 0) return summarize(names, latest)
  return {
    changed: 'unknown',
    why: `more than ${MAX_EVENT_PAGES * EVENTS_PER_PAGE} events since deployment ${live.id} started`
  }
}

function summarize(names: Set<string>, latest: number): VariableChanges {
  if (names.size === 0) return { changed: false }
  return { changed: true, names: [...names].sort(), latest: new Date(latest).toISOString() }
}

/** Why the live commit must be deployed again for its variables, or undefined when it need not. */
export async function variablesNotLive(
  client: ScalingoClient,
  live: Deployment,
  sha: string,
  ignore: string[] = []
): Promise<string | undefined> {
  const changes = await variableChangesSince(client, live, ignore)
  if (changes.changed === false) return undefined
  if (changes.changed === 'unknown') {
    log.debug(`variable changes since the live deployment: ${changes.why}`)
    return `${sha} is live, but whether a variable changed since deployment ${live.id} started cannot be told (${changes.why}): deploying again`
  }
  return `${sha} is live, but variables changed after deployment ${live.id} started (${listSome(changes.names, 10)}; last at ${changes.latest}): deploying again so they take effect`
}
