import { InputError } from '../../src/lib/errors.js'
import { mergeVariables, parseDotenv, parseVariableLines, variableValues } from '../../src/settings/dotenv.js'

/** A parsed file as name → value. */
const parse = (text: string): Record<string, string> =>
  Object.fromEntries(parseDotenv(text).map(v => [v.name, v.value]))

/**
 * joho/godotenv v1.5.1, the version Scalingo's CLI vendors: its fixtures
 * (fixtures/*.env at the v1.5.1 tag, MIT licence, © John Barton) and the
 * values godotenv_test.go expects of them.
 */
const FIXTURES: [string, string, Record<string, string>][] = [
  [
    'comments.env',
    '# Full line comment\nfoo=bar # baz\nbar=foo#baz\nbaz="foo"#bar\n',
    { foo: 'bar', bar: 'foo#baz', baz: 'foo' }
  ],
  [
    'equals.env',
    "export OPTION_A='postgres://localhost:5432/database?sslmode=disable'\n",
    { OPTION_A: 'postgres://localhost:5432/database?sslmode=disable' }
  ],
  ['exported.env', "export OPTION_A=2\nexport OPTION_B='\\n'\n", { OPTION_A: '2', OPTION_B: '\\n' }],
  [
    'plain.env',
    'OPTION_A=1\nOPTION_B=2\nOPTION_C= 3\nOPTION_D =4\nOPTION_E = 5\nOPTION_F = \nOPTION_G=\nOPTION_H=1 2',
    {
      OPTION_A: '1',
      OPTION_B: '2',
      OPTION_C: '3',
      OPTION_D: '4',
      OPTION_E: '5',
      OPTION_F: '',
      OPTION_G: '',
      OPTION_H: '1 2'
    }
  ],
  [
    'quoted.env',
    'OPTION_A=\'1\'\nOPTION_B=\'2\'\nOPTION_C=\'\'\nOPTION_D=\'\\n\'\nOPTION_E="1"\nOPTION_F="2"\nOPTION_G=""\nOPTION_H="\\n"\n' +
      "OPTION_I = \"echo 'asd'\"\nOPTION_J='line 1\nline 2'\nOPTION_K='line one\nthis is \\'quoted\\'\none more line'\n" +
      'OPTION_L="line 1\nline 2"\nOPTION_M="line one\nthis is \\"quoted\\"\none more line"\n',
    {
      OPTION_A: '1',
      OPTION_B: '2',
      OPTION_C: '',
      OPTION_D: '\\n',
      OPTION_E: '1',
      OPTION_F: '2',
      OPTION_G: '',
      OPTION_H: '\n',
      OPTION_I: "echo 'asd'",
      OPTION_J: 'line 1\nline 2',
      OPTION_K: "line one\nthis is \\'quoted\\'\none more line",
      OPTION_L: 'line 1\nline 2',
      OPTION_M: 'line one\nthis is "quoted"\none more line'
    }
  ],
  [
    'substitutions.env',
    'OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n',
    { OPTION_A: '1', OPTION_B: '1', OPTION_C: '1', OPTION_D: '11', OPTION_E: '' }
  ]
]

/** godotenv_test.go's TestParsing, TestExpanding, TestTrailingNewlines and TestVariableStringValueSeparator cases. */
const LINES: [string, string, string][] = [
  ['FOO=bar', 'FOO', 'bar'],
  ['FOO =bar', 'FOO', 'bar'],
  ['FOO= bar', 'FOO', 'bar'],
  ['FOO="bar"', 'FOO', 'bar'],
  ["FOO='bar'", 'FOO', 'bar'],
  ['FOO="escaped\\"bar"', 'FOO', 'escaped"bar'],
  ['FOO="\'d\'"', 'FOO', "'d'"],
  ['OPTION_A: 1', 'OPTION_A', '1'],
  ['OPTION_A: Foo=bar', 'OPTION_A', 'Foo=bar'],
  ['OPTION_A=1:B', 'OPTION_A', '1:B'],
  ['export OPTION_A=2', 'OPTION_A', '2'],
  ["export OPTION_B='\\n'", 'OPTION_B', '\\n'],
  ['export exportFoo=2', 'exportFoo', '2'],
  ['exportFOO=2', 'exportFOO', '2'],
  ['export_FOO =2', 'export_FOO', '2'],
  ['export.FOO= 2', 'export.FOO', '2'],
  ['export\tOPTION_A=2', 'OPTION_A', '2'],
  ['  export OPTION_A=2', 'OPTION_A', '2'],
  ['\texport OPTION_A=2', 'OPTION_A', '2'],
  ['FOO="bar\\nbaz"', 'FOO', 'bar\nbaz'],
  ['FOO.BAR=foobar', 'FOO.BAR', 'foobar'],
  ['FOO=foobar=', 'FOO', 'foobar='],
  ['FOO=bar ', 'FOO', 'bar'],
  ['KEY=value value', 'KEY', 'value value'],
  ['FOO=bar # this is foo', 'FOO', 'bar'],
  ['FOO="bar#baz" # comment', 'FOO', 'bar#baz'],
  ["FOO='bar#baz' # comment", 'FOO', 'bar#baz'],
  ['FOO="bar#baz#bang" # comment', 'FOO', 'bar#baz#bang'],
  ['FOO="ba#r"', 'FOO', 'ba#r'],
  ["FOO='ba#r'", 'FOO', 'ba#r'],
  ['FOO="bar\\n\\ b\\az"', 'FOO', 'bar\n baz'],
  ['FOO="bar\\\\\\n\\ b\\az"', 'FOO', 'bar\\\n baz'],
  ['FOO="bar\\\\r\\ b\\az"', 'FOO', 'bar\\r baz'],
  [' KEY =value', 'KEY', 'value'],
  ['   KEY=value', 'KEY', 'value'],
  ['\tKEY=value', 'KEY', 'value'],
  ['FOO=test\nBAR=$FOO', 'BAR', 'test'],
  ['FOO=test\nBAR=${FOO}bar', 'BAR', 'testbar'],
  ['BAR=$FOO', 'BAR', ''],
  ['FOO=test\nBAR="quote $FOO"', 'BAR', 'quote test'],
  ["BAR='quote $FOO'", 'BAR', 'quote $FOO'],
  ['FOO="foo\\$BAR"', 'FOO', 'foo$BAR'],
  ['FOO="foo\\${BAR}"', 'FOO', 'foo${BAR}'],
  ['FOO=test\nBAR="foo\\${FOO} ${FOO}"', 'BAR', 'foo${FOO} test'],
  ['KEY=value', 'KEY', 'value'],
  ['KEY=value value\n', 'KEY', 'value value'],
  ['KEY: value value', 'KEY', 'value value'],
  ['KEY: value value\n', 'KEY', 'value value'],
  [
    'TEST_URLS="stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443"',
    'TEST_URLS',
    'stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443'
  ]
]

describe('parseDotenv: as scalingo env-set --file (godotenv v1.5.1)', () => {
  it.each(FIXTURES)('fixtures/%s', (_file, text, expected) => {
    expect(parse(text)).toEqual(expected)
  })

  it.each(LINES)('%j sets %s', (text, name, value) => {
    expect(parse(text)[name]).toBe(value)
  })

  it.each([
    ['fixtures/invalid1.env', 'INVALID LINE\nfoo=bar\n', 1],
    ['lol$wut', 'lol$wut', 1],
    ['an unterminated quote', 'A=1\nB="open\nC=3\n', 2]
  ])('refuses %s, naming the line', (_n, text, line) => {
    expect(() => parseDotenv(text)).toThrow(InputError)
    expect(() => parseDotenv(text)).toThrow(new RegExp(`^Input 'env-file': line ${line} `))
  })

  it('never expands from the environment of the runner', () => {
    process.env.DOTENV_TEST_SECRET = 'from-the-runner'
    expect(parse('A=${DOTENV_TEST_SECRET}\nB=$DOTENV_TEST_SECRET')).toEqual({ A: '', B: '' })
    delete process.env.DOTENV_TEST_SECRET
  })

  it('never quotes the file in an error (a pasted connection string with a stray quote)', () => {
    const text = 'A=1\nDATABASE_URL="postgres://user:password@host/db?sslmode=require\nB=2\n'
    let message = ''
    try {
      parseDotenv(text)
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toMatch(/^Input 'env-file': line 2 has an unterminated double quote/)
    expect(message).not.toMatch(/password|postgres|sslmode/)
  })

  it('differences kept on purpose: a BOM is skipped; names that cannot be set are refused', () => {
    expect(parse('\uFEFFA=1')).toEqual({ A: '1' })
    expect(() => parseDotenv('="value"')).toThrow(/line 1 has no variable name/)
    expect(() => parseDotenv('MY VAR=1')).toThrow(/line 1 has a space in its variable name/)
  })
})

describe('the variables input', () => {
  it('reads NAME=value lines: the value is everything after the first =, comments and blanks ignored', () => {
    expect(parseVariableLines('# comment\n\nDATABASE_URL=postgres://u:p@h/db?a=b\r\nAPI-KEY= spaced \n')).toEqual([
      { name: 'DATABASE_URL', value: 'postgres://u:p@h/db?a=b' },
      { name: 'API-KEY', value: ' spaced ' }
    ])
  })

  it.each([
    ['no = sign', 'A=1\nJUST_A_NAME', /line 2 is not NAME=value/],
    ['a bad name', 'MY VAR=x', /line 1: the name must be/],
    ['an empty value (an unset secret)', 'A=1\nTOKEN=', /line 2: TOKEN has an empty value \(an unset secret\?\)/]
  ])('refuses %s by line number, never quoting the value', (_n, text, message) => {
    expect(() => parseVariableLines(text)).toThrow(message)
  })

  it('overrides the env-file, as command-line values override the file', () => {
    const merged = mergeVariables(
      [
        { name: 'A', value: 'file' },
        { name: 'B', value: 'file' }
      ],
      [{ name: 'B', value: 'secret' }]
    )
    expect(merged).toEqual([
      { name: 'A', value: 'file' },
      { name: 'B', value: 'secret' }
    ])
  })

  it('finds the values to mask before anything is checked', () => {
    expect(variableValues('A=one\n# B=not\nbroken line\nC=two=2')).toEqual(['one', 'two=2'])
  })
})

describe('expansion is bounded', () => {
  it('a file whose ${VAR} expansion passes 1 MiB is refused at the line that passes it, before it is built', () => {
    const lines = [`A=${'x'.repeat(1000)}`]
    for (let i = 1; i < 40; i++)
      lines.push(`V${i}="\${${i === 1 ? 'A' : `V${i - 1}`}}\${${i === 1 ? 'A' : `V${i - 1}`}}"`)
    expect(() => parseDotenv(lines.join('\n'))).toThrow(
      "Input 'env-file': line 11 makes the file's variables larger than 1 MiB once ${...} references are expanded"
    )
  })

  it('one line of many references is stopped as it grows, not after', () => {
    const text = `A=${'y'.repeat(600_000)}\nB=${'$A'.repeat(100_000)}\n`
    expect(() => parseDotenv(text)).toThrow("line 2 makes the file's variables larger than 1 MiB")
  })

  it('up to the limit, expansion is as before', () => {
    const vars = parseDotenv(`A=${'z'.repeat(400_000)}\nB=$A\n`)
    expect(vars.map(v => v.value.length)).toEqual([400_000, 400_000])
  })
})
