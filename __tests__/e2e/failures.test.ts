/** End to end: every way a deployment or its set-up fails, and how it is told. */
import { runAction, startSandbox, type Sandbox, type Step } from '../../sandbox/index.js'
import { errorLines, leaks, obeyedCommands, scalingoCalls, secretsOf } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

function failingTimeline(status: string): Step[] {
  return [
    {
      afterMs: 100,
      status: 'building',
      log: ['-----> Installing dependencies', ...Array.from({ length: 40 }, (_, i) => `       step ${i + 1}`)]
    },
    { afterMs: 100, log: [' !     ERROR: the last telling line'] },
    { afterMs: 100, status }
  ]
}

describe('failed deployments', () => {
  it.each([
    ['build-error', 'the build failed'],
    ['crashed-error', 'the app crashed at boot'],
    ['timeout-error', 'the app did not listen on \\$PORT in time'],
    ['hook-error', 'the postdeploy hook failed'],
    ['aborted', 'the deployment was aborted'],
    ['quantum-error', 'unknown status "quantum-error", treated as a failure']
  ])(
    '%s fails the step, names the status in plain words and prints the end of the build output',
    async (status, words) => {
      sandbox = await startSandbox({ scalingo: { timeline: failingTimeline(status) } })
      const run = await runAction({ env: sandbox.env() })
      expect(run.code).toBe(1)
      const [d] = sandbox.scalingo.allDeployments()
      const errors = errorLines(run)
      expect(errors).toHaveLength(1)
      // One annotation titled with the status, with the most telling build-log line.
      expect(errors[0]).toMatch(
        new RegExp(`^::error title=Scalingo ${status}::deployment ${d.id} ended with ${status}: ${words}`)
      )
      expect(errors[0]).toContain(' — ! ERROR: the last telling line')
      // The tail, outside the collapsed group, after the group.
      const afterGroup = run.stdout.slice(run.stdout.lastIndexOf('::endgroup::'))
      expect(afterGroup).toMatch(/Last 30 lines of the build output:/)
      expect(afterGroup).toContain(' !     ERROR: the last telling line')
      expect(afterGroup).toContain('       step 40')
      expect(afterGroup).not.toContain('       step 11\n')
      expect(run.outputs.status).toBe(status)
      expect(run.outputs['deployment-id']).toBe(d.id)
      expect(run.summary).toContain(`❌ Scalingo deployment ${status}`)
      expect(run.summary).toContain('ERROR: the last telling line')
      expect(leaks(run, secretsOf(sandbox))).toEqual([])
    }
  )
})

describe('refused by Scalingo', () => {
  it('a bad API token fails with a clear 401 message and creates nothing', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ 'api-token': 'tk-us-wrong-token-0000000000' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error::the Scalingo API token was refused \(401: invalid credentials\) \(check the api-token secret/
      )
    ])
    expect(scalingoCalls(sandbox)).toEqual(['POST /v1/tokens/exchange'])
    expect(leaks(run, ['tk-us-wrong-token-0000000000'])).toEqual([])
    expect(run.outputs['deployment-id']).toBe('')
  })

  it('an unknown app says which region was searched and what to check', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ app: 'no-such-app' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error::app "no-such-app" was not found in region osc-fr1 \(404: not found\).*wrong region|another region/
      )
    ])
    expect(scalingoCalls(sandbox).filter(c => c.startsWith('POST /v1/apps'))).toHaveLength(0)
  })

  it.each([
    [
      402,
      { error: 'free trial has ended', url: 'https://dashboard.scalingo.com/billing' },
      /payment required for app "my-app" \(402: free trial has ended, request id req-123\)/
    ],
    [
      403,
      { error: 'you are not a collaborator of this app', code: 'forbidden' },
      /refused access to app "my-app" \(403: you are not a collaborator of this app, request id req-123\)/
    ],
    [
      422,
      { errors: { source_url: ['is invalid', 'must be reachable'] } },
      /rejected the deployment for app "my-app" \(422: source_url is invalid, must be reachable, request id req-123\)/
    ]
  ])("a %d on the deployment POST shows Scalingo's own message", async (status, body, message) => {
    sandbox = await startSandbox({
      scalingo: {
        faults: [
          {
            method: 'POST',
            path: '/deployments',
            status,
            headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-123' },
            body: JSON.stringify(body)
          }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    const errors = errorLines(run)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(message)
    expect(errors[0]).toContain('request id req-123')
    expect(errors[0]).not.toMatch(/\[object Object\]|undefined/)
    expect(scalingoCalls(sandbox).filter(c => c === 'POST /v1/apps/my-app/deployments')).toHaveLength(1)
  })
})

describe('timeout', () => {
  it('fails clearly when the deployment is still running, names it, and does not cancel it', async () => {
    sandbox = await startSandbox({
      scalingo: {
        timeline: [
          { afterMs: 100, status: 'building' },
          { afterMs: 60_000, status: 'success' }
        ]
      }
    })
    const started = Date.now()
    const run = await runAction({ env: sandbox.env({ timeout: '2s' }) })
    const elapsed = Date.now() - started
    expect(run.code).toBe(1)
    const [d] = sandbox.scalingo.allDeployments()
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::error::deployment ${d.id} is still building after 2s \\(the timeout\\); it was not cancelled \\(follow it with: scalingo --region osc-fr1 --app my-app deployment-follow, or on https://dashboard.scalingo.com/apps/osc-fr1/my-app\\)`
        )
      )
    ])
    expect(run.outputs.status).toBe('building')
    expect(run.outputs['deployment-id']).toBe(d.id)
    expect(d.status).toBe('building')
    expect(sandbox.scalingo.requests.filter(r => r.method !== 'GET' && r.server === 'scalingo-api')).toHaveLength(1)
    expect(run.summary).toContain('still building at the timeout')
    // It stopped at the timeout, not long after.
    expect(elapsed).toBeLessThan(10_000)
  })
})

describe('build output is data, not commands', () => {
  it('prints workflow commands from the build log inside a stop-commands region', async () => {
    const hostile = [
      '::add-mask::my-app',
      '::error::fake error from a buildpack',
      '::stop-commands::abc',
      '::set-output name=status::success'
    ]
    sandbox = await startSandbox({
      scalingo: {
        timeline: [
          { afterMs: 100, status: 'building', log: hostile },
          { afterMs: 100, status: 'build-error' }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    // Every hostile line appears only between a ::stop-commands::<token> line and its ::<token>:: line.
    const lines = run.stdout.split('\n')
    let open: string | undefined
    const outsideFences: string[] = []
    for (const line of lines) {
      const start = /^::stop-commands::([0-9a-f]{32})$/.exec(line)
      if (start && !open) {
        open = start[1]
        continue
      }
      if (open && line === `::${open}::`) {
        open = undefined
        continue
      }
      if (!open) outsideFences.push(line)
    }
    expect(outsideFences.filter(l => hostile.includes(l))).toEqual([])
    expect(lines.filter(l => hostile.includes(l)).length).toBeGreaterThanOrEqual(hostile.length)
    // The runner obeys none of them: only our own error and masks remain.
    const obeyed = obeyedCommands(run.stdout)
    for (const h of hostile) expect(obeyed).not.toContain(h)
    expect(errorLines(run)).toHaveLength(1)
    expect(run.outputs.status).toBe('build-error')
  })
})
