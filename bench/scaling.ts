/**
 * How each cost grows with the work: log size, build length, archive size.
 * Part of `npm run bench` (or alone: `BENCH_ONLY=scaling npm run bench`).
 *
 * - Log size × mode: the bundled action against the sandbox, peak RSS and
 *   CPU of the action's process.
 * - Build length: the real Follower in this process, polling only, against
 *   a simulated deployment whose log grows steadily, on a virtual clock (a
 *   20-minute build runs in a blink): requests and bytes of output read.
 * - Archive size: the bundled action uploading an archive-path, beside a
 *   plain streamed PUT of the same file, in one run (time as a ratio).
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import type { Clock } from '../src/lib/clock.js'
import type { Deployment, ScalingoClient } from '../src/scalingo/client.js'
import { BuildLog } from '../src/stages/buildlog.js'
import { Follower } from '../src/stages/follower.js'
import { runAction, startSandbox, tarHeader, watchProcess, type Step } from '../sandbox/index.js'

const MB = 1024 * 1024
const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`

/** `megabytes` of build output in bursts of 1,000 lines of 100 bytes, then `end`. */
function logTimeline(megabytes: number, end: 'success' | 'build-error' = 'success'): Step[] {
  const line = (k: number, j: number): string =>
    `       [${String(k).padStart(4, '0')}:${String(j).padStart(4, '0')}] ${'x'.repeat(82)}`
  const bursts = Math.round((megabytes * MB) / (1000 * 100))
  return [
    { afterMs: 100, status: 'building' },
    ...Array.from({ length: bursts }, (_, k) => ({
      afterMs: 10,
      log: Array.from({ length: 1000 }, (_, j) => line(k, j))
    })),
    ...(end === 'success'
      ? [
          { afterMs: 100, status: 'pushing' },
          { afterMs: 100, status: 'success' }
        ]
      : [{ afterMs: 100, status: end, log: [' !     Build failed'] }])
  ]
}

export async function logRun(
  megabytes: number,
  mode: 'stream' | 'polling',
  opts: { end?: 'success' | 'build-error'; node?: string } = {}
): Promise<{ peakKb: number; cpuMs: number; lines: number; code: number | null }> {
  const sb = await startSandbox({
    scalingo: { timeline: logTimeline(megabytes, opts.end), stream: mode === 'stream' ? {} : { mode: 'absent' } }
  })
  let watch: () => { peakKb: number; cpuMs: number } = () => ({ peakKb: 0, cpuMs: 0 })
  try {
    const run = await runAction({
      env: sb.env(),
      node: opts.node,
      killAfterMs: 300_000,
      onSpawn: c => (watch = watchProcess(c))
    })
    const lines = run.stdout.split('\n').filter(l => l.startsWith('       [')).length
    return { ...watch(), lines, code: run.code }
  } finally {
    await sb.close()
  }
}

/** A clock whose sleeps take no time: minutes of a build pass in milliseconds. */
class VirtualClock implements Clock {
  t = 1_000_000
  now(): number {
    return this.t
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (!signal?.aborted) this.t += Math.max(0, ms)
    await Promise.resolve()
  }
}

/**
 * A deployment building for `minutes`, whose log grows steadily to
 * `finalBytes`, behind the few client calls the follower makes.
 */
export async function simulateBuild(
  minutes: number,
  finalBytes: number
): Promise<{
  statusGets: number
  outputReads: number
  bytesRead: number
  firstLinesAfterMs: number
  linesShown: number
  linesInLog: number
}> {
  const clock = new VirtualClock()
  const start = clock.now()
  const length = minutes * 60_000
  const line = `${'y'.repeat(99)}\n`
  const linesInLog = Math.floor(finalBytes / line.length)
  const linesAt = (t: number): number => Math.min(linesInLog, Math.floor((linesInLog * (t - start)) / length))
  let statusGets = 0
  let outputReads = 0
  let bytesRead = 0
  let firstLinesAt: number | undefined
  const deployment = (): Deployment => ({
    id: 'sim',
    status: clock.now() - start < length ? 'building' : 'success',
    links: { output: 'https://api.example.test/output' }
  })
  const client = {
    getDeployment: () => (statusGets++, Promise.resolve(deployment())),
    listDeployments: () => Promise.resolve([]),
    bearer: () => Promise.resolve('bearer'),
    openOutput: () => {
      outputReads++
      const lines = linesAt(clock.now())
      if (lines > 0) firstLinesAt ??= clock.now()
      bytesRead += lines * line.length
      const chunk = line.repeat(655)
      return Readable.from(
        (function* () {
          for (let sent = 0; sent < lines; sent += 655)
            yield Buffer.from(sent + 655 <= lines ? chunk : line.repeat(lines - sent))
        })()
      )
    }
  } as unknown as ScalingoClient
  let shown = 0
  const log = new BuildLog({
    write: c => ((shown += c.split('\n').filter(l => l.startsWith('yyy')).length), true),
    once: () => undefined
  })
  await new Follower({ client, deployment: deployment(), deadline: start + 6 * 3600_000, clock, log }).run()
  return {
    statusGets,
    outputReads,
    bytesRead,
    firstLinesAfterMs: (firstLinesAt ?? clock.now()) - start,
    linesShown: shown,
    linesInLog
  }
}

/** A gzip'd tar of about `megabytes` of random data in one folder (incompressible, as built assets mostly are). */
async function makeArchive(dir: string, megabytes: number): Promise<string> {
  const path = join(dir, `build-${megabytes}.tar.gz`)
  const size = megabytes * MB
  function* tar(): Generator<Buffer> {
    yield tarHeader('app/', 0, '5')
    yield tarHeader('app/assets.bin', size, '0')
    for (let sent = 0; sent < size; sent += MB) yield randomBytes(Math.min(MB, size - sent))
    yield Buffer.alloc((512 - (size % 512)) % 512)
    yield Buffer.alloc(1024)
  }
  await pipeline(Readable.from(tar()), createGzip({ level: 1 }), createWriteStream(path))
  return path
}

/** A plain streamed PUT of the file to a fresh signed upload URL: what `curl -T` would cost. */
async function plainPut(
  apiUrl: string,
  authUrl: string,
  token: string,
  path: string
): Promise<{ wallMs: number; peakKb: number }> {
  const basic = Buffer.from(`:${token}`).toString('base64')
  const bearer = (
    (await (
      await fetch(`${authUrl}/v1/tokens/exchange`, { method: 'POST', headers: { Authorization: `Basic ${basic}` } })
    ).json()) as { token: string }
  ).token
  const source = (await (
    await fetch(`${apiUrl}/v1/sources`, { method: 'POST', headers: { Authorization: `Bearer ${bearer}` } })
  ).json()) as {
    source: { upload_url: string }
  }
  const script = `
    const http = require('node:http'); const fs = require('node:fs')
    const size = fs.statSync(process.argv[2]).size
    const req = http.request(process.argv[1], { method: 'PUT', headers: { 'Content-Type': 'application/x-gzip', 'Content-Length': size } }, res => { res.resume(); res.on('end', () => process.exit(res.statusCode === 200 ? 0 : 1)) })
    fs.createReadStream(process.argv[2]).pipe(req)`
  const started = Date.now()
  const child = spawn(process.execPath, ['-e', script, source.source.upload_url, path], { stdio: 'ignore' })
  const watch = watchProcess(child)
  await new Promise(resolve => child.on('close', resolve))
  return { wallMs: Date.now() - started, peakKb: watch().peakKb }
}

/**
 * The Node binaries the log rows run under: this one, and Node 24 (what
 * action.yml declares) from the npm `node` package `.ci/run` installs, or
 * NODE24 when set.
 */
function nodes(): { label: string; path: string }[] {
  const list = [{ label: `Node ${process.versions.node.split('.')[0]}`, path: process.execPath }]
  const node24 =
    process.env.NODE24 ||
    join(dirname(fileURLToPath(import.meta.url)), '..', '.ci', '.node24', 'node_modules', '.bin', 'node')
  if (!process.versions.node.startsWith('24.') && existsSync(node24)) list.push({ label: 'Node 24', path: node24 })
  return list
}

export async function scalingRows(log: (s: string) => void): Promise<string[]> {
  const rows: string[] = []
  for (const node of nodes()) {
    for (const megabytes of [1, 20, 50]) {
      for (const mode of ['stream', 'polling'] as const) {
        for (const end of ['success', 'build-error'] as const) {
          const r = await logRun(megabytes, mode, { end, node: node.path })
          const expected = Math.round((megabytes * MB) / 100000) * 1000 + (end === 'success' ? 0 : 29)
          const ok = r.code === (end === 'success' ? 0 : 1) && r.lines === expected
          rows.push(
            `| ${node.label}, ${megabytes} MB build log, ${mode}, ${end} | peak RSS ${mb(r.peakKb * 1024)}, CPU ${(r.cpuMs / 1000).toFixed(2)} s, ${r.lines} lines${ok ? '' : ' (WRONG)'} | < 100 MB ${r.peakKb < 100 * 1024 ? '✓' : '✗'} |`
          )
          log(`  ${node.label} log ${megabytes} MB ${mode} ${end} done`)
        }
      }
    }
  }
  for (const minutes of [1, 5, 20]) {
    const finalBytes = 10 * MB
    const s = await simulateBuild(minutes, finalBytes)
    const ratio = s.bytesRead / finalBytes
    rows.push(
      `| ${minutes} min build, 10 MB log, polling (virtual clock) | ${s.statusGets} status GETs, ${s.outputReads} output reads, ${mb(s.bytesRead)} read (${ratio.toFixed(2)}× the log), first lines at ${(s.firstLinesAfterMs / 1000).toFixed(0)} s, ${s.linesShown}/${s.linesInLog} lines | ≤ 3× ${ratio <= 3 ? '✓' : '✗'}, first lines within seconds |`
    )
  }
  log('  build length done')
  const dir = mkdtempSync(join(tmpdir(), 'bench-archives-'))
  try {
    for (const megabytes of [10, 100, 300]) {
      const path = await makeArchive(dir, megabytes)
      const sb = await startSandbox()
      let watch: () => { peakKb: number; cpuMs: number } = () => ({ peakKb: 0, cpuMs: 0 })
      const run = await runAction({
        env: { ...sb.env({ 'archive-path': path, wait: 'false' }), GITHUB_WORKSPACE: dir },
        killAfterMs: 600_000,
        onSpawn: c => (watch = watchProcess(c))
      })
      const ours = watch()
      const plain = await plainPut(sb.scalingo.apiUrl, sb.scalingo.authUrl, sb.scalingo.apiTokens[0], path)
      await sb.close()
      rows.push(
        `| upload of a ${mb(statSync(path).size)} archive-path (checked, then streamed) | ${(run.wallMs / 1000).toFixed(2)} s, peak RSS ${mb(ours.peakKb * 1024)}, exit ${run.code} | plain streamed PUT ${(plain.wallMs / 1000).toFixed(2)} s (${(run.wallMs / plain.wallMs).toFixed(1)}×), ${mb(plain.peakKb * 1024)} |`
      )
      rmSync(path)
      log(`  upload ${megabytes} MB done`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return rows
}
