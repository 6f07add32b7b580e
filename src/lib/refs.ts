/** Git commit names, as the action reasons about them. */

const FULL_SHA = /^[0-9a-f]{40}$/i

export function isFullSha(value: string): boolean {
  return FULL_SHA.test(value)
}
