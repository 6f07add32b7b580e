import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { MAX_META_BYTES, TarWalker } from '../../src/lib/tar.js'

/** A tar header block (ustar, checksum right). */
function header(name: string, size: number, type: string): Buffer {
  const h = Buffer.alloc(512)
  h.write(name, 0)
  h.write('0000644\0', 100)
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124)
  h.write(type, 156)
  h.write('ustar\0', 257)
  h.write('00', 263)
  h.fill(' ', 148, 156)
  let sum = 0
  for (const b of h) sum += b
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
  return h
}

describe('TarWalker', () => {
  it('bounds what it holds of a pax header that declares 64 MB', async () => {
    const declared = 64 * 1024 * 1024
    const chunk = Buffer.alloc(1024 * 1024, 0x61)
    function* archive(): Generator<Buffer> {
      yield header('PaxHeader', declared, 'x')
      for (let sent = 0; sent < declared; sent += chunk.length) yield chunk
      yield header('app/', 0, '5')
      yield Buffer.alloc(1024)
    }
    const walker = new TarWalker()
    await pipeline(Readable.from(archive()), walker)
    expect(walker.peakMetaBytes).toBeLessThanOrEqual(MAX_META_BYTES)
    expect([...walker.tops.keys()]).toEqual(['app'])
  })
})
