/**
 * Text that came from outside (API answers, statuses, file names, build
 * logs) on its way to the log or the job summary: one regex for control
 * characters, one function per destination.
 */

// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f]/

// eslint-disable-next-line no-control-regex
const CONTROL_RUNS = /[\u0000-\u001f\u007f]+/g

/** True when the value holds a line break or another control character. */
export function hasControlChars(value: string): boolean {
  return CONTROL_CHARS.test(value)
}

/** One line, no control characters, bounded length: safe for `::error::`. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(CONTROL_RUNS, ' ').replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** A value as it appears in an error message: quoted, cut after 40 characters. */
export function quote(value: string, max = 40): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value)
}
