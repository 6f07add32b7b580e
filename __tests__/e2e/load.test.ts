/**
 * End to end, under load: a release fanning out as a matrix of ten jobs,
 * ten apps, one token, against a sandbox that enforces a request budget
 * (Scalingo's is about 60 a minute; here 20 per 10 s so the test stays short).
 */
import { runAction, startSandbox, type ActionRun, type Sandbox, type Step } from '../../sandbox/index.js'
import { errorLines } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

const apps = Array.from({ length: 10 }, (_, i) => `shop-${String(i + 1).padStart(2, '0')}`)
const timeline: Step[] = [
  { afterMs: 300, status: 'building', log: ['-----> Building'] },
  { afterMs: 1500, status: 'pushing' },
  { afterMs: 500, status: 'starting' },
  { afterMs: 500, status: 'success', log: ['-----> Done'] }
]

it('ten parallel runs with one token all end right, with exactly ten deployments', async () => {
  sandbox = await startSandbox({
    scalingo: {
      apps: Object.fromEntries(apps.map(a => [a, {}])),
      timeline,
      rateLimit: { requests: 20, windowMs: 10_000 }
    }
  })
  // One run alone first, for the comparison.
  const alone = await runAction({ env: sandbox.env({ app: apps[0], force: 'true' }) })
  expect(alone.code).toBe(0)
  const limitedAlone = sandbox.scalingo.rateLimited
  await new Promise(r => setTimeout(r, 10_000)) // let the budget refill

  const started = Date.now()
  const runs: ActionRun[] = await Promise.all(
    apps.map(app => runAction({ env: sandbox.env({ app, force: 'true' }), killAfterMs: 170_000 }))
  )
  const wall = Date.now() - started

  for (const [i, run] of runs.entries()) {
    expect(`${apps[i]}: ${run.code} ${run.outputs.status} ${errorLines(run).join(' ')}`).toBe(`${apps[i]}: 0 success `)
  }
  // Ten deployments from the matrix, one per app, plus the lone run's.
  const deployments = sandbox.scalingo.allDeployments()
  expect(deployments).toHaveLength(11)
  for (const app of apps) expect(deployments.filter(d => d.app === app).length).toBe(app === apps[0] ? 2 : 1)
  // The runs that met the limit say so, with what to do about it.
  expect(
    runs.some(r =>
      /\(Scalingo answered 429 \d+ times: an account gets about 60 API requests a minute; in a matrix, lower max-parallel\)/.test(
        r.stdout
      )
    )
  ).toBe(true)
  const limited = sandbox.scalingo.rateLimited - limitedAlone
  expect(limited).toBeGreaterThan(0) // the budget was really exceeded
  console.log(
    `load: 10 parallel runs met ${limited} × 429 and took ${(wall / 1000).toFixed(1)} s; one run alone took ${(alone.wallMs / 1000).toFixed(1)} s (${(wall / alone.wallMs).toFixed(1)}×)`
  )
}, 180_000)
