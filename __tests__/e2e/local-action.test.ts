/**
 * GitHub's own local runner, @github/local-action, runs our TypeScript entry
 * (src/main.ts's run()) against the sandbox: a client we did not write.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, startSandbox, type Sandbox } from '../../sandbox/index.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

it('deploys a tag to the sandbox under @github/local-action', async () => {
  sandbox = await startSandbox()
  const env = sandbox.env({ ref: 'v1.2.0' })
  const dir = mkdtempSync(join(tmpdir(), 'local-action-'))
  const dotenv = join(dir, '.env')
  // Its .env keeps the hyphens of input names (INPUT_API-TOKEN=…).
  writeFileSync(
    dotenv,
    Object.entries(env)
      .filter(([k]) => k.startsWith('INPUT_'))
      .map(([k, v]) => `${k}=${v}\n`)
      .join('')
  )
  const workflow = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('INPUT_')))
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'local-action'), ['run', ROOT, 'src/main.ts', dotenv], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...workflow },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (out += c.toString()))
  const code = await new Promise<number | null>(r => child.on('close', r))
  expect(out).toMatch(/'status'\s+│ 'success'/)
  expect(code).toBe(0)
  const [d] = sandbox.scalingo.allDeployments()
  expect(d.status).toBe('success')
  expect(out).toContain(`'deployment-id' │ '${d.id}'`)
  for (const bearer of sandbox.scalingo.bearers.keys())
    expect(
      out
        .split('\n')
        .filter(l => !l.includes('add-mask'))
        .join('\n')
    ).not.toContain(bearer)
}, 60_000)
