/**
 * The `run` action in `npm run bench`: start-up of both actions beside bare
 * Node, the time from a one-off's operation becoming done (its container
 * ready) to its first output line shown, the operation polls that took,
 * and the size of dist/. Part of the latency table.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { REVIEW_APP_ENTRY, ROOT, RUN_ENTRY, runAction, startSandbox, type Sandbox } from '../sandbox/index.js'
import { ms, show, stats } from './stats.js'

/** Process start → the first request any sandbox server receives. */
async function startup(sb: Sandbox, entry: string | undefined, inputs: Record<string, string>): Promise<number> {
  sb.scalingo.requests.length = 0
  sb.github.requests.length = 0
  let spawnedAt = 0
  await runAction({ entry, env: sb.env(inputs), onSpawn: () => (spawnedAt = Date.now()) })
  // The action's own requests: not the sandbox fetching an earlier deployment's archive.
  const ours = [...sb.scalingo.requests, ...sb.github.requests].filter(r =>
    String(r.headers['user-agent'] ?? '').startsWith('scalingo-deploy-action/')
  )
  const first = Math.min(...ours.map(r => r.at))
  return first - spawnedAt
}

/** A container ready `readyMs` after the POST, printing at once: ready → first line on stdout. */
async function firstLine(readyMs: number): Promise<{ latency: number; polls: number; shortestGap: number }> {
  const sb = await startSandbox({
    scalingo: {
      oneOff: {
        readyAfterMs: readyMs,
        script: () => [
          { afterMs: 0, output: 'first line of output\r\n' },
          { afterMs: 50, exit: 0 }
        ]
      }
    }
  })
  try {
    let shownAt = 0
    const run = await runAction({
      entry: RUN_ENTRY,
      env: sb.env({ command: 'echo hello' }),
      onStdout: chunk => {
        if (!shownAt && chunk.includes('first line of output')) shownAt = Date.now()
      }
    })
    if (run.outputs.status !== 'success') throw new Error(`one-off run ended ${run.outputs.status}`)
    const o = sb.scalingo.runService.oneOffs[0]
    const ready = o.createdAt + readyMs
    const gaps = o.operationPollsAt.slice(1).map((t, i) => t - o.operationPollsAt[i])
    return { latency: shownAt - ready, polls: o.operationPolls, shortestGap: Math.min(...gaps, Infinity) }
  } finally {
    await sb.close()
  }
}

function distBytes(): number {
  const dir = join(ROOT, 'dist')
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0)
}

export async function oneOffRows(runs: number, log: (s: string) => void): Promise<string[]> {
  const rows: string[] = []
  const sb = await startSandbox()
  const deploy: number[] = []
  const run: number[] = []
  const review: number[] = []
  const bare: number[] = []
  for (let i = 0; i < runs; i++) {
    deploy.push(await startup(sb, undefined, { wait: 'false' }))
    run.push(await startup(sb, RUN_ENTRY, { command: 'echo hello', 'dry-run': 'true' }))
    const destroy = { parent: 'my-app', 'pull-request': '12', mode: 'destroy', 'dry-run': 'true' }
    review.push(await startup(sb, REVIEW_APP_ENTRY, destroy))
    const t = Date.now()
    execFileSync(process.execPath, ['-e', '0'])
    bare.push(Date.now() - t)
  }
  await sb.close()
  const b = stats(bare)
  for (const [name, xs] of [
    ['deploy', deploy],
    ['run', run],
    ['review-app', review]
  ] as const) {
    const s = stats(xs)
    rows.push(
      `| start-up of the ${name} action: process start → first request | ${show(s)} | ${ms(s.median - b.median)} more than bare \`node -e 0\` (${show(b)}); goal ≤ 60 ms ${s.median - b.median <= 60 ? '✓' : '✗'} |`
    )
  }
  log('  start-up of the three actions done')
  const latencies: number[] = []
  const gaps: number[] = []
  const polls: number[] = []
  for (let i = 0; i < runs; i++) {
    const r = await firstLine(700 + ((i * 7919) % 2000))
    latencies.push(r.latency)
    gaps.push(r.shortestGap)
    polls.push(r.polls)
  }
  const l = stats(latencies)
  const gap = Math.min(...gaps)
  rows.push(
    `| one-off: operation done (container ready 0.7–2.7 s after the POST) → first output line shown | ${show(l)} | ${Math.min(...polls)}–${Math.max(...polls)} operation polls, never closer than ${ms(gap)} after the first (≤ 1 a second ${gap >= 990 ? '✓' : '✗'}); goal < 1.5 s ${l.max < 1500 ? '✓' : '✗'} |`
  )
  log('  one-off first line done')
  const size = distBytes()
  rows.push(
    `| dist/ size, every action | ${(size / 1024).toFixed(0)} kB | goal < 1.6 MB ${size < 1.6 * 1024 * 1024 ? '✓' : '✗'} |`
  )
  return rows
}
