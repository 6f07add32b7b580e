import { isFork, readPullRequest } from '../../src/github/pulls.js'
import { newReviewReport, reviewCommentMarkdown, reviewStatus } from '../../src/report/reviewapp.js'
import {
  parentResourceMarks,
  planCopy,
  pointingAtParent,
  reviewVariableWrites
} from '../../src/stages/review/variables.js'

const DB =
  'postgres://shop_staging_42:s3cr3tpassw0rd@shop-staging-42.postgresql.a.osc-fr1.scalingo-dbs.com:31234/shop_staging_42?sslmode=prefer'

const parent = [
  { name: 'SCALINGO_POSTGRESQL_URL', value: DB },
  { name: 'DATABASE_URL', value: '$SCALINGO_POSTGRESQL_URL' },
  { name: 'APP_DB_URL', value: '${SCALINGO_POSTGRESQL_URL}' },
  { name: 'REPLICA_URL', value: DB.replace('?sslmode=prefer', '?sslmode=require') },
  { name: 'PGPASSWORD', value: 's3cr3tpassw0rd' },
  { name: 'SECRET_KEY_BASE', value: 'abc123def456' },
  { name: 'SCALINGO_PYTHON_VERSION', value: '3.12' },
  { name: 'REVIEW_APP_AFTER_CREATE', value: 'ran for x' }
]

describe('planCopy', () => {
  it("copies what the review app lacks, never the parent's resources, its own addons' names or the action's state", () => {
    const child = [{ name: 'SECRET_KEY_BASE', value: 'edited' }]
    const plan = planCopy(parent, child, ['DATABASE_URL', 'SCALINGO_POSTGRESQL_URL'], ['REVIEW_APP_AFTER_CREATE'])
    expect(plan.copy.map(v => v.name)).toEqual(['APP_DB_URL', 'SCALINGO_PYTHON_VERSION'])
    expect(plan.excluded.sort()).toEqual(['DATABASE_URL', 'PGPASSWORD', 'REPLICA_URL', 'SCALINGO_POSTGRESQL_URL'])
  })

  it('without addons on the review app (addons: none), still nothing that holds the parent database', () => {
    const plan = planCopy(parent, [], [], [])
    const copied = plan.copy.map(v => v.value).join('\n')
    expect(copied).not.toContain('s3cr3tpassw0rd')
    expect(plan.excluded).toContain('SCALINGO_POSTGRESQL_URL')
    // An alias is copied as an alias: on the review app it resolves to nothing of the parent's.
    expect(plan.copy.find(v => v.name === 'DATABASE_URL')?.value).toBe('$SCALINGO_POSTGRESQL_URL')
  })

  it('a list answered with aliases resolved (aliases ignored by the API) still keeps the parent URL out', () => {
    const resolved = parent.map(v => (v.value.includes('SCALINGO_POSTGRESQL_URL') ? { ...v, value: DB } : v))
    const plan = planCopy(resolved, [], [], [])
    expect(plan.copy.map(v => v.value).join('\n')).not.toContain('s3cr3tpassw0rd')
    expect(plan.excluded.sort()).toEqual([
      'APP_DB_URL',
      'DATABASE_URL',
      'PGPASSWORD',
      'REPLICA_URL',
      'SCALINGO_POSTGRESQL_URL'
    ])
  })

  it('marks: the addon URLs, their passwords and user:password@host, only from SCALINGO_* URL variables', () => {
    const { names, marks } = parentResourceMarks(parent)
    expect(names).toEqual(['SCALINGO_POSTGRESQL_URL'])
    expect(marks).toContain(DB)
    expect(marks).toContain('s3cr3tpassw0rd')
    expect(marks.some(m => m.startsWith('shop_staging_42:s3cr3tpassw0rd@'))).toBe(true)
  })
})

describe('pointingAtParent', () => {
  it("finds the review app's values holding the parent's addon URLs or passwords, not its own", () => {
    const child = [
      { name: 'SCALINGO_POSTGRESQL_URL', value: DB },
      { name: 'OWN_URL', value: 'postgres://review_1:otherpassword1@review.db:5432/r' },
      { name: 'PGPASSWORD', value: 's3cr3tpassw0rd' },
      { name: 'DATABASE_URL', value: '$SCALINGO_POSTGRESQL_URL' }
    ]
    expect(pointingAtParent(child, parent).map(v => v.name)).toEqual(['SCALINGO_POSTGRESQL_URL', 'PGPASSWORD'])
  })
})

describe('reviewVariableWrites', () => {
  it('the copy, then overrides where they differ from the review app', () => {
    const child = [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' }
    ]
    const writes = reviewVariableWrites(
      child,
      [{ name: 'C', value: 'from-parent' }],
      [
        { name: 'A', value: '1' },
        { name: 'B', value: 'changed' },
        { name: 'C', value: 'override' }
      ]
    )
    expect(writes).toEqual([
      { name: 'C', value: 'override' },
      { name: 'B', value: 'changed' }
    ])
  })
})

describe('pull requests', () => {
  const base = { owner: 'acme', repo: 'shop' }
  const pr = (head: unknown, extra: Record<string, unknown> = {}): unknown => ({
    number: 3,
    state: 'open',
    head: { sha: 'a'.repeat(40), ref: 'x', repo: head },
    base: { repo: { full_name: 'acme/shop' } },
    ...extra
  })
  it('a fork is a head repository other than the base (case aside), or a deleted one', () => {
    expect(isFork(readPullRequest(pr({ full_name: 'acme/shop' }), 'opened', base))).toBe(false)
    expect(isFork(readPullRequest(pr({ full_name: 'ACME/Shop' }), 'opened', base))).toBe(false)
    expect(isFork(readPullRequest(pr({ full_name: 'mallory/shop' }), 'opened', base))).toBe(true)
    expect(isFork(readPullRequest(pr(null), 'opened', base))).toBe(true)
  })
  it('closed by its event action or its state; no head SHA is an error', () => {
    expect(readPullRequest(pr({ full_name: 'acme/shop' }), 'closed', base).closed).toBe(true)
    expect(readPullRequest(pr({ full_name: 'acme/shop' }, { state: 'closed' }), '', base).closed).toBe(true)
    expect(() => readPullRequest({ number: 3, head: { sha: 'main' } }, '', base)).toThrow('has no head commit SHA')
  })
})

describe('reviewStatus', () => {
  const r = (over: object): ReturnType<typeof newReviewReport> => ({ ...newReviewReport(), ...over })
  it.each([
    [{ status: 'success', deployed: true }, 'success'],
    [{ status: 'build-error', deployed: true, error: 'x' }, 'failed'],
    [{ status: 'success', deployed: true, error: 'after-create: exited with 1' }, 'failed'],
    [{ status: 'skipped', deployed: true }, 'skipped'],
    [{ status: 'skipped', deployed: true, afterCreate: 'ran on one-off-1: exit 0' }, 'success'],
    [{ outcome: 'destroyed' }, 'destroyed'],
    [{ outcome: 'skipped' }, 'skipped'],
    [{ error: 'Input x' }, 'failed'],
    [{ status: 'crashed', deployed: true }, 'failed']
  ])('%j → %s', (over, expected) => {
    expect(reviewStatus(r(over))).toBe(expected)
  })
})

describe('reviewCommentMarkdown', () => {
  it('on failure, the telling line inside a code span, longer fences than its backticks', () => {
    const md = reviewCommentMarkdown(
      {
        ...newReviewReport(),
        app: 'shop-pr1',
        sha: 'b'.repeat(40),
        status: 'build-error',
        deployed: true,
        error: 'E: ``` [x](https://evil) <b>'
      },
      'https://dashboard.scalingo.com/apps/osc-fr1/shop-pr1'
    )
    expect(md).toContain('bbbbbbb')
    expect(md).not.toContain('b'.repeat(8))
    expect(md).toContain('**Error:** ````E: ``` [x](https://evil) <b>````')
  })
})

describe('providedNames', () => {
  it('the SCALINGO_*_URL of each provider, and the alias its addon sets', async () => {
    const { providedNames } = await import('../../src/stages/review/addons.js')
    expect(providedNames(['postgresql', 'scalingo-redis', 'mongodb', 'unknown-db'])).toEqual([
      'SCALINGO_POSTGRESQL_URL',
      'DATABASE_URL',
      'SCALINGO_REDIS_URL',
      'REDIS_URL',
      'SCALINGO_MONGODB_URL',
      'SCALINGO_MONGO_URL',
      'MONGO_URL',
      'SCALINGO_UNKNOWN_DB_URL'
    ])
  })
})
