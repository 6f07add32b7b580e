import { code, codeBlock, cell, link } from '../../src/lib/markdown.js'
import { inert, oneLine, statusLabel } from '../../src/lib/text.js'

describe('inert: outside text as one line that starts no workflow command', () => {
  it.each([
    ['a\n::add-mask::x', 'a ::add-mask::x'],
    ['::warning::pwned', '\u200b::warning::pwned'],
    ['   ::error::pwned', '\u200b   ::error::pwned'],
    ['fine ##[error]pwned', 'fine #\u200b#[error]pwned'],
    ['tab\there\r\nnext', 'tab here next']
  ])('%j → %j', (input, expected) => {
    expect(inert(input)).toBe(expected)
  })
})

describe('statusLabel', () => {
  it('shows a status as is, anything else quoted and on one line', () => {
    expect(statusLabel('build-error')).toBe('build-error')
    expect(statusLabel('success\n::warning::x')).toBe('"success ::warning::x"')
    expect(statusLabel('Success')).toBe('"Success"')
  })
})

describe('markdown: outside text is inert', () => {
  it('puts text in a code span longer than any backtick run in it', () => {
    expect(code('npm ERR!')).toBe('`npm ERR!`')
    expect(code('a `b` c')).toBe('``a `b` c``')
    expect(code('`x`')).toBe('`` `x` ``')
    expect(code('line\n# heading')).toBe('`line # heading`')
  })
  it('fences a block with more backticks than it holds', () => {
    expect(codeBlock(['a', '```', 'b'])).toBe('````text\na\n```\nb\n````')
  })
  it('escapes pipes in table cells and links only plain https URLs', () => {
    expect(cell('a | b')).toBe('a \\| b')
    expect(link('app', 'https://my-app.osc-fr1.scalingo.io')).toBe('[app](https://my-app.osc-fr1.scalingo.io)')
    expect(link('app', 'javascript:alert(1)')).toBe('app (<code>javascript&#58;alert&#40;1&#41;</code>)')
    expect(link('app', 'https://evil.example/x) ![i](https://evil.example/i.png')).toMatch(
      /^app \(<code>[^()[\]!<>]*<\/code>\)$/
    )
  })
  it('oneLine bounds and flattens', () => {
    expect(oneLine('a\n\nb', 10)).toBe('a b')
    expect(oneLine('x'.repeat(20), 10)).toHaveLength(10)
  })
})
