/**
 * End to end: the `review-app` action (review-app/action.yml →
 * review-app/main.js → the one bundle) against the sandbox's child apps,
 * addons, variables, deployments, one-offs and GitHub's pull requests and
 * comments. A pull request's life: opened, pushed again, closed, closed
 * again; and what must never happen: touching an app that is not a child,
 * a fork's code with the parent's variables, a second addon or comment.
 */
import {
  DEFAULT_API_TOKEN,
  REVIEW_APP_ENTRY,
  pullRequestEnv,
  runAction,
  startSandbox,
  type ActionRun,
  type PullEvent,
  type SandboxOptions,
  type Sandbox,
  type Step
} from '../../sandbox/index.js'
import { marked } from 'marked'
import { errorLines } from '../helpers.js'

const HEAD1 = 'c0ffee0000000000000000000000000000000001'
const HEAD2 = 'c0ffee0000000000000000000000000000000002'
const REVIEW = 'my-app-pr12'
const PARENT_SECRET = 'parent-secret-key-base-0f9e8d7c6b5a'

/** A quick build: the review app's story is what is tested here, not the follower. */
const FAST: Step[] = [
  { afterMs: 30, status: 'building', log: ['-----> Building'] },
  { afterMs: 30, status: 'success', log: ['-----> Done'] }
]

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

/** A parent with a database, a secret, an alias of its database URL, a value holding that URL, and a plain setting. */
async function start(opts: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await startSandbox({
    ...opts,
    scalingo: { timeline: FAST, ...opts.scalingo, childApps: { provisioningMs: 200, ...opts.scalingo?.childApps } }
  })
  const s = sandbox.scalingo
  s.childApps.seedAddon('my-app', 'postgresql', 'postgresql-starter-512')
  const url = s.apps.get('my-app')!.variables.find(v => v.name === 'SCALINGO_POSTGRESQL_URL')!.value
  s.setVariable('my-app', 'SECRET_KEY_BASE', PARENT_SECRET)
  s.setVariable('my-app', 'APP_DB_URL', '$SCALINGO_POSTGRESQL_URL')
  s.setVariable('my-app', 'READ_REPLICA_URL', `${url}?sslmode=require`)
  s.setVariable('my-app', 'RAILS_ENV', 'staging')
  return sandbox
}

function review(inputs: Record<string, string> = {}, event: Partial<PullEvent> = {}): Promise<ActionRun> {
  const prEnv = pullRequestEnv(sandbox.github, { headSha: HEAD1, ...event })
  return runAction({
    entry: REVIEW_APP_ENTRY,
    env: { ...sandbox.env({ parent: 'my-app', ...inputs }), ...prEnv },
    killAfterMs: 45_000
  })
}

/** Requests that change something on Scalingo (the token exchange aside). */
function writes(): string[] {
  return sandbox.scalingo.requests
    .filter(r => r.method !== 'GET' && !r.path.startsWith('/v1/tokens'))
    .map(r => `${r.method} ${r.path.split('?')[0]}`)
}

function variablesOf(app: string): Record<string, string> {
  return Object.fromEntries(sandbox.scalingo.apps.get(app)!.variables.map(v => [v.name, v.value]))
}

function addonsOf(app: string): string[] {
  return sandbox.scalingo.childApps.addons.filter(a => a.app === app).map(a => `${a.provider}:${a.plan.name}`)
}

function commentsOn(issue = 12): string[] {
  return sandbox.github.comments.filter(c => c.issue === issue).map(c => c.body)
}

describe('a pull request opened', () => {
  it('creates the child app, its addon, the variables minus the parent resources, overrides, deploys, comments once', async () => {
    await start()
    const run = await review({ variables: 'FEATURE_FLAG=on\nRAILS_ENV=review' })
    expect(errorLines(run)).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs).toEqual({
      app: REVIEW,
      'app-url': `https://${REVIEW}.osc-fr1.scalingo.io`,
      sha: HEAD1,
      'deployment-id': expect.stringMatching(/^[0-9a-f]{24}$/),
      created: 'true',
      status: 'success'
    })
    const app = sandbox.scalingo.apps.get(REVIEW)!
    expect(app.parent).toBe('my-app')
    // The documented route, with the name only.
    const create = sandbox.scalingo.requests.find(r => r.method === 'POST' && r.path === '/v1/apps/my-app/child_apps')!
    expect(JSON.parse(create.body)).toEqual({ app: { name: REVIEW } })
    expect(addonsOf(REVIEW)).toEqual(['postgresql:postgresql-starter-512'])
    const addonPost = sandbox.scalingo.requests.find(
      r => r.method === 'POST' && r.path === `/v1/apps/${REVIEW}/addons`
    )!
    expect(JSON.parse(addonPost.body).addon).toMatchObject({
      addon_provider_id: 'postgresql',
      plan_id: '5cc45d223e6b3b001249e5a3'
    })
    const vars = variablesOf(REVIEW)
    const parentDb = variablesOf('my-app').SCALINGO_POSTGRESQL_URL
    // Its own database, never the parent's: not by name, not by alias, not inside another value.
    expect(vars.SCALINGO_POSTGRESQL_URL).toMatch(/^postgresql:\/\/my_app_pr12_/)
    expect(vars.DATABASE_URL).toBe('$SCALINGO_POSTGRESQL_URL')
    expect(Object.values(vars).some(v => v.includes(parentDb))).toBe(false)
    expect(vars.READ_REPLICA_URL).toBeUndefined()
    // The alias is copied as an alias: it resolves to the review app's own database.
    expect(vars.APP_DB_URL).toBe('$SCALINGO_POSTGRESQL_URL')
    expect(vars.SECRET_KEY_BASE).toBe(PARENT_SECRET)
    // Overrides win over the parent's value.
    expect(vars.RAILS_ENV).toBe('review')
    expect(vars.FEATURE_FLAG).toBe('on')
    // One bulk call for all of it.
    expect(writes().filter(w => w === `PUT /v1/apps/${REVIEW}/variables`)).toHaveLength(1)
    const deployments = app.deployments
    expect(deployments).toHaveLength(1)
    expect(deployments[0].git_ref).toBe(HEAD1)
    expect(deployments[0].source_url).toContain(`/acme/shop/archive/${HEAD1}.tar.gz`)
    const comments = commentsOn()
    expect(comments).toHaveLength(1)
    expect(comments[0]).toMatch(/^<!-- scalingo-review-app: my-app-pr12 -->\n/)
    expect(comments[0]).toContain(`https://${REVIEW}.osc-fr1.scalingo.io`)
    expect(comments[0]).toContain('c0ffee0')
    expect(comments[0]).toContain('success')
    expect(comments[0]).toContain(`https://dashboard.scalingo.com/apps/osc-fr1/${REVIEW}`)
    // Values never printed, and masked as read.
    expect(run.stdout).toContain(`::add-mask::${PARENT_SECRET}`)
    expect(run.stdout.replace(/::add-mask::.*\n/g, '')).not.toContain(PARENT_SECRET)
    expect(run.summary).toContain('Created this run | yes')
    expect(run.summary).toContain('postgresql')
  })

  it('with addons: none, the review app still never gets the parent database (nor any value holding its URL)', async () => {
    await start()
    const run = await review({ addons: 'none' })
    expect(run.outputs.status).toBe('success')
    expect(addonsOf(REVIEW)).toEqual([])
    const vars = variablesOf(REVIEW)
    const parentDb = variablesOf('my-app').SCALINGO_POSTGRESQL_URL
    expect(vars.SCALINGO_POSTGRESQL_URL).toBeUndefined()
    expect(vars.READ_REPLICA_URL).toBeUndefined()
    expect(Object.values(vars).some(v => v.includes(parentDb) || v.includes(parentDb.split('@')[0]))).toBe(false)
    expect(vars.SECRET_KEY_BASE).toBe(PARENT_SECRET)
  })

  it.each(['copy', 'none'])(
    'a child created with a copy of the parent variables (undocumented; addons: %s): what points at the parent goes',
    async addons => {
      await start({ scalingo: { childApps: { inheritVariables: true } } })
      const run = await review({ addons, variables: 'FEATURE_FLAG=on' })
      expect(errorLines(run)).toEqual([])
      expect(run.outputs.status).toBe('success')
      const vars = variablesOf(REVIEW)
      const parentDb = variablesOf('my-app').SCALINGO_POSTGRESQL_URL
      expect(Object.values(vars).some(v => v.includes(parentDb))).toBe(false)
      expect(vars.READ_REPLICA_URL).toBeUndefined()
      expect(vars.SECRET_KEY_BASE).toBe(PARENT_SECRET)
      expect(vars.FEATURE_FLAG).toBe('on')
      expect(vars.SCALINGO_POSTGRESQL_URL ?? '').toMatch(addons === 'copy' ? /^postgresql:\/\/my_app_pr12_/ : /^$/)
      expect(run.stdout).toMatch(/removed .*READ_REPLICA_URL.* \(they pointed at my-app's resources\)/)
      // Removed before the deployment: the build never saw them.
      const del = sandbox.scalingo.requests.findIndex(r => r.method === 'DELETE' && r.path.includes('/variables/'))
      const post = sandbox.scalingo.requests.findIndex(r => r.method === 'POST' && r.path.endsWith('/deployments'))
      expect(del).toBeGreaterThanOrEqual(0)
      expect(del).toBeLessThan(post)
    }
  )

  it("addon variables that appear after it runs, and an answer that does not list them: the parent's are still not copied", async () => {
    await start({ scalingo: { childApps: { variablesLagMs: 1_500, noVariablesInAnswer: true } } })
    sandbox.scalingo.childApps.seedAddon('my-app', 'redis')
    const run = await review({ addons: 'postgresql:postgresql-sandbox\nredis:redis-sandbox' })
    expect(errorLines(run)).toEqual([])
    const put = sandbox.scalingo.requests.find(r => r.method === 'PUT' && r.path === `/v1/apps/${REVIEW}/variables`)!
    const names = (JSON.parse(put.body) as { variables: { name: string }[] }).variables.map(v => v.name)
    for (const addonName of ['DATABASE_URL', 'SCALINGO_POSTGRESQL_URL', 'REDIS_URL', 'SCALINGO_REDIS_URL'])
      expect(names).not.toContain(addonName)
    expect(names).toContain('APP_DB_URL')
  })

  it('addons as provider:plan lines: the plan id resolved by name, as the CLI does', async () => {
    await start()
    const run = await review({ addons: 'redis:redis-sandbox\npostgresql:postgresql-sandbox' })
    expect(run.outputs.status).toBe('success')
    expect(addonsOf(REVIEW).sort()).toEqual(['postgresql:postgresql-sandbox', 'redis:redis-sandbox'])
    expect(sandbox.scalingo.requests.some(r => r.path === '/v1/addon_providers/redis/plans')).toBe(true)
  })

  it('an unknown plan is refused before any addon is added, naming the plans there are', async () => {
    await start()
    const run = await review({ addons: 'postgresql:postgresql-huge' })
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('failed')
    expect(errorLines(run)[0]).toContain(
      'has no plan "postgresql-huge" (its plans: postgresql-starter-512, postgresql-sandbox)'
    )
    expect(addonsOf(REVIEW)).toEqual([])
  })
})

describe('the same pull request again', () => {
  it('a second push: no new app or addon, the new commit deployed, the same comment updated, own edits kept', async () => {
    await start()
    expect((await review()).outputs.status).toBe('success')
    // The review app's own later edit, and a new variable on the parent.
    sandbox.scalingo.setVariable(REVIEW, 'SECRET_KEY_BASE', 'edited-on-the-review-app')
    sandbox.scalingo.setVariable('my-app', 'NEW_SETTING', 'from-the-parent-later')
    const before = sandbox.scalingo.requests.length
    const run = await review({}, { headSha: HEAD2, action: 'synchronize' })
    expect(errorLines(run)).toEqual([])
    expect(run.outputs).toMatchObject({ created: 'false', status: 'success', sha: HEAD2 })
    const later = sandbox.scalingo.requests.slice(before)
    expect(later.filter(r => r.method === 'POST' && r.path.endsWith('/child_apps'))).toEqual([])
    expect(later.filter(r => r.method === 'POST' && r.path.endsWith('/addons'))).toEqual([])
    expect(addonsOf(REVIEW)).toHaveLength(1)
    const vars = variablesOf(REVIEW)
    expect(vars.SECRET_KEY_BASE).toBe('edited-on-the-review-app')
    expect(vars.NEW_SETTING).toBe('from-the-parent-later')
    expect(sandbox.scalingo.apps.get(REVIEW)!.deployments.map(d => d.git_ref)).toEqual([HEAD1, HEAD2])
    const comments = commentsOn()
    expect(comments).toHaveLength(1)
    expect(comments[0]).toContain('c0ffee0')
    expect(sandbox.github.requests.filter(r => r.method === 'PATCH')).toHaveLength(1)
  })

  it('the same commit again: skipped, nothing written', async () => {
    await start()
    await review()
    const before = sandbox.scalingo.requests.length
    const run = await review({}, { action: 'reopened' })
    expect(run.outputs).toMatchObject({ status: 'skipped', created: 'false' })
    const later = sandbox.scalingo.requests
      .slice(before)
      .filter(r => r.method !== 'GET' && !r.path.startsWith('/v1/tokens'))
    expect(later).toEqual([])
  })
})

describe('a pull request closed', () => {
  it('deletes the child once with current_name, updates the comment; closed again: already gone, still success', async () => {
    await start()
    await review()
    const run = await review({}, { action: 'closed' })
    expect(errorLines(run)).toEqual([])
    expect(run.outputs).toMatchObject({ app: REVIEW, status: 'destroyed' })
    const deletes = sandbox.scalingo.requests.filter(r => r.method === 'DELETE')
    expect(deletes.map(r => r.path)).toEqual([`/v1/apps/${REVIEW}?current_name=${REVIEW}`])
    expect(sandbox.scalingo.apps.has(REVIEW)).toBe(false)
    expect(sandbox.scalingo.apps.has('my-app')).toBe(true)
    expect(commentsOn()).toHaveLength(1)
    expect(commentsOn()[0]).toContain('destroyed')

    const again = await review({}, { action: 'closed' })
    expect(again.code).toBe(0)
    expect(again.outputs.status).toBe('destroyed')
    expect(again.stdout).toContain('already deleted')
    expect(sandbox.scalingo.requests.filter(r => r.method === 'DELETE')).toHaveLength(1)
    expect(commentsOn()).toHaveLength(1)
  })

  it('a DELETE answered 404 (deleted meanwhile) is success too', async () => {
    await start({
      scalingo: {
        faults: [
          {
            method: 'DELETE',
            path: '/v1/apps/',
            action: 'respond',
            status: 404,
            body: '{"resource":"app","error":"not found"}'
          }
        ]
      }
    })
    ;(sandbox.scalingo.addApp(REVIEW) as { parent?: string }).parent = 'my-app'
    const run = await review({ mode: 'destroy' })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('destroyed')
    expect(run.stdout).toContain('already gone')
  })

  it('never deletes the parent, nor an app that is not its child', async () => {
    await start()
    sandbox.scalingo.addApp('other-app-pr12')
    const parent = await review({ mode: 'destroy', name: 'my-app' })
    expect(parent.code).toBe(1)
    expect(errorLines(parent)[0]).toContain("Input 'name': is the parent app")
    const notChild = await review({ mode: 'destroy', name: 'other-app-pr12' })
    expect(notChild.code).toBe(1)
    expect(errorLines(notChild)[0]).toContain(
      '"other-app-pr12" is an app that is not a child of "my-app": not deleting it'
    )
    expect(sandbox.scalingo.requests.filter(r => r.method === 'DELETE')).toEqual([])
    expect(sandbox.scalingo.apps.has('other-app-pr12')).toBe(true)
  })
})

describe('names that are not ours', () => {
  it.each([
    ['an app of this account that is not a child', 'exists', /is an app that is not a child of "my-app"/],
    ['an app of another account (403)', 403, /is taken by an app this token cannot see/],
    ['an app of another account (404, then 422 on create)', 404, /refused to create the review app .* \(422: .*taken/]
  ] as const)('%s: refused, nothing created, set or deployed', async (_what, kind, message) => {
    await start({
      scalingo: { childApps: kind === 'exists' ? {} : { foreignApps: [REVIEW], foreignAnswer: kind } }
    })
    if (kind === 'exists') sandbox.scalingo.addApp(REVIEW)
    const run = await review()
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('failed')
    expect(errorLines(run)[0]).toMatch(message)
    const allowed = kind === 404 ? ['POST /v1/apps/my-app/child_apps'] : []
    expect(writes()).toEqual(allowed)
    expect(sandbox.scalingo.apps.get(REVIEW)?.variables ?? []).toEqual([])
  })

  it('a child listed on a later page is found: no create', async () => {
    await start({ scalingo: { childApps: { maxPerPage: 2 } } })
    for (const n of ['my-app-pr1', 'my-app-pr2', 'my-app-pr3', 'my-app-pr4', REVIEW]) {
      const a = sandbox.scalingo.addApp(n) as { parent?: string }
      a.parent = 'my-app'
    }
    const run = await review()
    expect(run.outputs).toMatchObject({ status: 'success', created: 'false' })
    expect(writes().filter(w => w.endsWith('/child_apps'))).toEqual([])
  })
})

describe('forks', () => {
  it('a fork creates nothing by default: a notice, status skipped, the step succeeds', async () => {
    await start()
    const run = await review({}, { headRepo: 'mallory/shop' })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('skipped')
    expect(run.stdout).toMatch(/::notice::pull request #12 comes from a fork \(mallory\/shop\)/)
    expect(run.summary).toContain('fork')
    expect(writes()).toEqual([])
    expect(sandbox.scalingo.requests.filter(r => !r.path.startsWith('/v1/tokens'))).toEqual([])
    expect(commentsOn()).toEqual([])
    // Its close: nothing to delete, no comment either (a fork's token cannot write).
    const closed = await review({}, { headRepo: 'mallory/shop', action: 'closed' })
    expect(closed.outputs.status).toBe('destroyed')
    expect(closed.stdout).not.toContain('::warning::')
    expect(writes()).toEqual([])
    expect(commentsOn()).toEqual([])
  })

  it("forks: true deploys the fork's commit from the fork's archive", async () => {
    await start({
      github: {
        repos: {
          'acme/shop': { visibility: 'public', branches: { main: HEAD1 } },
          'mallory/shop': { visibility: 'public', branches: { feature: HEAD2 } }
        }
      }
    })
    const run = await review({ forks: 'true' }, { headRepo: 'mallory/shop', headSha: HEAD2 })
    expect(errorLines(run)).toEqual([])
    expect(run.outputs.status).toBe('success')
    expect(sandbox.scalingo.apps.get(REVIEW)!.deployments[0].source_url).toContain(
      `/mallory/shop/archive/${HEAD2}.tar.gz`
    )
  })
})

describe('a run that stopped half-way', () => {
  it('an addon refused: the run fails; the next run adds it once and completes', async () => {
    await start({ scalingo: { childApps: { refuseProviders: { postgresql: 402 } } } })
    const first = await review()
    expect(first.code).toBe(1)
    expect(first.outputs).toMatchObject({ status: 'failed', created: 'true' })
    expect(errorLines(first)[0]).toContain(
      'Scalingo refused the postgresql (postgresql-starter-512) addon for my-app-pr12 (402'
    )
    expect(sandbox.scalingo.apps.get(REVIEW)!.deployments).toEqual([])
    expect(commentsOn()).toHaveLength(1)
    expect(commentsOn()[0]).toContain('failed')

    sandbox.scalingo.childApps.behaviour.refuseProviders = {}
    const second = await review()
    expect(errorLines(second)).toEqual([])
    expect(second.outputs).toMatchObject({ status: 'success', created: 'false' })
    expect(addonsOf(REVIEW)).toEqual(['postgresql:postgresql-starter-512'])
    expect([...sandbox.scalingo.apps.values()].filter(a => a.name === REVIEW)).toHaveLength(1)
    expect(variablesOf(REVIEW).SECRET_KEY_BASE).toBe(PARENT_SECRET)
    expect(commentsOn()).toHaveLength(1)
    expect(commentsOn()[0]).toContain('success')
  })

  it('an addon POST answered 502 after it was done: read back, never posted twice', async () => {
    await start({
      scalingo: {
        faults: [
          {
            method: 'POST',
            path: `/v1/apps/${REVIEW}/addons`,
            action: 'process-then-respond',
            status: 502,
            body: 'Bad Gateway'
          }
        ]
      }
    })
    const run = await review()
    expect(errorLines(run)).toEqual([])
    expect(run.outputs.status).toBe('success')
    expect(writes().filter(w => w.endsWith('/addons'))).toHaveLength(1)
    expect(addonsOf(REVIEW)).toHaveLength(1)
  })

  it('the child-app POST cut after it was done: found among the children, never posted twice', async () => {
    await start({
      scalingo: { faults: [{ method: 'POST', path: '/v1/apps/my-app/child_apps', action: 'process-then-reset' }] }
    })
    const run = await review()
    expect(errorLines(run)).toEqual([])
    expect(run.outputs).toMatchObject({ status: 'success', created: 'true' })
    expect(writes().filter(w => w.endsWith('/child_apps'))).toHaveLength(1)
  })

  it('an addon stuck provisioning ends at the timeout, and the next run waits for it without adding another', async () => {
    await start({ scalingo: { childApps: { provisioningMs: Infinity } } })
    const run = await review({ timeout: '5s' })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toContain(
      'postgresql (postgresql-starter-512) is still provisioning on my-app-pr12 at the timeout'
    )
    const addon = sandbox.scalingo.childApps.addons.find(a => a.app === REVIEW)!
    addon.status = 'running'
    const next = await review()
    expect(next.outputs.status).toBe('success')
    expect(addonsOf(REVIEW)).toHaveLength(1)
  })
})

describe('after-create', () => {
  it('runs once after the first successful deployment; a failure runs again next push; then never again', async () => {
    let exit = 1
    await start({
      scalingo: { oneOff: { script: () => [{ afterMs: 20, output: 'db:setup\r\n', exit }] } }
    })
    const first = await review({ 'after-create': 'bundle exec rails db:setup' })
    expect(first.code).toBe(1)
    expect(first.outputs.status).toBe('failed')
    expect(errorLines(first)[0]).toContain('after-create')
    expect(errorLines(first)[0]).toContain('exited with 1')
    expect(sandbox.scalingo.runService.oneOffs).toHaveLength(1)
    expect(variablesOf(REVIEW).REVIEW_APP_AFTER_CREATE).toBeUndefined()

    exit = 0
    const second = await review({ 'after-create': 'bundle exec rails db:setup' })
    expect(errorLines(second)).toEqual([])
    // The commit was already live: not deployed again, but after-create ran and the run succeeded.
    expect(second.outputs.status).toBe('success')
    expect(sandbox.scalingo.runService.oneOffs).toHaveLength(2)
    expect(sandbox.scalingo.runService.oneOffs[1].body).toMatchObject({
      command: 'bundle exec rails db:setup',
      detached: false
    })
    expect(variablesOf(REVIEW).REVIEW_APP_AFTER_CREATE).toBe(`ran for ${HEAD1}`)
    // Our own mark, written after the live deployment, is not a variable change: the same commit is skipped.
    const again = await review({ 'after-create': 'bundle exec rails db:setup' })
    expect(again.outputs.status).toBe('skipped')
    expect(sandbox.scalingo.apps.get(REVIEW)!.deployments).toHaveLength(1)
    expect(sandbox.scalingo.runService.oneOffs).toHaveLength(2)

    const third = await review(
      { 'after-create': 'bundle exec rails db:setup' },
      { headSha: HEAD2, action: 'synchronize' }
    )
    expect(errorLines(third)).toEqual([])
    expect(third.outputs.status).toBe('success')
    expect(sandbox.scalingo.runService.oneOffs).toHaveLength(2)
    expect(third.stdout).toContain('after-create: already ran')
    const fourth = await review(
      { 'after-create': 'bundle exec rails db:setup' },
      { headSha: HEAD2, action: 'synchronize' }
    )
    expect(fourth.outputs.status).toBe('skipped')
    expect(sandbox.scalingo.apps.get(REVIEW)!.deployments).toHaveLength(2)
  })
})

describe('on the pull request', () => {
  it('text from the pull request and the build log is inert in the comment and the summary', async () => {
    await start({
      scalingo: {
        timeline: [
          {
            afterMs: 30,
            status: 'building',
            log: ['ERROR: <img src=x onerror=alert(1)> [pwn](https://evil.example) @channel']
          },
          { afterMs: 30, status: 'build-error' }
        ]
      }
    })
    const run = await review({}, { headRef: '<script>alert(1)</script>](https://evil.example)' })
    expect(run.outputs.status).toBe('failed')
    const [comment] = commentsOn()
    expect(comment).toContain('failed &#40;build-error&#41;')
    // The telling line is there, as text.
    expect(comment).toContain('ERROR: <img src=x onerror=alert(1)>')
    for (const md of [comment, run.summary]) {
      const html = await marked.parse(md, { gfm: true })
      expect(html).not.toMatch(/<(img|script)\b/)
      expect(html).not.toMatch(/href="https:\/\/evil/)
    }
    expect(run.summary).toContain('&#60;script&#62;alert&#40;1&#41;')
  })

  it('environment: a transient GitHub deployment in the base repository, inactive once destroyed', async () => {
    await start()
    await review({ environment: 'pr-12' })
    const [d] = sandbox.github.deployments
    expect(d).toMatchObject({ repo: 'acme/shop', sha: HEAD1, environment: 'pr-12' })
    expect(d.payload).toMatchObject({ transient_environment: true, production_environment: false })
    expect(d.statuses.at(-1)!.state).toBe('success')
    await review({ environment: 'pr-12' }, { action: 'closed' })
    expect(sandbox.github.deployments[0].statuses.at(-1)!.state).toBe('inactive')
  })

  it('a token that cannot comment: a warning, the review app is still ready', async () => {
    await start()
    const run = await runAction({
      entry: REVIEW_APP_ENTRY,
      env: {
        ...sandbox.env({ parent: 'my-app', 'github-token': '' }),
        ...pullRequestEnv(sandbox.github, { headSha: HEAD1 })
      }
    })
    expect(run.outputs.status).toBe('success')
    expect(run.stdout).toMatch(/::warning::Could not comment on pull request #12 \(403/)
  })
})

describe('inputs and events', () => {
  it('on workflow_dispatch, pull-request is read from the API; without it, a clear error before any request', async () => {
    await start()
    pullRequestEnv(sandbox.github, { headSha: HEAD1, number: 7 })
    const base = sandbox.env({ parent: 'my-app' })
    const missing = await runAction({
      entry: REVIEW_APP_ENTRY,
      env: { ...base, GITHUB_EVENT_NAME: 'workflow_dispatch' }
    })
    expect(missing.code).toBe(1)
    expect(errorLines(missing)).toEqual([
      "::error::Input 'pull-request': is required on workflow_dispatch events (only pull_request events carry one)"
    ])
    expect(sandbox.scalingo.requests).toEqual([])
    const run = await runAction({
      entry: REVIEW_APP_ENTRY,
      env: { ...sandbox.env({ parent: 'my-app', 'pull-request': '7' }), GITHUB_EVENT_NAME: 'workflow_dispatch' }
    })
    expect(errorLines(run)).toEqual([])
    expect(run.outputs).toMatchObject({ app: 'my-app-pr7', sha: HEAD1, status: 'success' })
  })

  it.each([
    [{ mode: 'rebuild' }, "Input 'mode': must be auto, deploy or destroy"],
    [{ addons: 'postgresql' }, 'Input \'addons\': "postgresql" is not provider:plan'],
    [{ name: 'Bad_Name' }, 'Input \'name\': "Bad_Name" is not a Scalingo app name'],
    [{ 'after-create': `echo ${DEFAULT_API_TOKEN}` }, "Input 'after-create': contains the API token"],
    [{ 'copy-variables': 'yes' }, "Input 'copy-variables': must be true or false"]
  ])('%j is refused before any request', async (inputs, message) => {
    await start()
    const run = await review(inputs)
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toContain(message)
    expect(sandbox.scalingo.requests).toEqual([])
    expect(sandbox.github.requests).toEqual([])
  })

  it('a long parent name is shortened, keeping -pr<number>, with no hyphen at the cut', async () => {
    sandbox = await startSandbox({ scalingo: { timeline: FAST, apps: { 'acme-storefront-staging-west': {} } } })
    const run = await runAction({
      entry: REVIEW_APP_ENTRY,
      env: {
        ...sandbox.env({ parent: 'acme-storefront-staging-west', addons: 'none' }),
        ...pullRequestEnv(sandbox.github, { headSha: HEAD1, number: 12345 })
      }
    })
    expect(errorLines(run)).toEqual([])
    // 'acme-storefront-staging-' would be the cut: its hyphen goes.
    expect(run.outputs.app).toBe('acme-storefront-staging-pr12345')
    expect(run.outputs.app.length).toBeLessThanOrEqual(32)
  })

  it('dry-run: reads, plans, changes nothing', async () => {
    await start()
    const run = await review({ 'dry-run': 'true' })
    expect(errorLines(run)).toEqual([])
    expect(run.outputs.status).toBe('dry-run')
    expect(run.stdout).toContain('would be created as a child of the parent')
    expect(writes()).toEqual([])
    expect(commentsOn()).toEqual([])
  })
})
