import { Readable } from 'node:stream'
import type { IncomingMessage } from 'node:http'
import { BuildLog, TAIL_SIZE, appendFromResponse } from '../../src/stages/buildlog.js'
import { registerSecret } from '../../src/lib/secrets.js'
import { capture, shownLines } from '../helpers-stdout.js'

describe('BuildLog', () => {
  it('prints complete lines once, in a group, inside stop-commands regions, scrubbed', () => {
    registerSecret('leaky-password-123')
    const log = new BuildLog()
    log.status = 'building'
    const out = capture(() => {
      log.append(0, 'one\n::error::two\nDB=leaky-pass')
      log.drain()
      log.append(30, 'word-123\npartial')
      log.flush()
      log.closeGroup()
    })
    const lines = out.trim().split('\n')
    expect(lines[0]).toBe('::group::Build output (building)')
    expect(lines[lines.length - 1]).toBe('::endgroup::')
    const token = /^::stop-commands::([0-9a-f]{32})$/.exec(lines[1])![1]
    expect(lines[2]).toBe('one')
    expect(lines[3]).toBe('::error::two')
    expect(lines[4]).toBe(`::${token}::`)
    expect(shownLines(out)).toEqual(['one', 'DB=***', 'partial'])
  })

  it('skips what was already printed when a source replays from the start', () => {
    const log = new BuildLog()
    const text = 'a\nb\nc\nd\n'
    const out = capture(() => {
      log.append(0, 'a\nb\n') // stream, first connection
      log.append(0, 'a\n') // reconnect: replay
      log.append(2, 'b\nc\n') // replay goes on past what we had
      log.append(0, text) // the output endpoint: whole log
      log.flush()
    })
    expect(shownLines(out)).toEqual(['a', 'b', 'c', 'd'])
    expect(log.consumed).toBe(text.length)
    expect(log.gaps).toBe(0)
  })

  it('keeps only the last lines', () => {
    const log = new BuildLog()
    capture(() => {
      log.append(0, Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''))
      log.flush()
    })
    expect(log.lastLines()).toHaveLength(TAIL_SIZE)
    expect(log.lastLines()[TAIL_SIZE - 1]).toBe('line 99')
    expect(log.lines).toBe(100)
  })

  it('reads a whole-log answer in pieces, splitting UTF-8 safely', async () => {
    const log = new BuildLog()
    const bytes = Buffer.from('héllo ✓\nwörld\n')
    // Cut inside multi-byte characters.
    const body = Readable.from([
      bytes.subarray(0, 2),
      bytes.subarray(2, 9),
      bytes.subarray(9)
    ]) as unknown as IncomingMessage
    let out = ''
    await (async () => {
      const { jest } = await import('@jest/globals')
      const spy = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
        out += String(c)
        return true
      })
      try {
        await appendFromResponse(log, body)
        log.flush()
      } finally {
        spy.mockRestore()
      }
    })()
    expect(shownLines(out)).toEqual(['héllo ✓', 'wörld'])
  })
})
