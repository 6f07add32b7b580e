import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseAddons, readReviewAppSettings, reviewAppName } from '../../src/settings/reviewapp.js'

const TOKEN = 'tk-us-unit-0123456789'

function eventFile(payload: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'review-unit-')), 'event.json')
  writeFileSync(path, JSON.stringify(payload))
  return path
}

const PR = {
  action: 'synchronize',
  pull_request: {
    number: 12,
    state: 'open',
    head: { sha: 'C0FFEE0000000000000000000000000000000001', ref: 'feature/x', repo: { full_name: 'acme/shop' } },
    base: { repo: { full_name: 'acme/shop' } }
  }
}

function read(
  inputs: Record<string, string>,
  env: Record<string, string> = {}
): ReturnType<typeof readReviewAppSettings> {
  const all: Record<string, string> = { parent: 'shop-staging', 'api-token': TOKEN, 'github-token': 'ghs_x', ...inputs }
  return readReviewAppSettings(name => all[name] ?? '', {
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventFile(PR),
    ...env
  })
}

describe('reviewAppName', () => {
  it('is <parent>-pr<number> when it fits in 32 characters', () => {
    expect(reviewAppName('shop-staging', 12)).toBe('shop-staging-pr12')
    expect(reviewAppName('a'.repeat(27), 12)).toBe(`${'a'.repeat(27)}-pr12`)
  })
  it('cuts the parent part, keeps -pr<number>, and never leaves a hyphen at the cut', () => {
    expect(reviewAppName('a'.repeat(28), 12)).toBe(`${'a'.repeat(27)}-pr12`)
    // The cut would fall right after a hyphen: it goes, no double hyphen.
    expect(reviewAppName('acme-storefront-staging-west', 12345)).toBe('acme-storefront-staging-pr12345')
    expect(reviewAppName('abcdefghijklmnopqrstuvwxyza-bcd', 1)).toBe('abcdefghijklmnopqrstuvwxyza-pr1')
    for (const n of [1, 99, 1234, 99999]) {
      const name = reviewAppName('my-very-long-parent-app-name-in-the-build-account', n)
      expect(name.length).toBeLessThanOrEqual(32)
      expect(name).toMatch(new RegExp(`[a-z0-9]-pr${n}$`))
      expect(name).not.toContain('--')
    }
  })
})

describe('parseAddons', () => {
  it('copy by default, none, or provider:plan lines', () => {
    expect(parseAddons('')).toEqual({ kind: 'copy' })
    expect(parseAddons(' copy ')).toEqual({ kind: 'copy' })
    expect(parseAddons('none')).toEqual({ kind: 'none' })
    expect(parseAddons('postgresql:postgresql-starter-512\n# cache\n\nredis: redis-sandbox')).toEqual({
      kind: 'list',
      items: [
        { provider: 'postgresql', plan: 'postgresql-starter-512' },
        { provider: 'redis', plan: 'redis-sandbox' }
      ]
    })
  })
  it.each(['postgresql', 'postgresql:', ':plan', 'a:b:c', 'Postgre SQL:x', 'redis:a\nredis:b'])('refuses %j', v => {
    expect(() => parseAddons(v)).toThrow(/^Input 'addons': /)
  })
})

describe('readReviewAppSettings', () => {
  it('reads the pull request from the event, and the defaults', () => {
    const s = read({})
    expect(s.name).toBe('shop-staging-pr12')
    expect(s.pullRequest).toBe(12)
    expect(s.event).toMatchObject({ number: 12, headSha: 'c0ffee0000000000000000000000000000000001', closed: false })
    expect(s).toMatchObject({
      mode: 'auto',
      copyVariables: true,
      forks: false,
      comment: true,
      addons: { kind: 'copy' }
    })
    expect(s.behaviour.timeoutSeconds).toBe(3600)
    expect(s.behaviour).toMatchObject({ force: false, rollback: false, wait: true })
  })

  it('another number than the event: the pull request is read from the API later', () => {
    expect(read({ 'pull-request': '#7' }).event).toBeUndefined()
    expect(read({ 'pull-request': '7' }).name).toBe('shop-staging-pr7')
  })

  it.each([
    [{ 'pull-request': '0' }, {}, 'Input \'pull-request\': "0" is not a pull request number'],
    [{}, { GITHUB_EVENT_NAME: 'push' }, "Input 'pull-request': is required on push events"],
    [{ name: 'shop-staging' }, {}, "Input 'name': is the parent app"],
    [{ name: 'a--b-pr1' }, {}, 'Input \'name\': "a--b-pr1" is not a review-app name'],
    [{ 'after-create': 'x', wait: 'false' }, {}, "Input 'after-create': needs wait: true"],
    [{ forks: 'maybe' }, {}, "Input 'forks': must be true or false"],
    [{ parent: '' }, {}, "Input 'parent': is required"],
    [
      {},
      { GITHUB_EVENT_PATH: '/nonexistent/event.json' },
      "Input 'pull-request': this workflow runs on pull_request, but its event payload"
    ]
  ])('%j %j: %s', (inputs, env, message) => {
    expect(() => read(inputs, env)).toThrow(message)
  })
})
