import { InputError } from '../lib/errors.js'

/**
 * `env-file`: a dotenv file in the workspace, as `scalingo env-set --file`
 * users write them. Parsed whole before anything changes on the app: one
 * malformed line and nothing is set.
 */

export interface EnvVariable {
  name: string
  value: string
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

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
      throw new InputError(
        'env-file',
        `line ${lineNo}: "${name.slice(0, 40)}" is not a variable name (letters, digits, _)`
      )
    let value = m[2].trim()
    const quote = value[0]
    if (quote === '"' || quote === "'") {
      const end = value.indexOf(quote, 1)
      if (end < 0)
        throw new InputError(
          'env-file',
          `line ${lineNo}: ${name} has an unterminated ${quote === '"' ? 'double' : 'single'} quote`
        )
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
