import { readOneOffSettings } from '../../src/settings/oneoff.js'

const TOKEN = 'tk-us-unit-0123456789'

function read(inputs: Record<string, string>): ReturnType<typeof readOneOffSettings> {
  const all: Record<string, string> = { app: 'my-app', 'api-token': TOKEN, command: 'rake db:seed', ...inputs }
  return readOneOffSettings(name => all[name] ?? '')
}

describe('readOneOffSettings', () => {
  it('reads the target as the deploy action does, and the one-off with its defaults', () => {
    expect(read({})).toEqual({
      app: 'my-app',
      apiToken: TOKEN,
      region: 'osc-fr1',
      apiUrl: 'https://api.osc-fr1.scalingo.com',
      authUrl: 'https://auth.scalingo.com',
      command: 'rake db:seed',
      env: [],
      size: undefined,
      detached: false,
      timeoutSeconds: 3600,
      dryRun: false
    })
  })

  it('reads env as the variables input, size, detached, timeout', () => {
    const s = read({ env: '# comment\nA=1\n\nB=x=y', size: '2XL', detached: 'true', timeout: '15m' })
    expect(s.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'x=y' }
    ])
    expect([s.size, s.detached, s.timeoutSeconds]).toEqual(['2XL', true, 900])
  })

  it.each([
    [{ command: '   ' }, "Input 'command': is required"],
    [{ command: 'echo \u0007' }, "Input 'command': must not hold control characters"],
    [{ command: `deploy ${TOKEN}` }, "Input 'command': contains the API token"],
    [{ command: 'use s3cr3t-v4lue', env: 'KEY=s3cr3t-v4lue' }, "Input 'command': contains the value of env KEY"],
    [{ size: 'x l' }, 'Input \'size\': "x l" is not a container size'],
    [{ env: 'A=1\nB' }, "Input 'env': line 2 is not NAME=value"],
    [{ detached: 'yes' }, "Input 'detached': must be true or false"],
    [{ timeout: '7h' }, "Input 'timeout': must be at most 6h"],
    [{ app: '' }, "Input 'app': is required"]
  ])('refuses %j', (inputs, message) => {
    expect(() => read(inputs)).toThrow(message)
  })

  it('a short env value in the command says nothing: allowed; a multi-line command is kept', () => {
    expect(read({ command: 'run 1 && run 2', env: 'N=1' }).command).toBe('run 1 && run 2')
    expect(read({ command: 'bash -c "\n  a\n  b\n"\n' }).command).toBe('bash -c "\n  a\n  b\n"')
  })
})
