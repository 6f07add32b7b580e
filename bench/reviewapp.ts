/**
 * The `review-app` action and chat notifications in `npm run bench`: how a
 * push's cost grows with what it must read (the parent's children, the
 * pull request's comments, the parent's variables), and what telling the
 * chat adds to a run. Requests are counted; times compare within one run.
 */
import {
  REVIEW_APP_ENTRY,
  pullRequestEnv,
  runAction,
  startSandbox,
  watchProcess,
  type ActionRun,
  type Sandbox,
  type Step
} from '../sandbox/index.js'
import { ms, show, stats } from './stats.js'

const FAST: Step[] = [
  { afterMs: 20, status: 'building', log: ['-----> Building'] },
  { afterMs: 20, status: 'success' }
]
const HEAD = 'c0ffee00000000000000000000000000000000be'

interface Push {
  wallMs: number
  requests: number
  peakKb: number
  run: ActionRun
}

/** One review-app run for pull request #12, measured. */
async function push(sb: Sandbox, inputs: Record<string, string> = {}): Promise<Push> {
  const before = sb.scalingo.requests.length + sb.github.requests.length
  let watch: ReturnType<typeof watchProcess> = () => ({ peakKb: 0, cpuMs: 0 })
  const run = await runAction({
    entry: REVIEW_APP_ENTRY,
    env: { ...sb.env({ parent: 'my-app', ...inputs }), ...pullRequestEnv(sb.github, { headSha: HEAD }) },
    onSpawn: child => (watch = watchProcess(child))
  })
  if (run.code !== 0) throw new Error(`review-app run failed: ${run.stdout.slice(-500)}`)
  const requests = sb.scalingo.requests.length + sb.github.requests.length - before
  return { wallMs: run.wallMs, requests, peakKb: watch().peakKb, run }
}

/** A parent with `children` other children, `comments` comments on the pull request and `variables` variables. */
async function world(children: number, comments: number, variables: number): Promise<Sandbox> {
  const sb = await startSandbox({ scalingo: { timeline: FAST, childApps: { provisioningMs: 50 } } })
  for (let i = 0; i < children; i++)
    (sb.scalingo.addApp(`my-app-pr${1000 + i}`) as { parent?: string }).parent = 'my-app'
  for (let i = 0; i < comments; i++)
    sb.github.comments.push({
      id: 90000 + i,
      repo: 'acme/shop',
      issue: 12,
      body: `review comment ${i}`,
      user: 'someone'
    })
  for (let i = 0; i < variables; i++) sb.scalingo.setVariable('my-app', `SETTING_${i}`, `value-${i}-${'x'.repeat(40)}`)
  return sb
}

/** A second push of the same commit (app found, nothing to deploy): what reading grows with. */
async function growth(
  children: number,
  comments: number,
  variables: number,
  runs: number
): Promise<{ t: number[]; requests: number; peakKb: number }> {
  const sb = await world(children, comments, variables)
  try {
    await push(sb, { addons: 'none' })
    const t: number[] = []
    let last: Push | undefined
    for (let i = 0; i < runs; i++) {
      last = await push(sb, { addons: 'none' })
      if (last.run.outputs.status !== 'skipped') throw new Error(`expected a skip, got ${last.run.outputs.status}`)
      t.push(last.wallMs)
    }
    return { t, requests: last!.requests, peakKb: last!.peakKb }
  } finally {
    await sb.close()
  }
}

async function growthRows(runs: number, log: (s: string) => void): Promise<string[]> {
  const rows: string[] = []
  const cases: [string, [number, number, number][], string][] = [
    [
      'children of the parent',
      [
        [10, 0, 0],
        [500, 0, 0],
        [1950, 0, 0]
      ],
      'one more request per 50 children (every page is read); time ~flat'
    ],
    [
      'comments on the pull request',
      [
        [0, 10, 0],
        [0, 1000, 0],
        [0, 2900, 0]
      ],
      'one more request per 100 comments; time ~flat'
    ],
    [
      "parent's variables (first push: copied)",
      [
        [0, 0, 10],
        [0, 0, 1000],
        [0, 0, 5000]
      ],
      'one bulk call whatever the count; each value masked; time linear at most'
    ]
  ]
  for (const [what, sizes, note] of cases) {
    const cells: string[] = []
    let base = 0
    for (const [c, m, v] of sizes) {
      const n = c || m || v
      if (v) {
        // Variables matter on the first push: a fresh review app each time.
        const t: number[] = []
        let p: Push | undefined
        for (let i = 0; i < runs; i++) {
          const sb = await world(0, 0, v)
          p = await push(sb, { addons: 'none', comment: 'false' })
          t.push(p.wallMs)
          await sb.close()
        }
        const s = stats(t)
        base ||= s.median
        cells.push(
          `${n}: ${ms(s.median)} (${(s.median / base).toFixed(2)}×), ${p!.requests} requests, ${(p!.peakKb / 1024).toFixed(0)} MB`
        )
      } else {
        const g = await growth(c, m, 0, runs)
        const s = stats(g.t)
        base ||= s.median
        cells.push(`${n}: ${ms(s.median)} (${(s.median / base).toFixed(2)}×), ${g.requests} requests`)
      }
    }
    rows.push(`| review app, push with N ${what} | ${cells.join('; ')} | ${note} |`)
    log(`  review app: ${what} done`)
  }
  return rows
}

/** What telling the chat adds to a run (the same skipped push, with and without a webhook), interleaved. */
async function notifyRow(runs: number): Promise<string> {
  const sb = await world(0, 0, 0)
  try {
    await push(sb, { addons: 'none' })
    const without: number[] = []
    const withHook: number[] = []
    for (let i = 0; i < runs; i++) {
      without.push((await push(sb, { addons: 'none' })).wallMs)
      withHook.push((await push(sb, { addons: 'none', 'notify-webhook': sb.webhook.url })).wallMs)
    }
    const a = stats(without)
    const b = stats(withHook)
    return `| chat notification: a run with a webhook beside the same run without | ${show(b)} vs ${show(a)} | adds ${ms(b.median - a.median)} (one POST, ${sb.webhook.posts.length} sent) |`
  } finally {
    await sb.close()
  }
}

export async function reviewAppRows(runs: number, log: (s: string) => void): Promise<string[]> {
  const rows = await growthRows(Math.max(1, Math.min(runs, 3)), log)
  rows.push(await notifyRow(runs))
  log('  chat notification done')
  return rows
}
