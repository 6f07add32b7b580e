import * as core from '@actions/core'
import { EOL } from 'node:os'
import { StringDecoder } from 'node:string_decoder'
import type { IncomingMessage } from 'node:http'
import { scrub } from '../lib/secrets.js'
import { printAsData } from '../report/log.js'

/**
 * The deployment's build output, printed live and exactly once. The stream
 * (replayed from the start on each connection) and the output endpoint (the
 * whole log so far) both describe one text: each piece is placed by its
 * offset in it, and only what lies past what was already printed is shown.
 * Nothing but the last lines is kept, so a 20 MB log costs no memory.
 */

export const TAIL_SIZE = 30
/** Lines arriving within this window are printed as one batch. */
const BATCH_MS = 50
const BATCH_CHARS = 32 * 1024

export class BuildLog {
  /** Characters of the log printed (or held as a partial line) so far. */
  consumed = 0
  private partial = ''
  private readonly tail: string[] = []
  private groupOpen = false
  private pending: string[] = []
  private pendingChars = 0
  private timer?: NodeJS.Timeout
  /** The deployment's status, named in the group title. */
  status = ''
  lines = 0
  /** Characters skipped because a source started past what we had (should stay 0). */
  gaps = 0

  constructor(
    private readonly groupTitle: (status: string) => string = status =>
      status ? `Build output (${status})` : 'Build output'
  ) {}

  /** A piece of the log starting at `offset`; prints the part not seen yet. */
  append(offset: number, text: string): void {
    const end = offset + text.length
    if (end <= this.consumed) return
    let fresh: string
    if (offset > this.consumed) {
      this.gaps += offset - this.consumed
      fresh = text
    } else {
      fresh = text.slice(this.consumed - offset)
    }
    this.consumed = end
    const pieces = (this.partial + fresh).split('\n')
    this.partial = pieces.pop() ?? ''
    if (pieces.length) this.print(pieces)
  }

  /** Prints a last line that had no newline, and whatever is batched. */
  flush(): void {
    if (this.partial) {
      const p = this.partial
      this.partial = ''
      this.print([p])
    }
    this.drain()
  }

  /** Closes the collapsed group, so a status line shows at the top level. */
  closeGroup(): void {
    this.drain()
    if (this.groupOpen) {
      core.endGroup()
      this.groupOpen = false
    }
  }

  lastLines(): string[] {
    return [...this.tail]
  }

  private print(raw: string[]): void {
    const lines = raw.map(l => scrub(l.endsWith('\r') ? l.slice(0, -1) : l))
    for (const l of lines) {
      this.pending.push(l)
      this.pendingChars += l.length + 1
    }
    this.lines += lines.length
    for (const l of lines.slice(-TAIL_SIZE)) {
      this.tail.push(l)
      if (this.tail.length > TAIL_SIZE) this.tail.shift()
    }
    // Lines arriving together are printed together: one stop-commands region
    // and one write per batch, not per line (a 20 MB log has ~300k lines).
    // Small writes stay in V8's young generation: a 20 MB log does not pile
    // up as large-object garbage between major collections.
    if (this.pendingChars >= BATCH_CHARS) this.drain()
    else this.timer ??= setTimeout(() => this.drain(), BATCH_MS)
  }

  /** Prints the lines waiting in the batch. */
  drain(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending.length === 0) return
    const lines = this.pending
    this.pending = []
    this.pendingChars = 0
    if (!this.groupOpen) {
      core.startGroup(this.groupTitle(this.status))
      this.groupOpen = true
    }
    // What core.info does, minus one copy of the batch.
    lines.push('')
    printAsData(() => process.stdout.write(lines.join(EOL)))
  }
}

/** Feeds a whole-log HTTP answer into the BuildLog without holding it in memory. */
export async function appendFromResponse(log: BuildLog, body: IncomingMessage): Promise<void> {
  const decoder = new StringDecoder('utf8')
  let offset = 0
  for await (const chunk of body) {
    const text = decoder.write(chunk as Buffer)
    log.append(offset, text)
    offset += text.length
  }
  const rest = decoder.end()
  if (rest) log.append(offset, rest)
}
