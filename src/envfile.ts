import { readFileSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import * as core from '@actions/core'
import { InputError } from './errors.js'
import type { ScalingoClient } from './scalingo.js'
import type { EnvVariable } from './inputs.js'

/**
 * `env-file`: a dotenv file in the workspace, as `scalingo env-set --file`
 * users write them. Parsed whole before anything changes on the app: one
 * malformed line and nothing is set.
 */

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const MAX_BYTES = 1024 * 1024

/** Parses dotenv text: `NAME=value`, `export NAME=value`, quotes, `#` comments, blank lines. */
export function parseDotenv(text: string): EnvVariable[] {
  const out = new Map<string, string>()
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
    const raw = lines[i]
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^(?:export\s+)?([^=\s]+)\s*=(.*)$/.exec(line)
    if (!m) throw new InputError('env-file', `line ${lineNo} is not NAME=value`)
    const name = m[1]
    if (!NAME.test(name))
      throw new InputError('env-file', `line ${lineNo}: "${name.slice(0, 40)}" is not a variable name (letters, digits, _)`)
    let value = m[2].trim()
    const quote = value[0]
    if (quote === '"' || quote === "'") {
      const end = value.indexOf(quote, 1)
      if (end < 0)
        throw new InputError('env-file', `line ${lineNo}: ${name} has an unterminated ${quote === '"' ? 'double' : 'single'} quote`)
      const rest = value.slice(end + 1).trim()
      if (rest !== '' && !rest.startsWith('#'))
        throw new InputError('env-file', `line ${lineNo}: unexpected text after the quoted value of ${name}`)
      value = value.slice(1, end)
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\')
    } else {
      value = value.replace(/\s+#.*$/, '')
    }
    out.set(name, value)
  }
  return [...out.entries()].map(([name, value]) => ({ name, value }))
}

/** Reads the file, which must be inside the workspace (no `../` escape, no symlink out). */
export function readEnvFile(input: string, workspace: string): { path: string; variables: EnvVariable[] } {
  const path = isAbsolute(input) ? input : resolve(workspace, input)
  let real: string
  try {
    real = realpathSync(path)
  } catch {
    throw new InputError('env-file', `${JSON.stringify(input.slice(0, 80))} was not found in the workspace`)
  }
  const inside = relative(realpathSync(workspace), real)
  if (inside.startsWith('..') || isAbsolute(inside)) throw new InputError('env-file', 'must be a file inside the workspace')
  const st = statSync(real)
  if (!st.isFile()) throw new InputError('env-file', 'must be a file')
  if (st.size > MAX_BYTES) throw new InputError('env-file', 'is larger than 1 MB')
  return { path: real, variables: parseDotenv(readFileSync(real, 'utf8')) }
}

/** What setting these variables changes: names only (values are secrets). */
export function diffVariables(current: EnvVariable[], wanted: EnvVariable[]): { added: string[]; changed: string[]; unchanged: string[] } {
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

/** Sets the env-file's variables in one bulk call; logs names only. */
export async function applyEnvFile(client: ScalingoClient, variables: EnvVariable[], path: string): Promise<string> {
  const current = await client.listVariables()
  const { added, changed, unchanged } = diffVariables(current, variables)
  if (added.length + changed.length === 0) {
    const line = `${unchanged.length} variables, all already set`
    core.info(`env-file ${path}: ${line}`)
    return line
  }
  await client.setVariables(variables.filter(v => added.includes(v.name) || changed.includes(v.name)))
  const line =
    `${added.length ? `added ${added.join(', ')}` : ''}${added.length && changed.length ? '; ' : ''}${changed.length ? `changed ${changed.join(', ')}` : ''}` +
    `${unchanged.length ? ` (${unchanged.length} unchanged)` : ''}`
  core.info(`env-file: ${line}`)
  return line
}
