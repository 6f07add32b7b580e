import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { MAX_META_BYTES, TarWalker } from '../../src/lib/tar.js'
import { tarHeader as header } from '../../sandbox/index.js'

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
