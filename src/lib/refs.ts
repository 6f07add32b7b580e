/** Git commit names, as the action reasons about them. */

const FULL_SHA = /^[0-9a-f]{40}$/i

export function isFullSha(value: string): boolean {
  return FULL_SHA.test(value)
}

/**
 * A `git_ref` Scalingo can use: it becomes a Docker tag, so only
 * `[A-Za-z0-9_.-]`, starting with a letter, digit or underscore, at most 128
 * characters (`release/1.2+build.7` → `release-1.2-build.7`). Undefined when
 * nothing usable is left.
 */
export function dockerSafeRef(ref: string): string | undefined {
  const tag = ref
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128)
  return tag === '' ? undefined : tag
}

/**
 * Why git would refuse `ref` as a ref name (`git check-ref-format
 * --allow-onelevel`), or undefined when it is fine: an empty name or
 * component, a component starting with `.` or ending with `.lock`, `..`,
 * `//`, a leading or trailing `/`, a trailing `.`, `@{`, `@` alone, control
 * characters, space, `~^:?*[\`. Checked before any guard reads the ref:
 * `refs/./pull/42/head` is `refs/pull/42/head` once a URL is normalised.
 */
export function refFormatProblem(ref: string): string | undefined {
  if (ref === '') return 'it is empty'
  if (ref.length > 255) return 'it is longer than 255 characters'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(ref)) return 'it holds a space, a control character or one of ~^:?*[\\'
  if (ref === '@') return 'it is "@"'
  if (ref.includes('@{')) return 'it holds "@{"'
  if (ref.includes('..')) return 'it holds ".."'
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) return 'it has an empty path component'
  if (ref.endsWith('.')) return 'it ends with "."'
  for (const part of ref.split('/')) {
    if (part.startsWith('.')) return 'a path component starts with "."'
    if (part.endsWith('.lock')) return 'a path component ends with ".lock"'
  }
  if (ref.startsWith('-')) return 'it starts with "-"'
  return undefined
}

/** A ref as every guard compares it: what it names, whichever way it was written. */
export interface CanonicalRef {
  /** `refs/heads/X` and `heads/X` name a branch, `refs/tags/X` and `tags/X` a tag, `refs/pull/…` and `pull/…` a pull request; a bare name may be either. */
  kind: 'branch' | 'tag' | 'pull' | 'bare'
  /** The name without its `refs/heads/`, `refs/tags/` (or short) prefix. */
  name: string
}

/** The canonical form of a ref that passed `refFormatProblem` (prefixes matched without regard to case). */
export function canonicalRef(ref: string): CanonicalRef {
  const m = /^(?:refs\/)?(heads|tags|pull)\/(.+)$/i.exec(ref)
  if (!m) return { kind: 'bare', name: ref }
  const prefix = m[1].toLowerCase()
  if (prefix === 'pull') return { kind: 'pull', name: m[2] }
  return { kind: prefix === 'heads' ? 'branch' : 'tag', name: m[2] }
}

/** Whether `ref` names the tag `tag`: `tag`, `tags/<tag>` or `refs/tags/<tag>`. */
export function namesTag(ref: string, tag: string): boolean {
  const c = canonicalRef(ref)
  return (c.kind === 'tag' || c.kind === 'bare') && c.name === tag
}
