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

/** A fenced block of lines shown verbatim. */
export function codeBlock(lines: string[], info = 'text'): string {
  const body = lines.join('\n')
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1))
  return `${fence}${info}\n${body}\n${fence}`
}

/** A table cell: pipes escaped (GFM splits cells before code spans are read), one line. */
export function cell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ')
}

/** A link only to a plain https URL (loopback http for tests); anything else is shown as code. */
export function link(text: string, url: string): string {
  const plain =
    /^(https:\/\/[A-Za-z0-9.-]+(:\d+)?|http:\/\/(127\.\d+\.\d+\.\d+|localhost)(:\d+)?)(\/[A-Za-z0-9._~%/-]*)?$/
  return plain.test(url) ? `[${text}](${url})` : `${text} (${code(url, 200)})`
}
