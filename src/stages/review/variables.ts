import { ActionError } from '../../lib/errors.js'
import * as log from '../../lib/log.js'
import { registerSecrets } from '../../lib/secrets.js'
import { listSome } from '../../lib/text.js'
import type { ScalingoClient } from '../../scalingo/client.js'
import type { EnvVariable } from '../../settings/dotenv.js'

/**
 * The review app's variables: the parent's it does not have yet, minus
 * anything that would point it at the parent's resources, then env-file
 * and `variables` over them, in one bulk call. Values are masked as they
 * are read and never printed; only names are.
 */

/** A URL value, as addons set them (`postgres://user:password@host:port/db`). */
const URL_VALUE = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i
/** A value that only refers to another variable (`$SCALINGO_POSTGRESQL_URL`): copied as is, it resolves on the review app. */
const ALIAS = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})$/

/**
 * The parent's addon URLs and their credential parts: the `SCALINGO_*`
 * variables holding a URL (what addons set), the URL's password and
 * `user:password@host` authority. A value holding any of them points at
 * the parent's resources.
 */
export function parentResourceMarks(parent: EnvVariable[]): { names: string[]; marks: string[] } {
  const names: string[] = []
  const marks = new Set<string>()
  for (const v of parent) {
    if (!v.name.startsWith('SCALINGO_') || !URL_VALUE.test(v.value)) continue
    names.push(v.name)
    marks.add(v.value)
    try {
      const u = new URL(v.value)
      const password = decodeURIComponent(u.password)
      if (password.length >= 8) marks.add(password)
      if (u.username && u.host) marks.add(`${u.username}:${u.password}@${u.host}`)
    } catch {
      // the whole value is a mark already
    }
  }
  return { names, marks: [...marks].filter(m => m.length >= 8) }
}

export interface CopyPlan {
  /** Copied as read (an alias stays an alias). */
  copy: EnvVariable[]
  /** Names left out because they would point at the parent's resources, or belong to the review app's addons. */
  excluded: string[]
}

/**
 * Which of the parent's variables the review app gets: those it does not
 * have yet, except names its own addons provide, the parent's addon
 * variables, any value holding one of their URLs, and the action's own
 * state. Pure.
 */
export function planCopy(
  parent: EnvVariable[],
  child: EnvVariable[],
  addonProvided: Iterable<string>,
  own: string[]
): CopyPlan {
  const has = new Set(child.map(v => v.name))
  const provided = new Set(addonProvided)
  const { names, marks } = parentResourceMarks(parent)
  const parentAddonNames = new Set(names)
  const copy: EnvVariable[] = []
  const excluded: string[] = []
  for (const v of parent) {
    if (has.has(v.name) || own.includes(v.name)) continue
    const pointsAtParent = provided.has(v.name) || parentAddonNames.has(v.name) || marks.some(m => v.value.includes(m))
    if (pointsAtParent) excluded.push(v.name)
    else copy.push(v)
  }
  return { copy, excluded }
}

/** What is set on the review app: the copy, then the overrides where they differ from what it has. Pure. */
export function reviewVariableWrites(
  child: EnvVariable[],
  copy: EnvVariable[],
  overrides: EnvVariable[]
): EnvVariable[] {
  const now = new Map(child.map(v => [v.name, v.value]))
  const writes = new Map<string, string>()
  for (const v of copy) writes.set(v.name, v.value)
  for (const v of overrides) if (now.get(v.name) !== v.value || writes.has(v.name)) writes.set(v.name, v.value)
  return [...writes].map(([name, value]) => ({ name, value }))
}

/**
 * Masks values as they are read (a review app's build output may print
 * them): all but booleans, numbers, bare references to another variable
 * and single lower-case words (`production`, `staging`), which would mask
 * the same word everywhere in the log and hide nothing.
 */
export function maskValues(vars: EnvVariable[]): void {
  const plain = (x: string): boolean =>
    /^(true|false|yes|no|on|off|-?\d+(\.\d+)?|[a-z]{1,12})$/i.test(x) || ALIAS.test(x)
  registerSecrets(vars.filter(v => !plain(v.value.trim())).map(v => v.value))
}

export interface VariablesOutcome {
  copied: string[]
  excluded: string[]
  overridden: string[]
  /** Variables the review app had that pointed at the parent's resources, removed. */
  removed: string[]
}

/**
 * The review app's variables that point at the parent's resources (a
 * value holding one of its addon URLs or passwords). Whether creating a
 * child copies the parent's variables is not documented: whatever put them
 * there, they go. Pure.
 */
export function pointingAtParent<V extends EnvVariable>(child: V[], parent: EnvVariable[]): V[] {
  const { marks } = parentResourceMarks(parent)
  return child.filter(v => marks.some(m => v.value.includes(m)))
}

/** Copies, overrides, one bulk call; names only in the log. */
export async function applyReviewVariables(
  review: ScalingoClient,
  parent: ScalingoClient,
  opts: { copy: boolean; overrides: EnvVariable[]; addonProvided: string[]; own: string[] }
): Promise<VariablesOutcome> {
  const listed = await review.listVariables({ aliases: true })
  maskValues(listed)
  // The parent's are read even without copy-variables: they say what points at its resources.
  const fromParent = await parent.listVariables({ aliases: true })
  maskValues(fromParent)
  // What env-file or variables set is the user's explicit choice, whatever it points at.
  const stale = pointingAtParent(listed, fromParent).filter(v => !opts.overrides.some(o => o.name === v.name))
  const noId = stale.find(v => !v.id)
  if (noId)
    throw new ActionError(
      `${review.config.app} holds ${noId.name}, which points at ${parent.config.app}'s resources, and Scalingo listed it without an id to remove it by: not deploying`,
      `remove it from ${review.config.app} (scalingo --app ${review.config.app} env-unset ${noId.name})`
    )
  for (const v of stale) await review.unsetVariable(v.id!)
  const removed = stale.map(v => v.name)
  const child = listed.filter(v => !removed.includes(v.name))
  const plan: CopyPlan = opts.copy
    ? planCopy(fromParent, child, [...opts.addonProvided, ...removed], opts.own)
    : { copy: [], excluded: [] }
  const writes = reviewVariableWrites(child, plan.copy, opts.overrides)
  const overridden = opts.overrides.filter(o => writes.some(w => w.name === o.name)).map(o => o.name)
  const copied = plan.copy.map(v => v.name).filter(n => !overridden.includes(n))
  if (writes.length > 0)
    await review.setVariables(writes, opts.copy ? 'the parent, env-file and variables' : 'env-file and variables')
  const outcome = { copied, excluded: plan.excluded, overridden, removed }
  const line = describeVariables(outcome, parent.config.app, names => listSome(names, 20))
  log.info(`Variables of ${review.config.app}: ${line || 'nothing to change'}`)
  return outcome
}

/** What the variables step did, names only ('' when nothing): for the log (names shortened) and the summary. */
export function describeVariables(v: VariablesOutcome, parentApp: string, names: (list: string[]) => string): string {
  return [
    v.removed.length ? `removed ${names(v.removed)} (they pointed at ${parentApp}'s resources)` : '',
    v.copied.length ? `copied ${names(v.copied)} from ${parentApp}` : '',
    v.overridden.length ? `set ${names(v.overridden)}` : '',
    v.excluded.length ? `not copied (the parent's resources, or the review app's addons): ${names(v.excluded)}` : ''
  ]
    .filter(Boolean)
    .join('; ')
}
