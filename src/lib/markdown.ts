import { cut, spaceControlChars } from './text.js'

/**
 * Outside text in the job summary, as inert Markdown: a build log, an API
 * message or a file name cannot render a heading, an image, a link or HTML.
 * Everything from outside goes in a code span or a fenced block, whose
 * fence is longer than any run of backticks inside.
 */

function longestRun(text: string, char: string): number {
  let longest = 0
  let run = 0
  for (const c of text) {
    run = c === char ? run + 1 : 0
    longest = Math.max(longest, run)
  }
  return longest
}

/** Inline code: one line, nothing rendered inside. */
export function code(text: string, max = 1000): string {
  const flat = cut(spaceControlChars(text), max)
  if (flat === '') return ''
  const fence = '`'.repeat(longestRun(flat, '`') + 1)
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat.trim() === '' ? ' ' : ''
  return `${fence}${pad}${flat}${pad}${fence}`
}

/**
 * Characters that mean something to GFM inside inline HTML: escapes,
 * emphasis, code, links and images, autolinks (`https:`, `www.`, `a@b`),
 * tags and entities, cell separators, math (`$`).
 */
const MARKDOWN_PUNCTUATION = /[\\`*_[\]()!<>&|~#{}:.@$^]/g

/**
 * Inline code for a table cell: HTML `<code>` with every character that
 * means something to GFM as an entity. GFM splits a row at `|` before it
 * reads code spans, and cannot show `\|` inside one; an entity is never a
 * cell separator, an escape, a tag or Markdown, so the value renders whole,
 * in its cell, as text. Scrubbed and cut before it is encoded (an encoded
 * secret would escape the summary's last scrub).
 */
export function cellCode(text: string, max = 1000): string {
  const flat = cut(spaceControlChars(text), max)
  if (flat === '') return ''
  return `<code>${flat.replace(MARKDOWN_PUNCTUATION, c => `&#${c.charCodeAt(0)};`)}</code>`
}

/** A fenced block of lines shown verbatim. */
export function codeBlock(lines: string[], info = 'text'): string {
  const body = lines.join('\n')
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1))
  return `${fence}${info}\n${body}\n${fence}`
}

/** A table cell of our own Markdown (values in it through `cellCode`): pipes escaped, one line. */
export function cell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ')
}

/** A link only to a plain https URL (loopback http for tests); anything else is shown as code. */
export function link(text: string, url: string): string {
  const plain =
    /^(https:\/\/[A-Za-z0-9.-]+(:\d+)?|http:\/\/(127\.\d+\.\d+\.\d+|localhost)(:\d+)?)(\/[A-Za-z0-9._~%/-]*)?$/
  return plain.test(url) ? `[${text}](${url})` : `${text} (${cellCode(url, 200)})`
}
