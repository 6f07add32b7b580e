import { scrubCut } from './secrets.js'

/**
 * Text that came from outside (API answers, statuses, file names, build
 * logs) on its way to the log or the job summary: one regex for control
 * characters, one function per destination.
 */

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/

const CONTROL_RUNS = new RegExp(`${CONTROL_CHARS.source}+`, 'g')

/** True when the value holds a line break or another control character. */
export function hasControlChars(value: string): boolean {
  return CONTROL_CHARS.test(value)
}

/** Each run of line breaks and other control characters as one space. */
export function spaceControlChars(text: string): string {
  return text.replace(CONTROL_RUNS, ' ')
}

/**
 * At most `max` characters, the last one `…` when something was cut.
 * Every cut scrubs the whole text of known secrets first, and drops what a
 * cut leaves of one at its edge: a secret across the cut never shows in part.
 */
export function cut(text: string, max: number): string {
  return scrubCut(text, max)
}

/** One line, no control characters, bounded length: safe for `::error::`. */
export function oneLine(text: string, max = 300): string {
  return cut(spaceControlChars(text).replace(/\s+/g, ' ').trim(), max)
}

/** Names in a message: the first `max`, then how many more. */
export function listSome(items: string[], max: number): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ')
}

/** A value as it appears in an error message: quoted, cut after 40 characters. */
export function quote(value: string, max = 40): string {
  return JSON.stringify(cut(value, max + 1))
}

/** Legacy workflow commands (`##[command]data`) are recognised anywhere in a line. */
const LEGACY_COMMAND = /##\[/g

/**
 * Outside text (a status, an id, a file path, an API message) as one inert
 * log line: no line break, no `::` where a line starts (the runner trims
 * leading space before it looks), no `##[` anywhere (the legacy command form
 * is found mid-line). A zero-width space breaks each up; the words stay.
 */
export function inert(text: string): string {
  const flat = spaceControlChars(text).replace(LEGACY_COMMAND, '#\u200b#[')
  return flat.trimStart().startsWith('::') ? `\u200b${flat}` : flat
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g

/** Terminal colours and cursor moves removed (the log shows them; a summary or an annotation cannot). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '')
}

/** Whether a status looks like one (`build-error`): only then is it shown as is. */
export function looksLikeStatus(status: string): boolean {
  return /^[a-z-]+$/.test(status)
}

/** A status as it may be shown: as is when it looks like one, else quoted. */
export function statusLabel(status: string): string {
  return looksLikeStatus(status) ? status : JSON.stringify(oneLine(status, 60))
}
