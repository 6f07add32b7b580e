import { createReadStream, createWriteStream, statSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { Writable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { ActionError, InputError } from './errors.js'
import { cut } from './text.js'

/**
 * Local archives: Scalingo wants a gzip'd tar with one folder at its root.
 * Checked by streaming through it (never loaded in memory), before upload.
 */

export interface ArchiveInfo {
  /** The single folder at the root. */
  root: string
  bytes: number
}

/** The first path component of a tar entry name, or undefined for the root itself. */
function topComponent(name: string): string | undefined {
  const clean = name.replace(/^\.\//, '')
  const first = clean.split('/')[0]
  return first === '' || first === '.' ? undefined : first
}

/** A long name or pax header is a path or so: what is read of one beyond this is skipped, not held. */
export const MAX_META_BYTES = 64 * 1024
/** Enough names to say what is wrong; the archive is read to its end without keeping more. */
const MAX_NAMES = 4

/** Walks tar headers (ustar, pax and GNU long names) in a stream of blocks. */
export class TarWalker extends Writable {
  private buf: Buffer = Buffer.alloc(0)
  private skip = 0
  private longName?: string
  private paxPath?: string
  private pendingMeta?: { kind: 'L' | 'x'; size: number; data: Buffer[]; held: number }
  private ended = false
  readonly tops = new Map<string, boolean>() // top component → seen as a directory (or with children)
  filesAtRoot: string[] = []
  bad?: string
  /** The most bytes of headers ever held at once (a test's measure of the bound). */
  peakMetaBytes = 0
  /** Bytes of tar read so far (unpacked). */
  unpacked = 0

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.unpacked += chunk.length
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    try {
      this.drain()
      done()
    } catch (err) {
      done(err as Error)
    }
  }

  private drain(): void {
    while (!this.ended && !this.bad) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.buf.length)
        this.holdMeta(this.buf.subarray(0, n))
        this.buf = this.buf.subarray(n)
        this.skip -= n
        if (this.skip > 0) return
        if (this.pendingMeta) this.finishMeta()
        continue
      }
      if (this.buf.length < 512) return
      const header = this.buf.subarray(0, 512)
      this.buf = this.buf.subarray(512)
      if (header.every(b => b === 0)) {
        this.ended = true
        return
      }
      const magic = header.subarray(257, 262).toString('latin1')
      const sizeField = header.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim()
      if (magic !== 'ustar' && !/^[0-7]*$/.test(sizeField)) {
        this.bad = 'is not a tar archive inside the gzip'
        return
      }
      const size = parseInt(sizeField || '0', 8)
      const type = String.fromCharCode(header[156] || 48)
      const padded = Math.ceil(size / 512) * 512
      if (type === 'L' || type === 'x') {
        this.pendingMeta = { kind: type, size: Math.min(size, MAX_META_BYTES), data: [], held: 0 }
        this.skip = padded
        if (padded === 0) this.finishMeta()
        continue
      }
      if (type === 'g') {
        this.skip = padded
        continue
      }
      const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '')
      const base = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '')
      const name = this.paxPath ?? this.longName ?? (prefix ? `${prefix}/${base}` : base)
      this.paxPath = undefined
      this.longName = undefined
      const top = topComponent(name)
      if (top !== undefined) {
        const rest = name.replace(/^\.\//, '').slice(top.length).replace(/^\/+/, '')
        const isDir = type === '5' || rest !== ''
        if (!isDir && this.filesAtRoot.length < MAX_NAMES) this.filesAtRoot.push(top)
        if (this.tops.has(top) || this.tops.size < MAX_NAMES) this.tops.set(top, (this.tops.get(top) ?? false) || isDir)
      }
      this.skip = padded
    }
  }

  /** Keeps the start of a long name or pax header, never more than MAX_META_BYTES of it. */
  private holdMeta(bytes: Buffer): void {
    const meta = this.pendingMeta
    if (!meta || meta.held >= MAX_META_BYTES) return
    const kept = bytes.subarray(0, MAX_META_BYTES - meta.held)
    meta.data.push(Buffer.from(kept))
    meta.held += kept.length
    this.peakMetaBytes = Math.max(this.peakMetaBytes, meta.held)
  }

  private finishMeta(): void {
    const meta = this.pendingMeta!
    this.pendingMeta = undefined
    const text = Buffer.concat(meta.data).subarray(0, meta.size).toString('utf8')
    if (meta.kind === 'L') this.longName = text.replace(/\0.*$/s, '')
    else {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text)
      if (m) this.paxPath = m[1]
    }
  }
}

/**
 * Streams the archive once: gzip, tar, and a single folder at the root.
 * Ends by `deadline` (ms since epoch) whatever the archive: a gzip bomb
 * unpacks for as long as it is let, never past the run's timeout.
 */
export async function inspectArchive(path: string, input = 'archive-path', deadline?: number): Promise<ArchiveInfo> {
  let bytes: number
  try {
    const st = statSync(path)
    if (!st.isFile()) throw new InputError(input, `${JSON.stringify(path)} is not a file`)
    bytes = st.size
  } catch (err) {
    if (err instanceof InputError) throw err
    throw new InputError(input, `${JSON.stringify(path)} was not found`)
  }
  const head = Buffer.alloc(2)
  const fd = await open(path, 'r')
  await fd.read(head, 0, 2, 0)
  await fd.close()
  if (head[0] !== 0x1f || head[1] !== 0x8b)
    throw new InputError(input, 'is not a gzip file; Scalingo needs a .tar.gz with one folder at its root')
  const walker = new TarWalker()
  const signal = deadline === undefined ? undefined : AbortSignal.timeout(Math.max(1, deadline - Date.now()))
  try {
    await pipeline(createReadStream(path), createGunzip(), walker, signal ? { signal } : {})
  } catch (err) {
    if (signal?.aborted)
      throw new ActionError(
        `${input} could not be checked before the timeout: ${walker.unpacked} bytes unpacked from its ${bytes} (a gzip bomb, or a timeout too short for it); nothing was created`
      )
    throw new InputError(input, `could not be read as a .tar.gz (${cut((err as Error).message, 80)})`)
  }
  if (walker.bad) throw new InputError(input, walker.bad)
  if (walker.filesAtRoot.length > 0) {
    throw new InputError(
      input,
      `has files at its root (${walker.filesAtRoot.slice(0, 3).join(', ')}); Scalingo needs one folder at the root holding the sources`
    )
  }
  const tops = [...walker.tops.keys()]
  if (tops.length !== 1) {
    throw new InputError(
      input,
      tops.length === 0
        ? 'is an empty archive'
        : `has ${tops.length >= MAX_NAMES ? `${MAX_NAMES} or more` : tops.length} folders at its root (${tops.slice(0, 3).join(', ')}…); Scalingo needs exactly one`
    )
  }
  return { root: tops[0], bytes }
}

/** Writes a response body to a file, streaming; returns its size. */
export async function saveTo(body: NodeJS.ReadableStream, path: string): Promise<number> {
  await pipeline(body, createWriteStream(path))
  const bytes = statSync(path).size
  if (bytes === 0) throw new ActionError('the downloaded archive is empty')
  return bytes
}
