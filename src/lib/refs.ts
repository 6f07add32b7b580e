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
