/** The bench's numbers: a median with its spread, and how a duration is shown. */

export interface Stats {
  median: number
  min: number
  max: number
  n: number
}

export function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
  return { median, min: s[0], max: s[s.length - 1], n: s.length }
}

export const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`)
export const show = (s: Stats, f = ms): string => `${f(s.median)} (${f(s.min)}–${f(s.max)}, n=${s.n})`
