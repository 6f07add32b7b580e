import { InputError } from '../../src/lib/errors.js'
import { parseDotenv } from '../../src/settings/dotenv.js'

describe('parseDotenv', () => {
  it('reads the usual dotenv forms', () => {
    expect(
      parseDotenv(
        '\uFEFF# comment\nA=1\nexport B = two words \nC="quoted # not a comment"\nD=\'single\'\nE="line\\nbreak"\nF=x # trailing comment\n\nA=last wins\r\n'
      )
    ).toEqual([
      { name: 'A', value: 'last wins' },
      { name: 'B', value: 'two words' },
      { name: 'C', value: 'quoted # not a comment' },
      { name: 'D', value: 'single' },
      { name: 'E', value: 'line\nbreak' },
      { name: 'F', value: 'x' }
    ])
  })
  it.each([
    ['no equals sign', 'JUST_A_NAME', /line 1 is not NAME=value/],
    ['a bad name', '1ABC=x', /line 1: "1ABC" is not a variable name/],
    ['a dash in the name', 'MY-VAR=x', /line 1: "MY-VAR" is not a variable name/],
    ['an unterminated quote', 'A="open', /line 1: A has an unterminated double quote/],
    ['text after a quote', 'A="x" y', /line 1: unexpected text after the quoted value of A/]
  ])('rejects %s, naming the line', (_n, text, message) => {
    expect(() => parseDotenv(`OK=1\n${text}`.replace('line 1', 'line 2'))).toThrow(InputError)
    expect(() => parseDotenv(text)).toThrow(message)
  })
})
