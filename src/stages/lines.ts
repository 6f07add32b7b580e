/**
 * Build-log text into lines, as the runner shows them: `\n` ends a line,
 * `\r` alone returns to its start (a progress bar: only its last state is
 * kept), a line longer than MAX_LINE is cut and says so. Linear in the text:
 * line ends are looked for only in new text, and a line never grows past
 * the cap however long it really is.
 */

import { longestSecret, scrub, trimSecretEdge } from '../lib/secrets.js'

/** The longest line kept, in characters; the rest is counted, not held. */
export const MAX_LINE = 64 * 1024

/**
 * Characters held of a line: the cap, plus room for a secret that starts
 * before the cap to be held whole, so it is scrubbed before the line is cut.
 */
function held(): number {
  return MAX_LINE + longestSecret()
}

/**
 * A line of `total` characters, of which `head` holds the first (at least
 * MAX_LINE of them when it is longer): as it is when it fits, else scrubbed
 * whole, then cut, then what is left of a secret at the cut's edge dropped.
 */
export function capLine(head: string, total: number): string {
  if (total <= MAX_LINE) return head
  return trimSecretEdge(scrub(head).slice(0, MAX_LINE)) + cutMarker(total - MAX_LINE)
}

/** What a cut line ends with. */
export function cutMarker(dropped: number): string {
  return ` … [line cut: ${dropped} more characters]`
}

/** One frame of the stream or one piece of a line: the last state after `\r`, capped. */
export function normalizeLine(raw: string): string {
  const trimmed = raw.replace(/\r+$/, '')
  const cr = trimmed.lastIndexOf('\r')
  const last = cr >= 0 ? trimmed.slice(cr + 1) : trimmed
  return capLine(last.length > MAX_LINE ? last.slice(0, held()) : last, last.length)
}

/**
 * The lines of one stream frame: a frame holds whole lines, with or without
 * a trailing newline (Scalingo's docs show none; the CLI prints each frame
 * as its own line).
 */
export function frameLines(content: string): string[] {
  const parts = content.split('\n')
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop()
  return parts.map(normalizeLine)
}

/** Cuts a growing text (the output endpoint's body) into lines, one chunk at a time. */
export class LineAssembler {
  /** The current line's last state (after its last `\r`), at most `held()` characters. */
  private current = ''
  /** Characters of the current line beyond what is held. */
  private dropped = 0
  /** A `\r` was seen: the next character decides (CRLF ends the line, anything else starts it over). */
  private pendingReturn = false

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const ends = /[\r\n]/g
    let from = 0
    for (let m = ends.exec(chunk); m; m = ends.exec(chunk)) {
      this.take(chunk.slice(from, m.index))
      from = m.index + 1
      if (m[0] === '\n') {
        this.pendingReturn = false
        this.endLine()
      } else {
        this.pendingReturn = true
      }
    }
    this.take(chunk.slice(from))
  }

  /** The text ended: a last line without a newline is a line too. */
  end(): void {
    if (this.current !== '' || this.dropped > 0) this.endLine()
    this.pendingReturn = false
  }

  /** Whether a partial line is held (the text so far did not end with a newline). */
  get holdsPartialLine(): boolean {
    return this.current !== '' || this.dropped > 0
  }

  private take(text: string): void {
    if (text === '') return
    if (this.pendingReturn) {
      // A carriage return not followed by a newline: the line starts over.
      this.current = ''
      this.dropped = 0
      this.pendingReturn = false
    }
    const room = Math.max(0, held() - this.current.length)
    if (text.length <= room) this.current += text
    else {
      this.current += text.slice(0, room)
      this.dropped += text.length - room
    }
  }

  private endLine(): void {
    const line = capLine(this.current, this.current.length + this.dropped)
    this.current = ''
    this.dropped = 0
    this.onLine(line)
  }
}

/** A 32-bit fingerprint of a line (FNV-1a over its length and its first and last characters): enough to tell a replay from new text. */
export function lineHash(line: string): number {
  let h = 0x811c9dc5 ^ line.length
  const n = line.length
  const head = Math.min(n, 512)
  for (let i = 0; i < head; i++) h = Math.imul(h ^ line.charCodeAt(i), 0x01000193)
  for (let i = Math.max(head, n - 128); i < n; i++) h = Math.imul(h ^ line.charCodeAt(i), 0x01000193)
  return h >>> 0
}
