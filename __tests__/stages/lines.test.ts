import { LineAssembler, MAX_LINE, cutMarker, frameLines, lineHash, normalizeLine } from '../../src/stages/lines.js'

function assemble(chunks: string[], end = true): string[] {
  const lines: string[] = []
  const a = new LineAssembler(l => lines.push(l))
  for (const c of chunks) a.push(c)
  if (end) a.end()
  return lines
}

describe('LineAssembler', () => {
  it('cuts text into lines, whatever the chunks', () => {
    expect(assemble(['a\nb', 'c\n', '\nd'])).toEqual(['a', 'bc', '', 'd'])
    expect(assemble(['a\nb'], false)).toEqual(['a'])
  })

  it('treats CRLF as a line end, and a lone CR as a return to the line start (the last state is kept)', () => {
    expect(assemble(['one\r\ntwo\r\n'])).toEqual(['one', 'two'])
    expect(assemble(['10%\r20%\r', '30%\r\nDone\n'])).toEqual(['30%', 'Done'])
    expect(assemble(['abc\r', '\n'])).toEqual(['abc'])
    expect(assemble(['abc\r\r\n'])).toEqual(['abc'])
    expect(assemble(['a\rb'])).toEqual(['b'])
  })

  it('caps a line and says how much was cut, without holding the rest', () => {
    const long = 'y'.repeat(MAX_LINE + 1000)
    const [line] = assemble([long.slice(0, 5000), long.slice(5000), '\n'])
    expect(line).toBe('y'.repeat(MAX_LINE) + cutMarker(1000))
  })

  it('agrees with a frame holding the same line', () => {
    const text = `x${'\r'}${'p'.repeat(MAX_LINE + 7)}`
    expect(assemble([text])).toEqual([normalizeLine(text)])
  })
})

describe('frameLines', () => {
  it('reads frames with or without a trailing newline, and several lines in one frame', () => {
    expect(frameLines('Bundle completed (2.64s)')).toEqual(['Bundle completed (2.64s)'])
    expect(frameLines('Bundle completed\n')).toEqual(['Bundle completed'])
    expect(frameLines('a\nb\nc\n')).toEqual(['a', 'b', 'c'])
    expect(frameLines('a\nb')).toEqual(['a', 'b'])
    expect(frameLines('')).toEqual([''])
    expect(frameLines('\n')).toEqual([''])
    expect(frameLines('50%\r100%\r\n')).toEqual(['100%'])
  })
})

describe('lineHash', () => {
  it('tells lines apart, and is the same for the same line', () => {
    expect(lineHash('-----> Building')).toBe(lineHash('-----> Building'))
    expect(lineHash('a')).not.toBe(lineHash('b'))
    expect(lineHash('')).not.toBe(lineHash(' '))
    const long = 'z'.repeat(10_000)
    expect(lineHash(long)).not.toBe(lineHash(`${long}!`))
  })
})
