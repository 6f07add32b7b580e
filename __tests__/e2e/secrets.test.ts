/**
 * Every scenario, with the runner's debug logging on, scanned for every
 * secret in stdout, stderr, outputs and the summary: zero hits.
 */
import { runAction, startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/index.js'
import { leaks, readable, secretsOf } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

const debug = { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' }

const scenarios: [string, SandboxOptions, Record<string, string>][] = [
  ['public success', {}, {}],
  ['private success', {}, { repository: 'acme/secret-shop' }],
  [
    'private build-error',
    {
      scalingo: {
        timeline: [
          { afterMs: 50, status: 'building', log: ['oops'] },
          { afterMs: 50, status: 'build-error' }
        ]
      }
    },
    { repository: 'acme/secret-shop' }
  ],
  ['bad API token', {}, { 'api-token': 'tk-us-refused-token-1234567890' }],
  ['unknown app', {}, { app: 'ghost-app' }],
  [
    '5xx everywhere then success',
    { scalingo: { faults: [{ path: '/v1/', times: 2, status: 503, body: 'down' }] } },
    { repository: 'acme/secret-shop' }
  ],
  [
    'bearer expiring mid-follow',
    {
      scalingo: {
        timeline: [
          { afterMs: 50, status: 'building', run: sb => sb.expireBearers() },
          { afterMs: 900, status: 'success' }
        ]
      }
    },
    { repository: 'acme/secret-shop' }
  ],
  [
    'timeout',
    {
      scalingo: {
        timeline: [
          { afterMs: 50, status: 'building' },
          { afterMs: 60_000, status: 'success' }
        ]
      }
    },
    { repository: 'acme/secret-shop', timeout: '2s' }
  ],
  [
    'ambiguous POST',
    { scalingo: { faults: [{ method: 'POST', path: '/deployments', action: 'process-then-reset' }] } },
    { repository: 'acme/secret-shop' }
  ],
  [
    'tokenized source-url',
    {},
    { 'source-url': 'https://archives.example.com/app.tar.gz?X-Amz-Signature=deadbeefcafe0123456789', wait: 'false' }
  ]
]

describe('no secret ever shows', () => {
  it.each(scenarios)('%s (debug on)', async (_name, opts, inputs) => {
    sandbox = await startSandbox(opts)
    const run = await runAction({ env: { ...sandbox.env(inputs), ...debug } })
    const extra = Object.values(inputs).filter(v => /token|Signature/.test(v))
    const secrets = secretsOf(sandbox, [...extra, 'deadbeefcafe0123456789'])
    // Debug output is on: the scan covers it.
    expect(run.stdout).toContain('::debug::')
    expect(leaks(run, secrets)).toEqual([])
    // The bearer exists and was masked before use whenever an exchange succeeded.
    for (const bearer of sandbox.scalingo.bearers.keys()) expect(run.stdout).toContain(`::add-mask::${bearer}`)
    expect(readable(run)).not.toMatch(/token=GHSAT/)
  })
})
