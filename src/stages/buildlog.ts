import { EOL } from 'node:os'
import { scrub } from '../lib/secrets.js'
import { inert } from '../lib/text.js'
import { asData } from '../report/log.js'
import { lineHash } from './lines.js'

/**
 * The deployment's build output as printed: each line of the authoritative
 * log once, in order, by its index in that log. Wherever a line comes from
 * (a stream connection, the output endpoint), it is printed only when it is
 * the next one. A fingerprint of every printed line is kept (4 bytes each),
 * so a replaying stream can be told from one that is not; the text itself is
 * not, so a 50 MB log costs no memory.
 *
 * Lines are written as data: inside `::stop-commands::<token>` fences, in
 * a collapsed group, in batches, and never faster than stdout drains.
 */

export const TAIL_SIZE = 30
/** Lines arriving within this window are printed as one batch. */
const BATCH_MS = 50
const BATCH_CHARS = 32 * 1024

/** Where the runner reads the log: process.stdout, or a test's slow writer. */
export interface LogOutput {
  write(chunk: string): boolean
  once(event: 'drain', listener: () => void): unknown
}

export class BuildLog {
  /** Lines of the authoritative log printed so far: the index of the next one. */
  printed = 0
  private hashes = new Uint32Array(1024)
  private readonly tail: string[] = []
  private groupOpen = false
  private pending: string[] = []
  private pendingChars = 0
  private timer?: NodeJS.Timeout
  private waitingForDrain?: Promise<void>
  /** The deployment's status, named in the group title. */
  status = ''

  /** `title`: the collapsed group's name (a build log, a one-off's output). */
  constructor(
    private readonly out: LogOutput = process.stdout,
    private readonly title = 'Build output'
  ) {}

  /** Prints the line at `index` of the log if it is the next one; false when it was printed already or lies ahead. */
  offer(index: number, line: string): boolean {
    if (index !== this.printed) return false
    this.print(line)
    return true
  }

  /** The fingerprint of the printed line at `index`. */
  hashAt(index: number): number {
    return this.hashes[index]
  }

  lastLines(): string[] {
    return [...this.tail]
  }

  /** Resolves once stdout can take more: callers that read the log wait here, so it never piles up in memory. */
  drained(): Promise<void> {
    return this.waitingForDrain ?? Promise.resolve()
  }

  /** Whether stdout is behind: the stream is paused until it drains. */
  get backedUp(): boolean {
    return this.waitingForDrain !== undefined
  }

  /** Prints what is batched, and closes the collapsed group so a status line shows at the top level. */
  closeGroup(): void {
    this.flush()
    if (this.groupOpen) {
      this.write(`::endgroup::${EOL}`)
      this.groupOpen = false
    }
  }

  /** Prints the lines waiting in the batch. */
  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending.length === 0) return
    const lines = this.pending
    this.pending = []
    this.pendingChars = 0
    let text = ''
    if (!this.groupOpen) {
      text += `::group::${inert(this.status ? `${this.title} (${this.status})` : this.title)}${EOL}`
      this.groupOpen = true
    }
    this.write(`${text}${asData(lines)}`)
  }

  private print(line: string): void {
    if (this.printed === this.hashes.length) {
      const grown = new Uint32Array(this.hashes.length * 2)
      grown.set(this.hashes)
      this.hashes = grown
    }
    this.hashes[this.printed++] = lineHash(line)
    const shown = scrub(line)
    this.tail.push(shown)
    if (this.tail.length > TAIL_SIZE) this.tail.shift()
    // Lines arriving together are printed together: one fence and one write per batch, not per line.
    this.pending.push(shown)
    this.pendingChars += shown.length + 1
    if (this.pendingChars >= BATCH_CHARS) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), BATCH_MS)
  }

  private write(text: string): void {
    if (this.out.write(text) || this.waitingForDrain) return
    this.waitingForDrain = new Promise(resolve =>
      this.out.once('drain', () => {
        this.waitingForDrain = undefined
        resolve()
      })
    )
  }
}
