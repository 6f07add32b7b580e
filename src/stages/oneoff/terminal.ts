import { StringDecoder } from 'node:string_decoder'
import type { Duplex } from 'node:stream'
import { type Clock, formatDuration } from '../../lib/clock.js'
import { ActionError, HttpError, NetworkError, describeError } from '../../lib/errors.js'
import * as log from '../../lib/log.js'
import { openTerminal } from '../../scalingo/attach.js'
import type { BuildLog } from '../buildlog.js'
import { LineAssembler } from '../lines.js'

/**
 * The one-off's terminal: attached (retried while the container boots),
 * end-of-input sent at once, every byte of output printed as a build log
 * is (inert, masked, lines capped, `\r` and CRLF handled) with
 * backpressure, and Ctrl-C sent once when the run must stop.
 */

/** How long attaching is retried (a connection error or a 5xx while the container boots). */
export const ATTACH_RETRY_MS = 30_000
/** One CONNECT's longest wait for an answer. */
const CONNECT_TIMEOUT_MS = 15_000
const END_OF_INPUT = Buffer.from([0x04])
const CTRL_C = Buffer.from([0x03])

/** The pause before attach try n+1: 0.5 s, 1 s, 2 s, 4 s, then 5 s. */
export function attachBackoff(tries: number): number {
  return Math.min(5_000, 500 * 2 ** (tries - 1))
}

/** A refusal worth trying again: no answer, or a 5xx (or 404: the container not registered yet). */
export function attachRetryable(err: unknown): boolean {
  if (err instanceof NetworkError) return true
  return err instanceof HttpError && (err.status >= 500 || err.status === 404 || err.status === 429)
}

export interface TerminalEnd {
  /** `eof`: the command's end closed the terminal; `dropped`: the connection broke first. */
  how: 'eof' | 'dropped'
  bytes: number
  lines: number
}

export class OneOffTerminal {
  private socket?: Duplex
  private interrupted = false
  bytes = 0
  lines = 0

  constructor(
    private readonly attachUrl: string,
    private readonly bearer: () => Promise<string>,
    private readonly out: BuildLog,
    private readonly opts: { clock: Clock; userAgent: string; label: string; logs: string }
  ) {}

  /** Attaches, retrying for up to ATTACH_RETRY_MS (never past `deadline`); sends end-of-input. */
  async attach(deadline: number, stop: AbortSignal): Promise<void> {
    const { clock } = this.opts
    const until = Math.min(deadline, clock.now() + ATTACH_RETRY_MS)
    for (let tries = 1; ; tries++) {
      try {
        const { socket, head } = await openTerminal(
          this.attachUrl,
          await this.bearer(),
          this.opts.userAgent,
          Math.max(1, Math.min(CONNECT_TIMEOUT_MS, until - clock.now()))
        )
        this.socket = socket
        // `scalingo run CMD < /dev/null`: a command reading stdin gets end-of-file, not a hang.
        socket.write(END_OF_INPUT)
        if (head.length > 0) this.take(head)
        return
      } catch (err) {
        const pause = attachBackoff(tries)
        if (!attachRetryable(err) || stop.aborted || clock.now() + pause >= until) {
          throw new ActionError(
            `could not attach to one-off ${this.opts.label} (${describeError(err)}): it runs on, and its outcome is not known here`,
            `its output goes to the app's logs: ${this.opts.logs}`
          )
        }
        log.info(
          `(attaching to one-off ${this.opts.label}: ${describeError(err)}; trying again in ${formatDuration(pause)})`
        )
        await clock.sleep(pause, stop)
      }
    }
  }

  private decoder = new StringDecoder('utf8')
  private assembler = new LineAssembler(line => {
    this.out.offer(this.lines++, line)
  })

  private take(chunk: Buffer): void {
    this.bytes += chunk.length
    this.assembler.push(this.decoder.write(chunk))
  }

  /** Prints the output until the terminal closes; resolves how it closed. */
  follow(): Promise<TerminalEnd> {
    const socket = this.socket!
    return new Promise<TerminalEnd>(resolve => {
      let sawEnd = false
      socket.on('data', (chunk: Buffer) => {
        this.take(chunk)
        // stdout is behind: the socket waits, rather than output piling up in memory.
        if (this.out.backedUp) {
          socket.pause()
          void this.out.drained().then(() => socket.resume())
        }
      })
      socket.on('end', () => (sawEnd = true))
      socket.on('error', err => log.debug(`one-off terminal: ${describeError(err)}`))
      socket.on('close', () => {
        this.assembler.push(this.decoder.end())
        this.assembler.end()
        this.out.closeGroup()
        resolve({ how: sawEnd ? 'eof' : 'dropped', bytes: this.bytes, lines: this.lines })
      })
    })
  }

  /** Ctrl-C, once (as the CLI forwards SIGINT): the command is asked to stop. */
  interrupt(): void {
    if (this.interrupted || !this.socket || this.socket.destroyed) return
    this.interrupted = true
    this.socket.write(CTRL_C)
  }

  /** Closes the terminal (the command is left to Scalingo). */
  close(): void {
    this.socket?.destroy()
  }
}
