/**
 * `npm run demo`: the real bundled action against the local sandbox, as a
 * runner would run it. No account, no network beyond loopback. What it
 * prints is shown as GitHub's log view shows it (masks applied, groups,
 * annotations); `--raw` prints the runner's raw stream instead, `--debug`
 * adds the debug lines; `--run` shows the run action instead (a one-off
 * command, attached); `--review` the review-app action (a pull request
 * opened, then closed).
 */
import {
  REVIEW_APP_ENTRY,
  RUN_ENTRY,
  pullRequestEnv,
  runAction,
  startSandbox,
  webAnswers,
  type RunOptions,
  type Step,
  type TerminalStep
} from '../sandbox/index.js'
import { RunnerLogRenderer } from './render-log.js'

const raw = process.argv.includes('--raw')
const renderer = new RunnerLogRenderer({ debug: process.argv.includes('--debug') })
let partial = ''
/** Prints the action's stdout as it arrives: raw, or rendered line by line. */
function show(chunk: string): void {
  if (raw) return void process.stdout.write(chunk)
  const lines = (partial + chunk).split('\n')
  partial = lines.pop() ?? ''
  for (const l of lines) for (const out of renderer.line(l)) console.log(out)
}

const pause = (ms: number): Step => ({ afterMs: ms })

const timeline: Step[] = [
  {
    afterMs: 400,
    status: 'building',
    log: ['-----> Downloading archive of acme/shop', '-----> Node.js app detected', '-----> Installing Node.js 24.11.0']
  },
  {
    ...pause(500),
    log: [
      '-----> Installing dependencies',
      '       npm ci',
      '       added 218 packages, and audited 219 packages in 4s',
      '       found 0 vulnerabilities'
    ]
  },
  {
    ...pause(500),
    log: [
      '-----> Building',
      '       > shop@1.2.0 build',
      '       > vite build',
      '       ✓ 412 modules transformed.',
      '       dist/index.html   0.46 kB',
      '       ✓ built in 2.31s'
    ]
  },
  {
    ...pause(400),
    log: ['-----> Build complete, shipping your container...', ' Waiting for your application to boot...']
  },
  { afterMs: 300, status: 'pushing', log: ['-----> Pushing image to the registry (104 MB)'] },
  { afterMs: 400, status: 'starting', log: ['-----> Starting 2 web containers'] },
  { afterMs: 500, status: 'success', log: ['<-- https://my-app.osc-fr1.scalingo.io -->'] }
]

/** What the one-off's terminal shows with `--run`: a seed task, CRLF line ends, colours, a progress line. */
const oneOffScript = (command: string): TerminalStep[] => [
  { afterMs: 300, output: `\u001b[1m$ ${command}\u001b[0m\r\n` },
  { afterMs: 400, output: 'Seeding 3 tables…\r\n' },
  { afterMs: 300, output: 'users      [#####     ] 50%\rusers      [##########] 100%\r\n' },
  { afterMs: 300, output: 'products   [##########] 100%\r\norders     [##########] 100%\r\n' },
  { afterMs: 200, output: '\u001b[32mSeeded 1,204 rows in 1.3s\u001b[0m\r\n', exit: 0 }
]
const mode = process.argv.includes('--run') ? 'run' : process.argv.includes('--review') ? 'review' : 'deploy'

const sandbox = await startSandbox({
  scalingo: { timeline, web: webAnswers.healthy, oneOff: { script: oneOffScript } }
})
const HEAD = 'c0ffee0000000000000000000000000000000012'

/** Each run of the demo: what it shows, and the runner's view of it. */
function runs(): { title: string; options: Pick<RunOptions, 'entry' | 'env'> }[] {
  if (mode === 'run') {
    return [
      {
        title: 'run/main.js (the run action): `rake db:seed` in a one-off container of my-app',
        options: {
          entry: RUN_ENTRY,
          env: sandbox.env({ command: 'rake db:seed', env: 'SEED_SIZE=small', timeout: '5m' })
        }
      }
    ]
  }
  if (mode === 'review') {
    // A parent with a database and a secret: the review app gets its own database, and the secret.
    sandbox.scalingo.childApps.seedAddon('my-app', 'postgresql', 'postgresql-sandbox')
    sandbox.scalingo.setVariable('my-app', 'SECRET_KEY_BASE', 'demo-secret-key-base-value')
    const inputs = { parent: 'my-app', 'after-create': 'rake db:seed', timeout: '5m', 'health-check': '/health' }
    const pr = (action: string): Record<string, string> =>
      pullRequestEnv(sandbox.github, { headSha: HEAD, number: 12, action, headRef: 'feature/checkout' })
    return [
      {
        title: 'review-app/main.js: pull request #12 opened → review app my-app-pr12 created, deployed, seeded',
        options: { entry: REVIEW_APP_ENTRY, env: { ...sandbox.env(inputs), ...pr('opened') } }
      },
      {
        title: 'review-app/main.js: pull request #12 closed → my-app-pr12 destroyed',
        options: { entry: REVIEW_APP_ENTRY, env: { ...sandbox.env(inputs), ...pr('closed') } }
      }
    ]
  }
  return [
    {
      title: 'dist/index.js: deploy tag v1.2.0 of acme/shop to my-app, then check /health',
      options: { env: sandbox.env({ ref: 'v1.2.0', timeout: '5m', 'health-check': '/health' }) }
    }
  ]
}

const line = '─'.repeat(72)
console.log(
  `${line}\nLocal sandbox up: Scalingo auth ${sandbox.scalingo.authUrl}, API ${sandbox.scalingo.apiUrl}, GitHub ${sandbox.github.apiUrl}`
)
try {
  for (const { title, options } of runs()) {
    console.log(
      `${line}\nRunning ${title}, as the runner would${raw ? ' (the raw runner stream)' : ' (as GitHub shows the log; --raw for the raw stream, --debug for debug lines)'}\n${line}`
    )
    const run = await runAction({ ...options, onStdout: show })
    show('\n')
    console.log(`${line}\nExit code: ${run.code} after ${(run.wallMs / 1000).toFixed(1)} s\n\nOutputs (GITHUB_OUTPUT):`)
    for (const [k, v] of Object.entries(run.outputs)) console.log(`  ${k.padEnd(14)} ${v}`)
    console.log(`\nJob summary (GITHUB_STEP_SUMMARY):\n${run.summary}`)
    process.exitCode = run.code ?? 1
    if (run.code !== 0) break
  }
  const calls = [...sandbox.scalingo.requests, ...sandbox.github.requests].map(
    r => `${r.server} ${r.method} ${r.path.replace(/token=[^&]+/, 'token=***')}`
  )
  console.log(`Requests the sandbox received (${calls.length}):\n  ${calls.join('\n  ')}`)
  if (mode === 'review')
    for (const c of sandbox.github.comments) console.log(`\nThe pull request's comment:\n${c.body}`)
} finally {
  await sandbox.close()
}
