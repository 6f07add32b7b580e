/**
 * `npm run demo`: the real bundled action against the local sandbox, as a
 * runner would run it. No account, no network beyond loopback.
 */
import { runAction, startSandbox, type Step } from '../sandbox/index.js'

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

const sandbox = await startSandbox({ scalingo: { timeline } })
const line = '─'.repeat(72)
console.log(
  `${line}\nLocal sandbox up: Scalingo auth ${sandbox.scalingo.authUrl}, API ${sandbox.scalingo.apiUrl}, GitHub ${sandbox.github.apiUrl}`
)
console.log(`Running dist/index.js as the runner would: deploy tag v1.2.0 of acme/shop to my-app\n${line}`)
try {
  const run = await runAction({ env: sandbox.env({ ref: 'v1.2.0', timeout: '5m' }), inherit: true })
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
