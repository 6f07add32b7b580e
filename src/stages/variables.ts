import * as log from '../lib/log.js'
import type { ScalingoClient } from '../scalingo/client.js'
import type { EnvVariable } from '../settings/dotenv.js'

/** The app's environment variables: what a set of values would change, and the one bulk call that changes it. */

export interface VariablesDiff {
  added: string[]
  changed: string[]
  unchanged: string[]
}

/** What setting these variables changes: names only (values are secrets). */
export function diffVariables(current: EnvVariable[], wanted: EnvVariable[]): VariablesDiff {
  const now = new Map(current.map(v => [v.name, v.value]))
  const added: string[] = []
  const changed: string[] = []
  const unchanged: string[] = []
  for (const v of wanted) {
    if (!now.has(v.name)) added.push(v.name)
    else if (now.get(v.name) !== v.value) changed.push(v.name)
    else unchanged.push(v.name)
  }
  return { added, changed, unchanged }
}

/** One line for the log and the summary: names only. */
export function describeDiff({ added, changed, unchanged }: VariablesDiff): string {
  if (added.length + changed.length === 0) return `${unchanged.length} variables, all already set`
  const parts = [
    added.length ? `added ${added.join(', ')}` : '',
    changed.length ? `changed ${changed.join(', ')}` : ''
  ].filter(Boolean)
  return `${parts.join('; ')}${unchanged.length ? ` (${unchanged.length} unchanged)` : ''}`
}

/** Sets the variables that differ, in one bulk call; logs names only. Returns the line for the summary. */
export async function applyVariables(
  client: ScalingoClient,
  wanted: EnvVariable[],
  diff: VariablesDiff,
  label: string
): Promise<string> {
  const line = describeDiff(diff)
  const names = new Set([...diff.added, ...diff.changed])
  if (names.size > 0)
    await client.setVariables(
      wanted.filter(v => names.has(v.name)),
      label
    )
  log.info(`${label}: ${line}`)
  return line
}
