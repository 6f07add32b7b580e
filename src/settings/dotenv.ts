import { InputError } from '../lib/errors.js'

/**
 * Variables as `scalingo env-set --file .env NAME=value` reads them: the
 * file with the parser Scalingo's CLI vendors (joho/godotenv v1.5.1,
 * `parser.go`, ported statement by statement), then `NAME=value` lines
 * that override it (the `variables` input). Differences kept on purpose,
 * listed in the README: a leading BOM is skipped, a name must be ASCII
 * (`[A-Za-z0-9_.]`, no inner space, not empty), and an error names the line,
 * never its text (godotenv's own messages quote the rest of the file).
 */

export interface EnvVariable {
  name: string
  value: string
}

const EXPORT = 'export'

/** Name → value, in the order first set, as the list the API takes. */
function asVariables(values: Map<string, string>): EnvVariable[] {
  return [...values.entries()].map(([name, value]) => ({ name, value }))
}

/** godotenv's isSpace: a space but not a line break. */
function isSpace(c: string): boolean {
  return c === '\t' || c === '\v' || c === '\f' || c === '\r' || c === ' ' || c === '\u0085' || c === '\u00a0'
}

/** Go's unicode.IsSpace (line breaks included), for where a statement starts. */
function isAnySpace(c: string): boolean {
  return /\s/.test(c) || c === '\u0085'
}

function trimLeftSpace(s: string, from: number): number {
  while (from < s.length && isSpace(s[from])) from++
  return from
}

const ESCAPE = /\\./g
const UNESCAPE = /\\([^$])/g
const EXPAND = /(\\)?(\$)(\()?\{?([A-Z0-9_]+)?\}?/g

/** `\n` and `\r` in double quotes; other escaped characters lose their backslash (not `\$`). */
function expandEscapes(value: string): string {
  return value.replace(ESCAPE, m => (m === '\\n' ? '\n' : m === '\\r' ? '\r' : m)).replace(UNESCAPE, '$1')
}

/**
 * The most the variables of one file may hold once `${VAR}` is expanded:
 * a few lines that each double the last would otherwise fill the memory
 * before any request (`A=xxxx`, `B=$A$A`, `C=$B$B`…).
 */
export const MAX_EXPANDED_BYTES = 1024 * 1024

/** Thrown when an expansion would pass its budget; the parser names the line. */
class TooLarge extends Error {}

/**
 * `$VAR` and `${VAR}` from entries earlier in the file only (never the
 * runner's environment); undefined is empty. The result may hold at most
 * `budget` bytes, counted as it is built.
 */
function expandVariables(value: string, vars: Map<string, string>, budget: number): string {
  let used = Buffer.byteLength(value)
  if (used > budget) throw new TooLarge()
  return value.replace(EXPAND, (match: string, escaped?: string, _dollar?: string, _paren?: string, name?: string) => {
    if (escaped === '\\') return match.slice(1)
    if (!name) return match
    const expanded = vars.get(name) ?? ''
    used += Buffer.byteLength(expanded)
    if (used > budget) throw new TooLarge()
    return expanded
  })
}

class DotenvParser {
  private pos = 0
  readonly vars = new Map<string, string>()
  /** Bytes the variables hold so far. */
  private bytes = 0

  constructor(
    private readonly src: string,
    private readonly input: string
  ) {}

  /** The 1-based line of a position, for messages that never quote the text. */
  private lineAt(pos: number): number {
    let line = 1
    for (let i = 0; i < pos && i < this.src.length; i++) if (this.src[i] === '\n') line++
    return line
  }

  private fail(pos: number, what: string): never {
    throw new InputError(this.input, `line ${this.lineAt(pos)} ${what}`)
  }

  parse(): EnvVariable[] {
    while (this.statementStart()) {
      const start = this.pos
      const name = this.keyName()
      if (name === '') this.fail(start, 'has no variable name before its = sign')
      const previous = Buffer.byteLength(this.vars.get(name) ?? '')
      let value: string
      try {
        value = this.value(name, MAX_EXPANDED_BYTES - this.bytes + previous)
      } catch (err) {
        if (!(err instanceof TooLarge)) throw err
        this.fail(
          start,
          `makes the file's variables larger than ${MAX_EXPANDED_BYTES / 1024 / 1024} MiB once \${...} references are expanded`
        )
      }
      this.bytes += Buffer.byteLength(value) - previous
      this.vars.set(name, value)
    }
    return asVariables(this.vars)
  }

  /** Skips blank space and comment lines; false at the end of the text. */
  private statementStart(): boolean {
    for (;;) {
      while (this.pos < this.src.length && isAnySpace(this.src[this.pos])) this.pos++
      if (this.pos >= this.src.length) return false
      if (this.src[this.pos] !== '#') return true
      const eol = this.src.indexOf('\n', this.pos)
      if (eol < 0) return false
      this.pos = eol
    }
  }

  /** The name, up to `=` or `:` (YAML style), after an optional `export `. */
  private keyName(): string {
    let p = trimLeftSpace(this.src, this.pos)
    if (this.src.startsWith(EXPORT, p) && isSpace(this.src[p + EXPORT.length] ?? ''))
      p = trimLeftSpace(this.src, p + EXPORT.length)
    const start = p
    for (; p < this.src.length; p++) {
      const c = this.src[p]
      if (c === '=' || c === ':') break
      if (isSpace(c) || c === '_' || c === '.' || /[A-Za-z0-9]/.test(c)) continue
      this.fail(
        p,
        c === '\n'
          ? 'is not NAME=value'
          : 'has a character that is not allowed in a variable name (letters, digits, _ and .)'
      )
    }
    if (p >= this.src.length) this.fail(start, 'is not NAME=value')
    const name = this.src.slice(start, p).replace(/\s+$/, '')
    if (/\s/.test(name)) this.fail(start, 'has a space in its variable name')
    this.pos = trimLeftSpace(this.src, p + 1)
    return name
  }

  /** The value after `=`, expanded within `budget` bytes. */
  private value(name: string, budget: number): string {
    const quote = this.src[this.pos]
    if (quote === '"' || quote === "'") return this.quotedValue(name, quote, budget)
    let eol = this.pos
    while (eol < this.src.length && this.src[eol] !== '\n' && this.src[eol] !== '\r') eol++
    let line = this.src.slice(this.pos, eol)
    this.pos = eol
    // The last ` #` starts a comment, as in godotenv.
    for (let i = line.length - 1; i > 0; i--) {
      if (line[i] === '#' && isSpace(line[i - 1])) {
        line = line.slice(0, i)
        break
      }
    }
    let a = 0
    let b = line.length
    while (a < b && isSpace(line[a])) a++
    while (b > a && isSpace(line[b - 1])) b--
    return expandVariables(line.slice(a, b), this.vars, budget)
  }

  private quotedValue(name: string, quote: string, budget: number): string {
    for (let i = this.pos + 1; i < this.src.length; i++) {
      if (this.src[i] !== quote || this.src[i - 1] === '\\') continue
      let raw = this.src.slice(this.pos, i)
      while (raw.startsWith(quote)) raw = raw.slice(1)
      while (raw.endsWith(quote)) raw = raw.slice(0, -1)
      this.pos = i + 1
      if (quote === "'" && Buffer.byteLength(raw) > budget) throw new TooLarge()
      return quote === '"' ? expandVariables(expandEscapes(raw), this.vars, budget) : raw
    }
    return this.fail(
      this.pos,
      `has an unterminated ${quote === '"' ? 'double' : 'single'} quote (the value of ${name})`
    )
  }
}

/** Parses dotenv text as `scalingo env-set --file` does; errors name the line, never its text. */
export function parseDotenv(text: string, input = 'env-file'): EnvVariable[] {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n')
  return new DotenvParser(src, input).parse()
}

/** Names `scalingo env-set NAME=value` accepts on its command line. */
const CLI_NAME = /^[A-Za-z0-9_-]+$/

/**
 * The `variables` input: `NAME=value` lines (the value is everything after
 * the first `=`), blank lines and `#` comments ignored. As the CLI, an
 * empty value is refused: most often an unset secret.
 */
export function parseVariableLines(text: string, input = 'variables'): EnvVariable[] {
  const out = new Map<string, string>()
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '')
    if (line.trim() === '' || line.trim().startsWith('#')) return
    const eq = line.indexOf('=')
    if (eq < 0) throw new InputError(input, `line ${i + 1} is not NAME=value`)
    const name = line.slice(0, eq).trim()
    if (!CLI_NAME.test(name))
      throw new InputError(input, `line ${i + 1}: the name must be letters, digits, _ and - only`)
    const value = line.slice(eq + 1)
    if (value === '') throw new InputError(input, `line ${i + 1}: ${name} has an empty value (an unset secret?)`)
    out.set(name, value)
  })
  return asVariables(out)
}

/** The values of `variables` lines, before they are checked: masked the moment the input is read. */
export function variableValues(text: string): string[] {
  return text
    .split('\n')
    .map(l => l.replace(/\r$/, ''))
    .filter(l => l.includes('=') && !l.trim().startsWith('#'))
    .map(l => l.slice(l.indexOf('=') + 1))
}

/** The env-file's variables with `variables` over them (`scalingo env-set --file .env NAME=value`). */
export function mergeVariables(file: EnvVariable[], overrides: EnvVariable[]): EnvVariable[] {
  const merged = new Map(file.map(v => [v.name, v.value]))
  for (const v of overrides) merged.set(v.name, v.value)
  return asVariables(merged)
}
