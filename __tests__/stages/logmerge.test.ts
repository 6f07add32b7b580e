import { Readable } from 'node:stream'
import { BuildLog } from '../../src/stages/buildlog.js'
import { LogMerger } from '../../src/stages/logmerge.js'

const LOG = Array.from({ length: 10 }, (_, i) => `line ${i}`)

function setup(): { merger: LogMerger; printed: () => string[] } {
  let text = ''
  const log = new BuildLog({ write: c => ((text += c), true), once: () => undefined })
  const merger = new LogMerger(log)
  return {
    merger,
    printed: () => {
      log.closeGroup()
      return text.split('\n').filter(l => l !== '' && !l.startsWith('::'))
    }
  }
}

const output = (lines: string[], trailing = true): Readable =>
  Readable.from([Buffer.from(lines.join('\n') + (trailing ? '\n' : ''))])

describe('LogMerger: every line once, in order, whatever the stream does', () => {
  it('prints a connection opened before the deployment existed as it comes', () => {
    const { merger, printed } = setup()
    merger.trustFromStart(1)
    for (const l of LOG) merger.fromStream(1, l)
    expect(merger.live).toBe(true)
    expect(printed()).toEqual(LOG)
  })

  it('a reconnect that replays everything is recognised: no line twice, the rest printed live', () => {
    const { merger, printed } = setup()
    merger.trustFromStart(1)
    for (const l of LOG.slice(0, 4)) merger.fromStream(1, l)
    for (const l of LOG) merger.fromStream(2, `${l}\n`)
    expect(merger.isTrusted(2)).toBe(true)
    expect(merger.unseenLines).toBe(0)
    expect(printed()).toEqual(LOG)
  })

  it('a reconnect that replays nothing is not trusted: the output endpoint supplies the missing lines', async () => {
    const { merger, printed } = setup()
    merger.trustFromStart(1)
    for (const l of LOG.slice(0, 4)) merger.fromStream(1, l)
    // Lines 4 and 5 were logged while disconnected; connection 2 starts at line 6.
    for (const l of LOG.slice(6, 8)) merger.fromStream(2, l)
    expect(merger.isTrusted(2)).toBe(false)
    expect(merger.live).toBe(false)
    expect(merger.unseenLines).toBeGreaterThan(0)
    await merger.fromOutput(output(LOG.slice(0, 8)), false)
    for (const l of LOG.slice(8)) merger.fromStream(2, l)
    const read = await merger.fromOutput(output(LOG), true)
    expect(read.lines).toBe(LOG.length)
    expect(read.tail).toEqual(LOG)
    expect(printed()).toEqual(LOG)
  })

  it('holds the lines of a connection it cannot judge yet, and judges them once the output says more', async () => {
    const { merger, printed } = setup()
    // Nothing printed yet: connection 1 was not open before the deployment existed.
    for (const l of LOG.slice(0, 3)) merger.fromStream(1, l)
    expect(printed()).toEqual([])
    await merger.fromOutput(output(LOG.slice(0, 2)), false)
    expect(merger.isTrusted(1)).toBe(true)
    for (const l of LOG.slice(3)) merger.fromStream(1, l)
    expect(printed()).toEqual(LOG)
  })

  it('a line without a newline at the end of the output is a line only once the deployment ended', async () => {
    const { merger, printed } = setup()
    await merger.fromOutput(output(['a', 'b'], false), false)
    expect(printed()).toEqual(['a'])
    await merger.fromOutput(output(['a', 'b'], false), true)
    expect(printed()).toEqual(['a', 'b'])
  })

  it('a connection whose lines differ from what was printed is never trusted', () => {
    const { merger } = setup()
    merger.trustFromStart(1)
    for (const l of LOG.slice(0, 4)) merger.fromStream(1, l)
    merger.fromStream(2, 'something else')
    merger.fromStream(2, LOG[1])
    expect(merger.isTrusted(2)).toBe(false)
  })
})
