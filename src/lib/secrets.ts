import * as core from '@actions/core'

// Every secret known to this run, longest first so a token inside a URL is
// replaced as part of the whole URL; the set answers "known already?" in
// constant time (a review app masks thousands of values).
const known: string[] = []
const seen = new Set<string>()

/** Shorter values are not masked: `***` everywhere a 3-letter word appears would say more than it hides. */
export const MIN_SECRET = 4

/**
 * The forms a secret can be printed in: as is, URL-encoded, JSON-escaped,
 * and for a multi-line value (a PEM key) each of its lines, since the
 * runner masks a multi-line secret only as a whole.
 */
export function secretForms(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n|\r/)) if (line.trim().length >= MIN_SECRET) forms.add(line)
  }
  return [...forms].filter(f => f.length >= MIN_SECRET)
}

/**
 * Masks a value for the runner (`::add-mask::`) and remembers it so our own
 * messages can be scrubbed too: the runner only masks what it prints, and a
 * local run (the demo, tests) has no runner at all.
 */
export function registerSecret(value: string | undefined): void {
  registerSecrets([value])
}

/** Many at once (the variables of an app): sorted once, not once per value. */
export function registerSecrets(values: (string | undefined)[]): void {
  let added = false
  for (const value of values) {
    if (!value || value.length < MIN_SECRET) continue
    for (const form of secretForms(value)) {
      if (seen.has(form)) continue
      core.setSecret(form)
      seen.add(form)
      known.push(form)
      added = true
    }
  }
  if (!added) return
  known.sort((a, b) => b.length - a.length)
  byPrefix = undefined
}

/**
 * Registers a URL that carries a credential, and the credential parts in it:
 * its query values, its password, and with `path` (a webhook, whose path is
 * the credential) its path and each long segment of it.
 */
export function registerSecretUrl(url: string, opts: { path?: boolean } = {}): void {
  registerSecret(url)
  try {
    const u = new URL(url)
    for (const [, v] of u.searchParams) registerSecret(v)
    if (u.password) registerSecret(decodeURIComponent(u.password))
    if (u.search.length > 1) registerSecret(u.search.slice(1))
    if (opts.path) registerSecrets([u.pathname, ...u.pathname.split('/').filter(part => part.length >= 8)])
  } catch {
    // not a URL: the whole string is already registered
  }
}

/** Past this many known forms, `scrub` looks secrets up by their first characters instead of trying each. */
const INDEXED_FROM = 64
/** Forms by their first MIN_SECRET characters, longest first; rebuilt when a form is added. */
let byPrefix: Map<string, string[]> | undefined

export function scrub(text: string): string {
  if (known.length > INDEXED_FROM) return scrubIndexed(text)
  let out = text
  for (const s of known) {
    if (out.includes(s)) out = out.split(s).join('***')
  }
  return out
}

/**
 * The same, in time linear in the text whatever the number of secrets (a
 * review app masks every variable of its parent, and each build-log line is
 * scrubbed): every occurrence of every form is found by its prefix, and
 * each stretch they cover, overlapping or adjacent, becomes one `***`.
 */
function scrubIndexed(text: string): string {
  if (!byPrefix) {
    byPrefix = new Map()
    for (const form of known) {
      const key = form.slice(0, MIN_SECRET)
      const list = byPrefix.get(key)
      if (list) list.push(form)
      else byPrefix.set(key, [form])
    }
  }
  let out = ''
  let copied = 0
  let coveredTo = -1
  let start = -1
  for (let i = 0; i + MIN_SECRET <= text.length; i++) {
    const candidates = byPrefix.get(text.slice(i, i + MIN_SECRET))
    const hit = candidates?.find(form => text.startsWith(form, i))
    if (!hit) continue
    if (i > coveredTo) {
      // A new stretch: the previous one (if any) is written out.
      if (start >= 0) {
        out += `${text.slice(copied, start)}***`
        copied = coveredTo
      }
      start = i
    }
    coveredTo = Math.max(coveredTo, i + hit.length)
  }
  if (start < 0) return text
  return `${out}${text.slice(copied, start)}***${text.slice(coveredTo)}`
}

/** The longest form of a secret known: how far past a cut a text must be kept for a secret across it to be scrubbed whole. */
export function longestSecret(): number {
  return known[0]?.length ?? 0
}

/** What is left of a secret at a cut's edge is dropped from this length on (shorter tails say nothing). */
const EDGE_CHARS = 3

/**
 * A text cut short may end with the first characters of a secret whose
 * rest was cut off: neither `scrub` nor the runner's exact-value mask sees
 * it. Drops the longest such tail.
 */
export function trimSecretEdge(text: string): string {
  let end = text.length
  for (const s of known) {
    for (let i = Math.max(0, text.length - s.length + 1); i <= end - EDGE_CHARS; i++) {
      if (text.charCodeAt(i) === s.charCodeAt(0) && s.startsWith(text.slice(i))) {
        end = i
        break
      }
    }
  }
  return text.slice(0, end)
}

/**
 * Scrub first, then cut, then print: the whole text is scrubbed of every
 * known secret before it is cut to `max` characters (`marker` included),
 * and what remains of a secret at the cut's edge is dropped too.
 */
export function scrubCut(text: string, max: number, marker = '…'): string {
  const clean = scrub(text)
  if (clean.length <= max) return clean
  return `${trimSecretEdge(clean.slice(0, Math.max(0, max - marker.length)))}${marker}`
}
