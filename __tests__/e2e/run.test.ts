/**
 * End to end: the `run` action (run/action.yml → run/main.js → the one
 * bundle) against the sandbox's one-off containers: POST /run, the
 * operation, the run service's CONNECT terminal and /wait. Each status,
 * exactly one POST whatever fails, the bytes the terminal gets, the
 * credentials and where they go, the output as data.
 */
import {
  DEFAULT_API_TOKEN,
  RUN_ENTRY,
  runAction,
  startSandbox,
  type ActionRun,
  type Fault,
  type OneOffBehaviour,
  type RunOptions,
  type Sandbox,
  type SandboxOneOff,
  watchProcess
} from '../../sandbox/index.js'
import { errorLines, obeyedCommands, readable } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

async function start(oneOff: OneOffBehaviour = {}): Promise<Sandbox> {
  sandbox = await startSandbox({ scalingo: { oneOff } })
  return sandbox
}

function runOneOff(inputs: Record<string, string>, more: Partial<RunOptions> = {}): Promise<ActionRun> {
  return runAction({ entry: RUN_ENTRY, env: sandbox.env({ command: 'rake db:seed', ...inputs }), ...more })
}

function posts(): number {
  return sandbox.scalingo.requests.filter(r => r.method === 'POST' && r.path === '/v1/apps/my-app/run').length
}

function only(): SandboxOneOff {
  expect(sandbox.scalingo.runService.oneOffs).toHaveLength(1)
  return sandbox.scalingo.runService.oneOffs[0]
}

const lines = (...l: string[]): string => l.map(x => `${x}\r\n`).join('')

describe('an attached one-off', () => {
  it('success: output live and as data, exit code 0, end-of-input sent, Basic credentials with the bearer', async () => {
    await start({
      script: cmd => [
        { afterMs: 50, output: lines(`\u001b[32mRunning\u001b[0m ${cmd}`, 'seeded 42 rows') },
        { afterMs: 50, output: 'progress 10%\rprogress 100%\r\n', exit: 0 }
      ]
    })
    const run = await runOneOff({ env: 'RAILS_ENV=production\nSEED=1', size: '2XL' })
    expect(errorLines(run)).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs).toEqual({ 'exit-code': '0', container: 'one-off-7001', status: 'success' })
    const o = only()
    expect(o.body).toEqual({
      command: 'rake db:seed',
      env: { RAILS_ENV: 'production', SEED: '1' },
      size: '2XL',
      detached: false
    })
    expect(o.received).toEqual([0x04])
    expect(o.connects).toHaveLength(1)
    const [bearer] = [...sandbox.scalingo.bearers.keys()]
    expect(o.connects[0]).toEqual({
      path: `/${o.id}`,
      host: new URL(sandbox.scalingo.runService.url).host,
      authorization: `Basic ${Buffer.from(`:${bearer}`).toString('base64')}`
    })
    expect(run.stdout).toMatch(
      // eslint-disable-next-line no-control-regex
      /::group::Output of one-off-7001\n::stop-commands::(\w+)\n\u001b\[32mRunning\u001b\[0m rake db:seed\nseeded 42 rows\n/
    )
    expect(run.stdout).toContain('\nprogress 100%\n')
    expect(run.stdout).not.toContain('progress 10%')
    expect(run.summary).toContain('### ✅ Scalingo one-off succeeded')
    expect(run.summary).toContain('| Env | <code>RAILS&#95;ENV, SEED</code> |')
    expect(posts()).toBe(1)
  })

  it('without size, sends none (Scalingo picks its default)', async () => {
    await start()
    await runOneOff({})
    expect(only().body).toEqual({ command: 'rake db:seed', env: {}, detached: false })
  })

  it('failed: a non-zero exit fails the step with the telling line, the last lines in the summary', async () => {
    await start({
      script: () => [
        { afterMs: 50, output: lines('Loading', 'ActiveRecord::RecordInvalid: Validation failed: Email is taken') },
        { afterMs: 50, output: lines('Tasks: TOP => db:seed'), exit: 3 }
      ]
    })
    const run = await runOneOff({})
    expect(run.code).toBe(1)
    expect(run.outputs).toEqual({ 'exit-code': '3', container: 'one-off-7001', status: 'failed' })
    expect(errorLines(run)).toEqual([
      '::error title=Scalingo one-off exited with 3::`rake db:seed` exited with 3 — ActiveRecord::RecordInvalid: Validation failed: Email is taken'
    ])
    expect(run.summary).toContain('### ❌ Scalingo one-off failed')
    expect(run.summary).toMatch(/```text\nLoading\nActiveRecord::RecordInvalid/)
  })

  it('inactive: Scalingo stopped it after a long time without output (408 from /wait)', async () => {
    await start({
      script: () => [
        { afterMs: 100, output: lines('working…') },
        { afterMs: 100, inactive: true }
      ]
    })
    const run = await runOneOff({})
    expect(run.code).toBe(1)
    expect(run.outputs).toEqual({ 'exit-code': '', container: 'one-off-7001', status: 'inactive' })
    expect(errorLines(run)[0]).toContain('Scalingo stopped the one-off after a long time without output')
  })

  it('timed-out: Ctrl-C sent once at the timeout, its exit code kept, the step fails on time', async () => {
    await start({
      script: () => [
        { afterMs: 50, output: lines('long task') },
        { afterMs: 600_000, exit: 0 }
      ]
    })
    const run = await runOneOff({ timeout: '3s' })
    expect(run.code).toBe(1)
    expect(run.outputs).toEqual({ 'exit-code': '130', container: 'one-off-7001', status: 'timed-out' })
    expect(only().received).toEqual([0x04, 0x03])
    expect(errorLines(run)[0]).toContain(
      '`rake db:seed` did not end before the timeout: Ctrl-C was sent (it exited with 130)'
    )
    expect(run.wallMs).toBeLessThan(3_000 + 5_000)
  })

  it('cancelled: on SIGTERM, Ctrl-C once, the exit code awaited, outputs written, exit 1 on its own', async () => {
    await start({
      script: () => [
        { afterMs: 50, output: lines('long task') },
        { afterMs: 600_000, exit: 0 }
      ]
    })
    const run = await runOneOff(
      {},
      {
        onSpawn: child => {
          const timer = setInterval(() => {
            if (sandbox.scalingo.runService.oneOffs[0]?.written) {
              clearInterval(timer)
              child.kill('SIGTERM')
            }
          }, 20)
          child.on('exit', () => clearInterval(timer))
        }
      }
    )
    expect(run.signal).toBeNull()
    expect(run.code).toBe(1)
    expect(run.outputs).toEqual({ 'exit-code': '130', container: 'one-off-7001', status: 'cancelled' })
    expect(only().received).toEqual([0x04, 0x03])
    expect(run.summary).toContain('🛑 Scalingo one-off cancelled')
  })

  it('a connection that drops before the end: /wait still gives the exit code', async () => {
    await start({
      dropAfterMs: 150,
      script: () => [
        { afterMs: 50, output: lines('step 1') },
        { afterMs: 400, output: lines('step 2'), exit: 0 }
      ]
    })
    const run = await runOneOff({})
    expect(run.outputs).toEqual({ 'exit-code': '0', container: 'one-off-7001', status: 'success' })
    expect(run.stdout).toContain('dropped; asking Scalingo how it ended')
  })

  it('dropped, and /wait never answers: error, the outcome unknown, never a second POST', async () => {
    await start({
      dropAfterMs: 100,
      waitFailures: { status: 404, times: 100 },
      script: () => [
        { afterMs: 50, output: lines('step 1') },
        { afterMs: 400, exit: 0 }
      ]
    })
    const run = await runOneOff({})
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('error')
    expect(run.outputs['exit-code']).toBe('')
    expect(errorLines(run)[0]).toContain('its outcome is unknown')
    expect(posts()).toBe(1)
  })
})

describe('at most one one-off per run', () => {
  it.each<[string, Omit<Fault, 'path'>]>([
    ['a 502 after Scalingo started it', { action: 'process-then-respond', status: 502 }],
    ['a 500 without starting it', { status: 500 }],
    ['a connection cut after the request was sent', { action: 'process-then-reset' }],
    ['a 200 that cannot be read', { action: 'process-then-cut-body' }]
  ])('%s: the step fails saying it may have started, one POST', async (_what, fault) => {
    await start()
    sandbox.scalingo.faults = [{ method: 'POST', path: '/v1/apps/my-app/run', ...fault }]
    const run = await runOneOff({})
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('error')
    expect(errorLines(run)[0]).toContain('the command may have started, and is not started again')
    expect(errorLines(run)[0]).toContain('scalingo --app my-app ps')
    expect(posts()).toBe(1)
  })

  it('a POST that hangs until the timeout: one POST, the same message', async () => {
    await start()
    sandbox.scalingo.faults = [{ method: 'POST', path: '/v1/apps/my-app/run', action: 'hang' }]
    const run = await runOneOff({ timeout: '3s' })
    expect(run.outputs.status).toBe('error')
    expect(errorLines(run)[0]).toContain('the command may have started')
    expect(posts()).toBe(1)
  })
})

describe('attaching', () => {
  it('a 503 while the container boots is retried; attached on the third try', async () => {
    await start({ connectFailures: { status: 503, times: 2 } })
    const run = await runOneOff({})
    expect(run.outputs.status).toBe('success')
    expect(only().connects).toHaveLength(3)
    expect(posts()).toBe(1)
  })

  it('never attaching: error, no exit code, the container and where its output went named', async () => {
    await start({ connectFailures: { status: 503, times: 1000 } })
    const run = await runOneOff({ timeout: '5s' })
    expect(run.code).toBe(1)
    expect(run.outputs).toEqual({ 'exit-code': '', container: 'one-off-7001', status: 'error' })
    expect(errorLines(run)[0]).toContain('could not attach to one-off one-off-7001')
    expect(errorLines(run)[0]).toContain('scalingo --region osc-fr1 --app my-app logs --filter one-off-7001')
    expect(posts()).toBe(1)
  })

  it.each([
    ['another host', (u: string) => u.replace('127.0.0.1', 'localhost')],
    ['credentials in it', (u: string) => u.replace('http://', 'http://user:pass@')],
    [
      'plain http off loopback',
      (u: string) => u.replace(/http:\/\/127\.0\.0\.1:\d+/, 'http://run.osc-fr1.scalingo.com')
    ]
  ])('an attach URL with %s gets no bearer: refused before a byte is sent', async (_what, hostile) => {
    await start({ attachUrl: hostile })
    const run = await runOneOff({})
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('error')
    expect(errorLines(run)[0]).toContain('not sending the bearer token there')
    expect(only().connects).toHaveLength(0)
  })

  it.each([
    ['only the operation id', { operationIn: 'body-id' as const }],
    ['only the Location header', { operationIn: 'header' as const }],
    ['no label in the container', { omitLabel: true }]
  ])('an answer with %s still attaches', async (_what, behaviour) => {
    await start(behaviour)
    const run = await runOneOff({})
    expect(run.outputs).toEqual({ 'exit-code': '0', container: 'one-off-7001', status: 'success' })
  })

  it('an operation that fails: error, its message inert', async () => {
    await start({ operationError: 'no capacity\n::warning::pwned' })
    const run = await runOneOff({})
    expect(run.outputs.status).toBe('error')
    expect(errorLines(run)).toEqual([
      '::error::Scalingo could not start one-off one-off-7001: no capacity ::warning::pwned'
    ])
    expect(obeyedCommands(run.stdout).filter(l => l.startsWith('::warning'))).toEqual([])
  })
})

describe('detached, dry run, refusals', () => {
  it('detached: started, not attached, no exit code, where the output goes', async () => {
    await start()
    const run = await runOneOff({ detached: 'true' })
    expect(run.code).toBe(0)
    expect(run.outputs).toEqual({ 'exit-code': '', container: 'one-off-7001', status: 'detached' })
    const o = only()
    expect(o.body.detached).toBe(true)
    expect(o.operationPolls).toBe(0)
    expect(o.connects).toHaveLength(0)
    expect(run.stdout).toContain('scalingo --region osc-fr1 --app my-app logs --filter one-off-7001')
    expect(run.summary).toContain('Scalingo reports no exit code for a detached one-off')
  })

  it('dry run: the token and the app checked, the plan with env names only, nothing started', async () => {
    await start()
    const run = await runOneOff({ 'dry-run': 'true', env: 'API_SECRET=very-secret-value-123' })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('dry-run')
    expect(run.stdout).toContain('env: API_SECRET')
    expect(readable(run)).not.toContain('very-secret-value-123')
    expect(posts()).toBe(0)
    expect(sandbox.scalingo.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/tokens/exchange',
      'GET /v1/apps/my-app'
    ])
  })

  it.each([
    [
      'an env value',
      { command: 'psql postgres://u:hunter22secret@db/x', env: 'DB_PASSWORD=hunter22secret' },
      'contains the value of env DB_PASSWORD'
    ],
    ['the API token', { command: `curl -H "Authorization: ${DEFAULT_API_TOKEN}" x` }, 'contains the API token'],
    ['an empty command', { command: '' }, 'is required'],
    ['a bad size', { size: 'X-L' }, 'is not a container size'],
    ['a bad env line', { env: 'FOO=1\nnot a variable' }, 'line 2 is not NAME=value']
  ])('refuses %s before any request, never quoting a secret', async (_what, inputs, message) => {
    await start()
    const run = await runOneOff(inputs)
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toContain(message)
    expect(readable(run)).not.toContain('hunter22secret')
    expect(sandbox.scalingo.requests).toHaveLength(0)
  })
})

describe('output is data', () => {
  it('workflow commands in the output are printed, never obeyed; env values masked', async () => {
    await start({
      script: (_cmd, env) => [
        {
          afterMs: 50,
          output: lines('::error::pwned', '##[warning]pwned too', '::add-mask::rake', `token=${env.TOKEN}`),
          exit: 0
        }
      ]
    })
    const run = await runOneOff({ env: 'TOKEN=one-off-secret-token-42' })
    expect(run.outputs.status).toBe('success')
    expect(obeyedCommands(run.stdout).filter(l => /pwned|add-mask::rake/.test(l))).toEqual([])
    expect(run.stdout).toContain('token=***')
    expect(readable(run)).not.toContain('one-off-secret-token-42')
  })

  it('20 MB of output: every line, peak memory under 100 MB', async () => {
    const chunk = Array.from(
      { length: 1000 },
      (_, j) => `row ${String(j).padStart(4, '0')} ${'x'.repeat(88)}\r\n`
    ).join('')
    await start({
      script: () => [
        ...Array.from({ length: 210 }, (_, k) => ({ afterMs: k === 0 ? 50 : 1, output: chunk })),
        { afterMs: 10, output: lines('done'), exit: 0 }
      ]
    })
    let watch: ReturnType<typeof watchProcess> = () => ({ peakKb: 0, cpuMs: 0 })
    const run = await runOneOff({}, { killAfterMs: 120_000, onSpawn: child => (watch = watchProcess(child)) })
    const { peakKb } = watch()
    expect(run.outputs.status).toBe('success')
    expect(run.stdout.split('\n').filter(l => l.startsWith('row '))).toHaveLength(210_000)
    expect(peakKb).toBeGreaterThan(0)
    expect(peakKb).toBeLessThan(100 * 1024)
  }, 130_000)
})
