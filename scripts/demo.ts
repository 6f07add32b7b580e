/**
 * `npm run demo`: the real bundled action against the local sandbox, as a
 * runner would run it. No account, no network beyond loopback. What it
 * prints is shown as GitHub's log view shows it (masks applied, groups,
 * annotations); `--raw` prints the runner's raw stream instead, `--debug`
 * adds the debug lines; `--run` shows the run action instead (a one-off
 * command, attached).
 */
import { RUN_ENTRY, runAction, startSandbox, webAnswers, type Step, type TerminalStep } from '../sandbox/index.js'
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
const oneOff = process.argv.includes('--run')

const sandbox = await startSandbox({
  scalingo: { timeline, web: webAnswers.healthy, oneOff: { script: oneOffScript } }
})
const line = '─'.repeat(72)
console.log(
  `${line}\nLocal sandbox up: Scalingo auth ${sandbox.scalingo.authUrl}, API ${sandbox.scalingo.apiUrl}, GitHub ${sandbox.github.apiUrl}`
)
console.log(
  (oneOff
    ? 'Running run/main.js (the run action) as the runner would: `rake db:seed` in a one-off container of my-app'
    : 'Running dist/index.js as the runner would: deploy tag v1.2.0 of acme/shop to my-app, then check /health') +
    `${raw ? ' (the raw runner stream)' : ' (as GitHub shows the log; --raw for the raw stream, --debug for debug lines)'}\n${line}`
)
try {
  const run = await runAction({
    entry: oneOff ? RUN_ENTRY : undefined,
    env: oneOff
      ? sandbox.env({ command: 'rake db:seed', env: 'SEED_SIZE=small', timeout: '5m' })
      : sandbox.env({ ref: 'v1.2.0', timeout: '5m', 'health-check': '/health' }),
    onStdout: show
  })
  show('\n')
  console.log(`${line}\nExit code: ${run.code} after ${(run.wallMs / 1000).toFixed(1)} s\n\nOutputs (GITHUB_OUTPUT):`)
  for (const [k, v] of Object.entries(run.outputs)) console.log(`  ${k.padEnd(14)} ${v}`)
  console.log(`\nJob summary (GITHUB_STEP_SUMMARY):\n${run.summary}`)
  const calls = [...sandbox.scalingo.requests, ...sandbox.github.requests].map(
    r => `${r.server} ${r.method} ${r.path.replace(/token=[^&]+/, 'token=***')}`
  )
  console.log(`Requests the sandbox received (${calls.length}):\n  ${calls.join('\n  ')}`)
  process.exitCode = run.code ?? 1
} finally {
  await sandbox.close()
}
