/**
 * End to end: the chat notification of all three actions, against the
 * sandbox's incoming webhook. One message per run, for each outcome; its
 * outside text inert for Slack and Mattermost; a dead or busy webhook
 * never changes the run's result.
 */
import {
  REVIEW_APP_ENTRY,
  RUN_ENTRY,
  SHA_MAIN,
  SHA_TAG,
  pullRequestEnv,
  runAction,
  startSandbox,
  webAnswers,
  type ActionRun,
  type RunOptions,
  type Sandbox,
  type SandboxOptions,
  type Step
} from '../../sandbox/index.js'
import { errorLines } from '../helpers.js'

const FAST: Step[] = [
  { afterMs: 30, status: 'building', log: ['-----> Building'] },
  { afterMs: 30, status: 'success', log: ['-----> Done'] }
]
const HEAD = 'c0ffee0000000000000000000000000000000007'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

async function start(opts: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await startSandbox({ ...opts, scalingo: { timeline: FAST, ...opts.scalingo } })
  return sandbox
}

/** The runner's environment, with the webhook, the actor and the run. */
function env(inputs: Record<string, string> = {}): Record<string, string> {
  return {
    ...sandbox.env({ 'notify-webhook': sandbox.webhook.url, ...inputs }),
    GITHUB_ACTOR: 'octocat',
    GITHUB_REF_NAME: 'main'
  }
}

function deploy(inputs: Record<string, string> = {}, more: Partial<RunOptions> = {}): Promise<ActionRun> {
  return runAction({ env: env(inputs), ...more })
}

/** The one message posted. */
function message(): string {
  expect(sandbox.webhook.texts).toHaveLength(1)
  return sandbox.webhook.texts[0]
}

const RUN_URL = (): string => `<${sandbox.github.serverUrl}/acme/shop/actions/runs/4242|workflow run>`

describe('the deploy action', () => {
  it('success: one JSON POST with the outcome, app, linked short commit, ref, actor without @, duration, links', async () => {
    await start()
    const run = await deploy({ ref: 'v1.2.0' })
    expect(run.code).toBe(0)
    const [post] = sandbox.webhook.posts
    expect(post.contentType).toMatch(/^application\/json/)
    expect(Object.keys(post.payload!)).toEqual(['text'])
    const text = message()
    const [head, links] = text.split('\n')
    expect(head).toMatch(
      new RegExp(
        `^✅ \\*my-app\\* deployed · <${sandbox.github.serverUrl}/acme/shop/commit/${SHA_TAG}\\|${SHA_TAG.slice(0, 7)}> · v1\\.2\\.0 · by octocat · \\d+s$`
      )
    )
    expect(links).toBe(`${RUN_URL()} · <https://my-app.osc-fr1.scalingo.io|app>`)
    expect(text).not.toContain('@octocat')
    expect(text.split('\n')).toHaveLength(2)
  })

  it("on a tag push with no ref input: the workflow's tag is the ref shown", async () => {
    await start()
    await runAction({ env: { ...env(), GITHUB_SHA: SHA_TAG, GITHUB_REF_NAME: 'v1.2.0', GITHUB_REF_TYPE: 'tag' } })
    expect(message()).toMatch(new RegExp(`\\|${SHA_TAG.slice(0, 7)}> · v1\\.2\\.0 · by octocat · `))
  })

  it('skipped, dry run, and notify-on: change and failure', async () => {
    await start()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success' })
    await deploy()
    expect(message()).toMatch(/^⏭️ \*my-app\* skipped: already live · /)
    await deploy({ 'notify-on': 'change' })
    await deploy({ 'notify-on': 'failure' })
    await deploy({ 'dry-run': 'true', 'notify-on': 'change' })
    expect(sandbox.webhook.posts).toHaveLength(1)
    await deploy({ 'dry-run': 'true' })
    expect(sandbox.webhook.texts[1]).toMatch(/^🧪 \*my-app\* dry run: everything checked, nothing deployed/)
  })

  it('a failed build: the status, and one more line with the telling line', async () => {
    await start({
      scalingo: {
        timeline: [
          { afterMs: 30, status: 'building', log: ['-----> Installing', 'npm ERR! missing script: build'] },
          { afterMs: 30, status: 'build-error' }
        ]
      }
    })
    const run = await deploy({ 'notify-on': 'failure' })
    expect(run.code).toBe(1)
    const lines = message().split('\n')
    expect(lines[0]).toMatch(/^❌ \*my-app\* failed \(build-error\) · /)
    expect(lines).toHaveLength(3)
    expect(lines[2]).toMatch(/^> .*npm ERR! missing script: build/)
  })

  it('a bad token, refused before Scalingo deploys anything: the chat is told', async () => {
    await start()
    const run = await deploy({ 'api-token': 'tk-us-refused-Zq8Lw2Rt6Yp4Xn1Vb7Mk' })
    expect(run.code).toBe(1)
    const lines = message().split('\n')
    expect(lines[0]).toMatch(/^❌ \*my-app\* failed · /)
    expect(lines[2]).toContain('the Scalingo API token was refused (401')
  })

  it('a failed health check rolled back: said so', async () => {
    await start({
      scalingo: {
        web: r => (r.live?.git_ref === SHA_MAIN ? { status: 500, body: 'boom' } : { status: 200, body: 'ok' })
      }
    })
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_TAG, status: 'success' })
    const run = await deploy({ 'health-check': '/health', 'health-check-timeout': '2s', rollback: 'true' })
    expect(run.code).toBe(1)
    expect(message()).toMatch(
      new RegExp(`^↩️ \\*my-app\\* health check failed: rolled back to ${SHA_TAG.slice(0, 7)} · `)
    )
  }, 40_000)

  it('cancelled (SIGTERM while following): the chat is still told', async () => {
    await start({
      scalingo: {
        timeline: [
          { afterMs: 100, status: 'building' },
          { afterMs: 20_000, status: 'success' }
        ]
      }
    })
    const run = await deploy(
      {},
      {
        onSpawn: child => {
          const timer = setInterval(() => {
            if (sandbox.scalingo.requests.some(r => r.method === 'POST' && r.path.endsWith('/deployments'))) {
              clearInterval(timer)
              setTimeout(() => child.kill('SIGTERM'), 300)
            }
          }, 20)
          child.on('exit', () => clearInterval(timer))
        }
      }
    )
    expect(run.code).toBe(1)
    expect(message()).toMatch(/^🛑 \*my-app\* cancelled · /)
  })
})

describe('untrusted text', () => {
  it('ref names and the telling line: no <, > or & of theirs, no mention, no link of theirs', async () => {
    const hostile =
      'boom <!channel> <!here> <@U024BE7LH> <https://evil.example|click here> & @channel @all [x](https://evil.example)'
    await start({
      scalingo: {
        timeline: [
          { afterMs: 30, status: 'building', log: [`ERROR ${hostile}`] },
          { afterMs: 30, status: 'build-error' }
        ]
      },
      github: { repos: { 'acme/shop': { visibility: 'public', branches: { 'feat/<!channel>-@here': SHA_MAIN } } } }
    })
    const run = await deploy({ ref: 'feat/<!channel>-@here' })
    expect(run.code).toBe(1)
    const [post] = sandbox.webhook.posts
    const text = post.payload!.text as string
    // Our own links only: every `<` opens one of ours.
    const ours = [...text.matchAll(/<([^>]*)>/g)].map(m => m[1])
    for (const link of ours) expect(link).toMatch(/^(https?:\/\/(127\.0\.0\.1|my-app\.osc-fr1)[^|]*)\|[a-z0-9 ]+$/)
    expect(text).not.toMatch(/<!|<@|<https:\/\/evil/)
    expect(text).toContain('&lt;!channel&gt;')
    expect(text).toContain('&lt;@\u200bU024BE7LH&gt;')
    expect(text).toContain(' &amp; ')
    // Every @ of theirs is followed by a zero-width space: Mattermost mentions nobody.
    expect(text.match(/@(?!\u200b)/g)).toBeNull()
    expect(text).toContain('feat/&lt;!channel&gt;-@\u200bhere')
    expect(text).toContain(']\u200b(https://evil.example)')
  })
})

describe('a webhook that fails', () => {
  it.each([
    [404, 'no_service', /the webhook answered 404: the webhook was removed, or its channel archived \(Slack\)/],
    [410, 'channel_is_archived', /the webhook answered 410/],
    [400, '{"id":"web.incoming_webhook.invalid.app_error"}', /the webhook answered 400: .*\(Mattermost\)/]
  ])('%i: a warning naming it, sent once, the run result unchanged', async (status, body, warning) => {
    await start({ webhook: { answers: [{ status, body }] } })
    const run = await deploy()
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('success')
    expect(errorLines(run)).toEqual([])
    expect(run.stdout).toMatch(new RegExp(`::warning::Could not tell the chat: ${warning.source}`))
    expect(sandbox.webhook.posts).toHaveLength(1)
  })

  it('429 then success: sent again once after Retry-After, no warning', async () => {
    await start({ webhook: { answers: [{ status: 429, body: 'rate_limited', headers: { 'Retry-After': '1' } }] } })
    const run = await deploy()
    expect(run.code).toBe(0)
    expect(run.stdout).not.toContain('::warning::Could not tell the chat')
    const [a, b] = sandbox.webhook.posts
    expect(sandbox.webhook.posts).toHaveLength(2)
    expect(b.at - a.at).toBeGreaterThanOrEqual(950)
    expect(b.body).toBe(a.body)
  })

  it('5xx twice: sent twice in all, 2 s apart, then a warning; the run still succeeds', async () => {
    await start({ webhook: { answers: [{ status: 503 }, { status: 502 }] } })
    const run = await deploy()
    expect(run.code).toBe(0)
    expect(sandbox.webhook.posts).toHaveLength(2)
    expect(sandbox.webhook.posts[1].at - sandbox.webhook.posts[0].at).toBeGreaterThanOrEqual(1900)
    expect(run.stdout).toContain('::warning::Could not tell the chat: the webhook answered 502')
  })

  it('refused before any request: plain http off loopback, or credentials; the URL never shown', async () => {
    await start()
    for (const url of [
      'http://hooks.example.com/services/T0/B0/secretsecretsecret',
      'https://user:pw@hooks.example.com/x'
    ]) {
      const run = await deploy({ 'notify-webhook': url })
      expect(run.code).toBe(1)
      expect(errorLines(run)[0]).toMatch(/^::error::Input 'notify-webhook': .*\(the URL is a secret: not shown\)$/)
      expect(run.stdout.replace(/::add-mask::.*\n/g, '')).not.toMatch(/secretsecretsecret|user:pw/)
    }
    expect(sandbox.scalingo.requests).toEqual([])
    expect(sandbox.webhook.posts).toEqual([])
  })

  it('notify-on must be always, failure or change', async () => {
    await start()
    const run = await deploy({ 'notify-on': 'sometimes' })
    expect(errorLines(run)).toEqual([
      '::error::Input \'notify-on\': must be always, failure or change, got "sometimes"'
    ])
    expect(sandbox.scalingo.requests).toEqual([])
  })
})

describe('the run action', () => {
  it.each([
    [0, /^✅ \*my-app\* one-off `rake db:seed` exited with 0 · /],
    [3, /^❌ \*my-app\* one-off `rake db:seed` exited with 3 · /]
  ])('exit %i', async (exit, expected) => {
    await start({ scalingo: { oneOff: { script: () => [{ afterMs: 20, output: 'ok\r\n', exit }] } } })
    const run = await runAction({ entry: RUN_ENTRY, env: env({ command: 'rake db:seed' }) })
    expect(run.code).toBe(exit === 0 ? 0 : 1)
    expect(message()).toMatch(expected)
    expect(message()).toContain(`<${sandbox.github.serverUrl}/acme/shop/commit/${SHA_MAIN}|${SHA_MAIN.slice(0, 7)}>`)
  })

  it('cancelled (SIGTERM while it runs): Ctrl-C sent, and the chat told', async () => {
    await start({
      scalingo: {
        oneOff: {
          script: () => [
            { afterMs: 50, output: 'long task\r\n' },
            { afterMs: 600_000, exit: 0 }
          ]
        }
      }
    })
    const run = await runAction({
      entry: RUN_ENTRY,
      env: env({ command: 'rake db:seed' }),
      onSpawn: child => {
        const timer = setInterval(() => {
          if (sandbox.scalingo.runService.oneOffs[0]?.written) {
            clearInterval(timer)
            child.kill('SIGTERM')
          }
        }, 20)
        child.on('exit', () => clearInterval(timer))
      }
    })
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('cancelled')
    expect(message()).toMatch(/^🛑 \*my-app\* one-off `rake db:seed` cancelled · /)
  })

  it('detached', async () => {
    await start()
    await runAction({ entry: RUN_ENTRY, env: env({ command: 'rake db:seed', detached: 'true' }) })
    expect(message()).toMatch(/^🚀 \*my-app\* one-off `rake db:seed` started, detached · /)
  })
})

describe('the review-app action', () => {
  function review(inputs: Record<string, string>, action = 'opened', headRepo?: string): Promise<ActionRun> {
    return runAction({
      entry: REVIEW_APP_ENTRY,
      env: {
        ...env({ parent: 'my-app', addons: 'none', ...inputs }),
        ...pullRequestEnv(sandbox.github, { headSha: HEAD, action, headRepo })
      }
    })
  }

  it('ready, then destroyed; a fork skipped', async () => {
    await start({ scalingo: { web: webAnswers.healthy } })
    expect((await review({})).code).toBe(0)
    expect(sandbox.webhook.texts[0]).toMatch(
      new RegExp(
        `^✅ \\*my-app-pr12\\* review app ready \\(pull request #12\\) · <[^|]+/commit/${HEAD}\\|c0ffee0> · feature/login · by octocat · `
      )
    )
    expect(sandbox.webhook.texts[0]).toContain(`<${sandbox.scalingo.webUrl}/|app>`)
    expect((await review({}, 'closed')).code).toBe(0)
    expect(sandbox.webhook.texts[1]).toMatch(/^🗑️ \*my-app-pr12\* review app destroyed \(pull request #12\)/)
    await review({}, 'opened', 'mallory/shop')
    expect(sandbox.webhook.texts[2]).toMatch(/^⏭️ \*my-app-pr12\* review app skipped \(pull request #12\): a fork/)
    expect(sandbox.webhook.posts).toHaveLength(3)
  })

  it('failed', async () => {
    await start({ scalingo: { childApps: { foreignApps: ['my-app-pr12'], foreignAnswer: 403 } } })
    const run = await review({})
    expect(run.code).toBe(1)
    const lines = message().split('\n')
    expect(lines[0]).toMatch(/^❌ \*my-app-pr12\* review app failed \(pull request #12\) · /)
    expect(lines[2]).toContain('is taken by an app this token cannot see')
  })
})
