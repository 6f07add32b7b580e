/**
 * `npm run bench`: the bundled action against the sandbox, several times,
 * beside a naive 10 s polling loop (what existing actions do), in one run so
 * the machine's noise hits both alike. Prints a Markdown table; compare the
 * ratios, not the absolute numbers.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  BUNDLE,
  ROOT,
  SHA_MAIN,
  runAction,
  startSandbox,
  type Sandbox,
  type SandboxOptions,
  type Step,
  watchProcess
} from '../sandbox/index.js'
import { oneOffRows } from './oneoff.js'
import { reviewAppRows } from './reviewapp.js'
import { show, stats } from './stats.js'
import { scalingRows } from './scaling.js'

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 7))
const QUICK = process.env.BENCH_QUICK === '1'

const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`

interface Measured {
  spawnedAt: number
  exitAt: number
  code: number | null
  peakKb: number
  stdoutBytes: number
}

async function runOurs(sandbox: Sandbox, inputs: Record<string, string> = {}): Promise<Measured> {
  let spawnedAt = 0
  let exitAt = 0
  let watch: ReturnType<typeof watchProcess> = () => ({ peakKb: 0, cpuMs: 0 })
  const run = await runAction({
    env: sandbox.env(inputs),
    killAfterMs: 180_000,
    onSpawn: child => {
      spawnedAt = Date.now()
      watch = watchProcess(child)
      child.on('exit', () => (exitAt = Date.now()))
    }
  })
  return { spawnedAt, exitAt, code: run.code, peakKb: watch().peakKb, stdoutBytes: run.stdout.length }
}

async function runNaive(sandbox: Sandbox): Promise<Measured> {
  const env = {
    PATH: process.env.PATH ?? '',
    API_URL: sandbox.scalingo.apiUrl,
    AUTH_URL: sandbox.scalingo.authUrl,
    API_TOKEN: sandbox.scalingo.apiTokens[0],
    APP: 'my-app',
    GIT_REF: SHA_MAIN,
    SOURCE_URL: `${sandbox.github.serverUrl}/acme/shop/archive/${SHA_MAIN}.tar.gz`
  }
  const spawnedAt = Date.now()
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'naive-poller.mjs')], {
    env,
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const watch = watchProcess(child)
  let bytes = 0
  child.stdout.on('data', (c: Buffer) => (bytes += c.length))
  const code = await new Promise<number | null>(r => child.on('close', c => r(c)))
  return { spawnedAt, exitAt: Date.now(), code, peakKb: watch().peakKb, stdoutBytes: bytes }
}

/** A deterministic spread of final-transition times, the same for every mode. */
function jitter(i: number): number {
  return 300 + ((i * 7919) % 2000)
}

function latencyTimeline(i: number): Step[] {
  return [
    { afterMs: 200, status: 'building', log: ['-----> Building'] },
    ...Array.from({ length: 6 }, (_, k) => ({ afterMs: 250, log: [`       step ${k}`] })),
    { afterMs: 300, status: 'pushing' },
    { afterMs: 300, status: 'starting' },
    { afterMs: jitter(i), status: 'success', log: ['-----> Done'] }
  ]
}

async function detection(mode: 'stream' | 'polling' | 'naive', i: number): Promise<number> {
  const opts: SandboxOptions = {
    scalingo: { timeline: latencyTimeline(i), stream: mode === 'stream' ? {} : { mode: 'absent' } }
  }
  const sb = await startSandbox(opts)
  try {
    const m = mode === 'naive' ? await runNaive(sb) : await runOurs(sb)
    if (m.code !== 0) throw new Error(`${mode} run ${i} exited ${m.code}`)
    const [d] = sb.scalingo.allDeployments()
    return m.exitAt - d.finishedAt!
  } finally {
    await sb.close()
  }
}

/** A 60 s deployment: 1 s queued, 48 s building (a line every 2 s), 5 s pushing, 6 s starting. */
function sixtySeconds(): Step[] {
  return [
    { afterMs: 1000, status: 'building', log: ['-----> Building'] },
    ...Array.from({ length: 24 }, (_, k) => ({ afterMs: 2000, log: [`       step ${k}`] })),
    { afterMs: 5000, status: 'pushing' },
    { afterMs: 6000, status: 'starting' },
    { afterMs: 0, status: 'success', log: ['-----> Done'] }
  ].map((s, i, all) =>
    i === all.length - 2 ? { ...s, afterMs: 5000 } : i === all.length - 1 ? { ...s, afterMs: 6000 } : s
  )
}

interface Calls {
  exchange: number
  post: number
  gets: number
  output: number
  streamDials: number
  github: number
  code: number | null
}

async function requestsFor60s(mode: 'stream' | 'polling' | 'naive'): Promise<Calls> {
  const timeline = QUICK ? sixtySeconds().map(s => ({ ...s, afterMs: Math.round(s.afterMs / 6) })) : sixtySeconds()
  const sb = await startSandbox({ scalingo: { timeline, stream: mode === 'stream' ? {} : { mode: 'absent' } } })
  try {
    const m = mode === 'naive' ? await runNaive(sb) : await runOurs(sb)
    const r = sb.scalingo.requests
    return {
      exchange: r.filter(x => x.path === '/v1/tokens/exchange').length,
      post: r.filter(x => x.method === 'POST' && x.server === 'scalingo-api').length,
      gets: r.filter(x => x.method === 'GET' && x.server === 'scalingo-api').length,
      output: r.filter(x => x.path.endsWith('/output')).length,
      streamDials: r.filter(x => x.server === 'scalingo-deployments').length,
      github: sb.github.requests.filter(x => x.server === 'github-api').length,
      code: m.code
    }
  } finally {
    await sb.close()
  }
}

/** 20 MB of build output over ~5 s: 100 bursts of 2,000 lines of 100 bytes. */
function twentyMegabytes(): Step[] {
  const line = (k: number, j: number): string =>
    `       [${String(k).padStart(3, '0')}:${String(j).padStart(4, '0')}] ${'x'.repeat(82)}`
  return [
    { afterMs: 200, status: 'building' },
    ...Array.from({ length: 100 }, (_, k) => ({
      afterMs: 50,
      log: Array.from({ length: 2000 }, (_, j) => line(k, j))
    })),
    { afterMs: 200, status: 'pushing' },
    { afterMs: 200, status: 'success' }
  ]
}

async function memory(mode: 'stream' | 'polling' | 'naive'): Promise<Measured> {
  const sb = await startSandbox({
    scalingo: { timeline: twentyMegabytes(), stream: mode === 'stream' ? {} : { mode: 'absent' } }
  })
  try {
    const m = mode === 'naive' ? await runNaive(sb) : await runOurs(sb)
    if (m.code !== 0) throw new Error(`${mode} 20 MB run exited ${m.code}`)
    return m
  } finally {
    await sb.close()
  }
}

/** Bundle size, and what it is made of (from ncc's webpack stats). */
function bundleBreakdown(): { size: number; parts: [string, number][] } {
  const size = statSync(BUNDLE).size
  const out = mkdtempSync(join(tmpdir(), 'bench-ncc-'))
  execFileSync(
    join(ROOT, 'node_modules', '.bin', 'ncc'),
    ['build', 'src/index.ts', '-o', out, '--stats-out', join(out, 'stats.json'), '-q'],
    { cwd: ROOT, stdio: 'ignore' }
  )
  interface Mod {
    name?: string
    size?: number
    modules?: Mod[]
  }
  const statsJson = JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8')) as { modules?: Mod[] }
  const byPackage = new Map<string, number>()
  // Concatenated ESM modules are listed inside their root module: count the leaves.
  const add = (m: Mod): void => {
    if (m.modules?.length) return m.modules.forEach(add)
    const name = m.name ?? ''
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(name)?.[1] ?? (/(^|\/)src\//.test(name) ? 'our src/' : 'other')
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + (m.size ?? 0))
  }
  for (const m of statsJson.modules ?? []) add(m)
  return { size, parts: [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6) }
}

async function main(): Promise<void> {
  const log = (s: string): void => console.error(s)
  const only = process.env.BENCH_ONLY
  const tables: string[] = []
  if (!only || only === 'latency') tables.push(await latencyTable(log))
  if (!only || only === 'scaling') {
    log('bench: how costs grow (log size, build length, archive size)')
    const rows = await scalingRows(log)
    tables.push(['| how it grows | result | target |', '|---|---|---|', ...rows].join('\n'))
  }
  if (only === 'startup') {
    const rows = await oneOffRows(RUNS, log)
    tables.push(['| measure | result (median, min–max) | beside it |', '|---|---|---|', ...rows].join('\n'))
  }
  if (!only || only === 'review') {
    log('bench: review apps and chat notifications')
    const rows = await reviewAppRows(RUNS, log)
    tables.push(['| review app, chat | result | beside it |', '|---|---|---|', ...rows].join('\n'))
  }
  const out = tables.join('\n\n')
  console.log(out)
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true })
  writeFileSync(join(ROOT, 'bench', 'results', 'latest.md'), `${out}\n`)
}

async function latencyTable(log: (s: string) => void): Promise<string> {
  const rows: string[] = []
  log(`bench: ${RUNS} runs per timing, Node ${process.version}${QUICK ? ' (quick: the 60 s build is shortened)' : ''}`)

  // Start-up is measured for both actions by oneOffRows below: interleaved with bare Node, so the
  // sandbox is idle when each run starts (back to back, it was still fetching the last run's archive).

  // Detection latency: final status reached in the sandbox → process exit.
  const lat: Record<string, number[]> = { stream: [], polling: [], naive: [] }
  for (let i = 0; i < RUNS; i++) {
    lat.stream.push(await detection('stream', i))
    lat.polling.push(await detection('polling', i))
  }
  const naiveRuns = QUICK ? 2 : Math.min(RUNS, 5)
  // The naive runs are slow (10 s sleeps): run them side by side.
  lat.naive = await Promise.all(Array.from({ length: naiveRuns }, (_, i) => detection('naive', i)))
  const sLat = stats(lat.stream)
  const pLat = stats(lat.polling)
  const nLat = stats(lat.naive)
  rows.push(
    `| detection latency, stream | ${show(sLat)} | ${(nLat.median / sLat.median).toFixed(0)}× faster than naive |`
  )
  rows.push(
    `| detection latency, polling only | ${show(pLat)} | ${(nLat.median / pLat.median).toFixed(1)}× faster than naive |`
  )
  rows.push(`| detection latency, naive 10 s loop | ${show(nLat)} | baseline |`)
  log('  detection latency done')

  // Requests for a 60 s deployment, all three side by side.
  const [cs, cp, cn] = await Promise.all([requestsFor60s('stream'), requestsFor60s('polling'), requestsFor60s('naive')])
  const callRow = (name: string, c: Calls): string =>
    `| requests, 60 s build, ${name} | ${c.exchange} exchange, ${c.post} POST, ${c.gets} GETs (${c.output} of them output)${c.streamDials ? `, ${c.streamDials} stream dial` : ''} | + ${c.github} GitHub API; exit ${c.code} |`
  rows.push(callRow('stream', cs), callRow('polling only', cp), callRow('naive 10 s loop', cn))
  log('  requests done')

  // Peak RSS with 20 MB of build output.
  const [ms1, mp1, mn1] = [await memory('stream'), await memory('polling'), await memory('naive')]
  const small = await startSandbox()
  const idle = await runOurs(small)
  await small.close()
  rows.push(`| peak RSS, ordinary deployment (18 lines of log) | ${mb(idle.peakKb)} | the floor: Node + the bundle |`)
  rows.push(`| peak RSS, 20 MB build log, stream | ${mb(ms1.peakKb)} | printed ${mb(ms1.stdoutBytes / 1024)} of log |`)
  rows.push(
    `| peak RSS, 20 MB build log, polling only | ${mb(mp1.peakKb)} | printed ${mb(mp1.stdoutBytes / 1024)} of log |`
  )
  rows.push(`| peak RSS, 20 MB build log, naive | ${mb(mn1.peakKb)} | holds the whole log |`)
  log('  memory done')

  rows.push(...(await oneOffRows(RUNS, log)))

  const b = bundleBreakdown()
  rows.push(
    `| dist/index.js size | ${(b.size / 1024).toFixed(0)} kB | ${b.parts.map(([p, s]) => `${p} ${(s / 1024).toFixed(0)} kB`).join(', ')} |`
  )

  return ['| measure | result (median, min–max) | beside it |', '|---|---|---|', ...rows].join('\n')
}

await main()
