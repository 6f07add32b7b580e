/**
 * End to end: transient is transient, every buffer is bounded in bytes,
 * every read ends by the run's deadline.
 */
import { closeSync, existsSync, mkdtempSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { type Step, runAction, startSandbox, steadyBuild, tarHeader, type Sandbox } from '../../sandbox/index.js'
import { errorLines, posts } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

const DEP = /^\/v1\/apps\/my-app\/deployments\/[0-9a-f]+$/

function workspace(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'workspace-'))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

describe('one mangled answer to a status poll is transient', () => {
  const answers: [string, object][] = [
    ['JSON without the deployment', { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' }],
    ['a body that is not JSON', { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html>oops</html>' }],
    [
      'a body cut mid-read',
      {
        action: 'cut-body',
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        body: '{"deployment":{"id":"x"}}'
      }
    ],
    [
      'another deployment',
      {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        body: '{"deployment":{"id":"other","status":"success"}}'
      }
    ]
  ]
  describe.each([
    ['polling', { mode: 'absent' as const }],
    ['with the stream open', { mode: 'ok' as const }]
  ])('%s', (_name, stream) => {
    it.each(answers)('%s: still followed, to success', async (_what, answer) => {
      sandbox = await startSandbox({
        scalingo: {
          stream,
          timeline: steadyBuild(),
          faults: [{ method: 'GET', path: DEP, skip: 1, times: 1, ...answer }]
        }
      })
      const run = await runAction({ env: sandbox.env() })
      expect(errorLines(run)).toEqual([])
      expect(run.outputs.status).toBe('success')
      expect(posts(sandbox)).toBe(1)
    })
  })
})

describe('buffers bounded in bytes', () => {
  it('stream frames that arrive before our deployment exists are kept within 1 MiB, not by count', async () => {
    const content = 'x'.repeat(4_000_000)
    const frames = Array.from({ length: 60 }, () => ({ type: 'log', id: 'another-deployment', data: { content } }))
    sandbox = await startSandbox({
      scalingo: {
        stream: { extraFrames: frames },
        timeline: steadyBuild(),
        // The POST takes its time: every frame arrives while the action waits for it.
        faults: [{ method: 'POST', path: '/v1/apps/my-app/deployments', action: 'delay', delayMs: 3000 }]
      }
    })
    // 60 frames of 4 MB would need 240 MB kept: the heap here holds far less.
    const run = await runAction({
      env: { ...sandbox.env(), NODE_OPTIONS: '--max-old-space-size=96' },
      killAfterMs: 90_000
    })
    expect(run.signal).toBeNull()
    expect(errorLines(run)).toEqual([])
    expect(run.outputs.status).toBe('success')
  }, 120_000)

  it('an env-file whose ${VAR} expansion passes 1 MiB is an input error naming the line, before any request', async () => {
    const lines = [`A=${'x'.repeat(1000)}`]
    for (let i = 1; i < 21; i++)
      lines.push(`V${i}=\${${i === 1 ? 'A' : `V${i - 1}`}}\${${i === 1 ? 'A' : `V${i - 1}`}}`)
    const text = `${lines.join('\n')}\n`
    expect(text.length).toBeLessThan(1400) // 1.3 KB that would expand to 2 GB
    sandbox = await startSandbox()
    const dir = workspace({ '.env': text })
    const run = await runAction({ env: { ...sandbox.env({ 'env-file': '.env' }), GITHUB_WORKSPACE: dir } })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      "::error::Input 'env-file': line 11 makes the file's variables larger than 1 MiB once ${...} references are expanded"
    ])
    expect(sandbox.scalingo.requests).toHaveLength(0)
  })
})

/** 32 GiB of zeros behind a valid tar header, in about 32 MB of gzip members (made once, kept in the temp dir). */
function gzipBomb(): string {
  const path = join(tmpdir(), 'scalingo-action-gzip-bomb-v1.tar.gz')
  if (existsSync(path)) return path
  const zeros = Buffer.alloc(64 * 1024 * 1024)
  const head = gzipSync(Buffer.concat([tarHeader('app/', 0, '5'), tarHeader('app/big', 0o77777777777, '0')]))
  const member = gzipSync(zeros, { level: 9 })
  const fd = openSync(`${path}.tmp`, 'w')
  writeSync(fd, head)
  for (let i = 0; i < 32 * 16; i++) writeSync(fd, member)
  closeSync(fd)
  renameSync(`${path}.tmp`, path)
  return path
}

describe('every read ends by the deadline', () => {
  it('a trickling build-output answer does not hold the run past its timeout', async () => {
    const building: Step[] = [
      { afterMs: 100, status: 'building', log: ['-----> Building'] },
      { afterMs: 60_000, status: 'success' }
    ]
    sandbox = await startSandbox({
      scalingo: {
        stream: { mode: 'absent' },
        timeline: building,
        faults: [{ method: 'GET', path: /\/output$/, action: 'trickle', delayMs: 300, times: 100, body: 'slow line\n' }]
      }
    })
    const run = await runAction({ env: sandbox.env({ timeout: '6s' }), killAfterMs: 60_000 })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toContain('is still building after 6s (the timeout)')
    expect(run.wallMs).toBeLessThan(6_000 + 5_000)
  }, 70_000)

  it('a gzip bomb given as archive-path is checked only until the timeout', async () => {
    const bomb = gzipBomb()
    sandbox = await startSandbox()
    const run = await runAction({
      env: { ...sandbox.env({ 'archive-path': basename(bomb), timeout: '3s' }), GITHUB_WORKSPACE: dirname(bomb) },
      killAfterMs: 120_000
    })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toMatch(/archive-path could not be checked before the timeout: \d+ bytes unpacked/)
    expect(run.wallMs).toBeLessThan(3_000 + 5_000)
    expect(sandbox.scalingo.requests).toHaveLength(0)
  }, 130_000)
})
