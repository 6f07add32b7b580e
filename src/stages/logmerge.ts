import { StringDecoder } from 'node:string_decoder'
import type { BuildLog } from './buildlog.js'
import { LineAssembler, frameLines, lineHash } from './lines.js'

/**
 * One build log out of several sources, each line printed exactly once and
 * in order, whatever the stream does:
 *
 * - The output endpoint (`links.output`) is the authority: the whole log so
 *   far, line i at index i.
 * - A stream connection opened before the deployment existed starts at the
 *   log's first line: trusted at once.
 * - Any other connection may replay the log from its start, or send only
 *   what follows (undocumented). Its lines are compared with the printed
 *   ones: when its first lines are the log's first lines (at least two),
 *   it replays, and its lines are printed from where the log stands. When
 *   they differ, or there is nothing yet to compare with, its lines are not
 *   printed: they only tell that there is more, and the output endpoint
 *   supplies it.
 */

/** Lines a connection must replay, matching the printed ones, before it is trusted. */
const MIN_MATCHED = 2
/** Lines held while a connection cannot be judged yet; beyond, it is not trusted. */
const MAX_HELD = 2000

type Trust = 'trusted' | 'judging' | 'untrusted'

interface Connection {
  trust: Trust
  /** Lines of our deployment received on this connection. */
  received: number
  /** Lines received while the connection could not be judged (index = position in `received`). */
  held: string[]
  heldFrom: number
}

export interface OutputRead {
  /** Lines in the answer (the log's length when it was read). */
  lines: number
  /** The last lines of the log, for a failure's tail. */
  tail: string[]
}

export class LogMerger {
  private readonly connections = new Map<number, Connection>()
  private latest = 0
  /** Lines seen on connections that are not trusted, since the last output read: the output has more. */
  unseenLines = 0

  constructor(
    private readonly log: BuildLog,
    private readonly tailSize = 30
  ) {}

  /** A connection opened before the deployment existed: its lines start at the log's first. */
  trustFromStart(connection: number): void {
    this.connection(connection).trust = 'trusted'
  }

  /** Whether the latest connection's lines are printed as they come (no output read is needed). */
  get live(): boolean {
    return this.latest > 0 && this.connection(this.latest).trust === 'trusted'
  }

  isTrusted(connection: number): boolean {
    return this.connections.get(connection)?.trust === 'trusted'
  }

  /** One log frame of our deployment, from stream connection `connection`. */
  fromStream(connection: number, content: string): void {
    const c = this.connection(connection)
    for (const line of frameLines(content)) {
      const index = c.received++
      if (c.trust === 'trusted') this.printTrusted(c, index, line)
      else if (c.trust === 'judging') this.judge(c, index, line)
      else this.unseenLines++
    }
  }

  /**
   * Reads one whole-log answer, streaming: prints the lines past what was
   * printed, waiting for stdout to drain. `ended`: the deployment is over,
   * so a last line without a newline is a line.
   */
  async fromOutput(body: AsyncIterable<unknown> | Iterable<unknown>, ended: boolean): Promise<OutputRead> {
    const tail: string[] = []
    let index = 0
    const assembler = new LineAssembler(line => {
      this.log.offer(index++, line)
      tail.push(line)
      if (tail.length > this.tailSize) tail.shift()
    })
    const decoder = new StringDecoder('utf8')
    for await (const chunk of body) {
      assembler.push(decoder.write(chunk as Buffer))
      await this.log.drained()
    }
    assembler.push(decoder.end())
    if (ended) assembler.end()
    this.unseenLines = 0
    // What was held can be judged now that there is more to compare with.
    for (const c of this.connections.values()) if (c.trust === 'judging') this.rejudge(c)
    return { lines: index, tail }
  }

  private connection(n: number): Connection {
    let c = this.connections.get(n)
    if (!c) {
      c = { trust: 'judging', received: 0, held: [], heldFrom: 0 }
      this.connections.set(n, c)
      this.latest = Math.max(this.latest, n)
    }
    return c
  }

  private printTrusted(c: Connection, index: number, line: string): void {
    if (index < this.log.printed) return
    // A trusted connection never runs ahead of what it printed itself; if it does, stop trusting it.
    if (!this.log.offer(index, line)) this.distrust(c)
  }

  /** Compares a line with the printed one at the same index; trusts the connection once enough matched. */
  private judge(c: Connection, index: number, line: string): void {
    if (c.held.length > 0) return this.hold(c, index, line)
    if (index < this.log.printed) {
      if (this.log.hashAt(index) !== lineHash(line)) this.distrust(c)
      return
    }
    if (index >= MIN_MATCHED && index === this.log.printed) {
      c.trust = 'trusted'
      this.log.offer(index, line)
      return
    }
    // Nothing (or too little) printed yet to compare with: hold it until the output says more.
    this.hold(c, index, line)
  }

  private hold(c: Connection, index: number, line: string): void {
    if (c.held.length === 0) c.heldFrom = index
    c.held.push(line)
    this.unseenLines++
    if (c.held.length > MAX_HELD) this.distrust(c)
  }

  private rejudge(c: Connection): void {
    const held = c.held
    const from = c.heldFrom
    c.held = []
    held.forEach((line, k) => {
      if (c.trust === 'trusted') this.printTrusted(c, from + k, line)
      else if (c.trust === 'judging') this.judge(c, from + k, line)
    })
  }

  private distrust(c: Connection): void {
    c.trust = 'untrusted'
    this.unseenLines += c.held.length + 1
    c.held = []
  }
}
