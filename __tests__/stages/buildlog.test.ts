import { Writable } from 'node:stream'
import { BuildLog, TAIL_SIZE } from '../../src/stages/buildlog.js'
import { LogMerger } from '../../src/stages/logmerge.js'
import { registerSecret } from '../../src/lib/secrets.js'
import { shownLines } from '../helpers-stdout.js'

/** A stdout that keeps what it is given. */
function sink(): { out: { write: (c: string) => boolean; once: () => undefined }; text: () => string } {
  let text = ''
  return {
    out: {
      write: (c: string) => {
        text += c
        return true
      },
      once: () => undefined
    },
    text: () => text
  }
}

describe('BuildLog', () => {
  it('prints each line of the log once, by its index, in a group, inside stop-commands fences, scrubbed', () => {
    registerSecret('leaky-password-123')
    const s = sink()
    const log = new BuildLog(s.out)
    log.status = 'building'
    expect(log.offer(0, 'one')).toBe(true)
    expect(log.offer(1, '::error::two')).toBe(true)
    expect(log.offer(1, '::error::two')).toBe(false) // already printed
    expect(log.offer(5, 'ahead')).toBe(false) // not the next one
    log.flush()
    expect(log.offer(2, 'DB=leaky-password-123')).toBe(true)
    log.closeGroup()
    const lines = s.text().trim().split('\n')
    expect(lines[0]).toBe('::group::Build output (building)')
    expect(lines[lines.length - 1]).toBe('::endgroup::')
    const token = /^::stop-commands::([0-9a-f]{32})$/.exec(lines[1])![1]
    expect(lines.slice(2, 5)).toEqual(['one', '::error::two', `::${token}::`])
    expect(shownLines(s.text())).toEqual(['one', 'DB=***'])
    expect(log.printed).toBe(3)
  })

  it('keeps only the last lines', () => {
    const log = new BuildLog(sink().out)
    for (let i = 0; i < 100; i++) log.offer(i, `line ${i}`)
    log.flush()
    expect(log.lastLines()).toHaveLength(TAIL_SIZE)
    expect(log.lastLines()[TAIL_SIZE - 1]).toBe('line 99')
    expect(log.printed).toBe(100)
  })
})

describe('the write path respects backpressure', () => {
  it('a stdout that does not drain stops the reading of the output, so nothing piles up in memory', async () => {
    // A stdout that accepts nothing until released.
    const held: (() => void)[] = []
    let written = 0
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      decodeStrings: false,
      write(chunk: string, _enc, done) {
        written += chunk.length
        held.push(done)
      }
    })
    const log = new BuildLog(slow)
    const merger = new LogMerger(log)
    // The output endpoint's answer: 200 chunks of 64 kB (12.8 MB), produced only when asked for.
    let pulled = 0
    const chunk = Buffer.from(`${'x'.repeat(99)}\n`.repeat(655))
    function* body(): Generator<Buffer> {
      for (let i = 0; i < 200; i++) {
        pulled++
        yield chunk
      }
    }
    const reading = merger.fromOutput(body(), true)
    for (let i = 0; i < 50; i++) await new Promise(resolve => setImmediate(resolve))
    // Stuck behind stdout: a chunk or two read, not the whole answer.
    expect(log.backedUp).toBe(true)
    expect(pulled).toBeLessThanOrEqual(2)
    expect(written).toBeLessThan(3 * chunk.length)
    // Released: everything is read and printed, once.
    slow.on('drain', () => undefined)
    const release = (): void => {
      while (held.length) held.shift()!()
    }
    const pump = setInterval(release, 1)
    const read = await reading
    log.closeGroup()
    release()
    clearInterval(pump)
    expect(pulled).toBe(200)
    expect(read.lines).toBe(200 * 655)
    expect(log.printed).toBe(200 * 655)
  })
})
