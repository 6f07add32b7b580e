import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { systemClock } from '../../src/lib/clock.js'
import { registerSecret } from '../../src/lib/secrets.js'
import {
  chatEscape,
  chatLink,
  chatText,
  deployNotice,
  oneOffNotice,
  postToChat,
  reviewNotice,
  wanted
} from '../../src/report/notify.js'
import { newOneOffReport } from '../../src/report/oneoff.js'
import { newReport } from '../../src/report/report.js'
import { newReviewReport } from '../../src/report/reviewapp.js'

describe('chatEscape', () => {
  it("escapes Slack's three control characters, breaks @ mentions and Markdown links, keeps one line", () => {
    expect(chatEscape('a <!channel> & <@U1|x>\n@here [t](https://e) ok')).toBe(
      'a &lt;!channel&gt; &amp; &lt;@\u200bU1|x&gt; @\u200bhere [t]\u200b(https://e) ok'
    )
  })
  it('scrubs a secret before cutting, so no part of it survives the cut', () => {
    registerSecret('s3cr3t-notify-value-xyz')
    const out = chatEscape(`${'x'.repeat(190)} s3cr3t-notify-value-xyz`, 200)
    expect(out).not.toContain('s3cr3t')
    expect(chatEscape('token s3cr3t-notify-value-xyz')).toBe('token ***')
  })
})

describe('chatLink', () => {
  it('links plain http(s) URLs only; anything else is its label', () => {
    expect(chatLink('https://app.example/x', 'app')).toBe('<https://app.example/x|app>')
    expect(chatLink('https://app.example/x|evil>', 'app')).toBe('app')
    expect(chatLink('javascript:alert(1)', 'app')).toBe('app')
    expect(chatLink(undefined, '<b>')).toBe('&lt;b&gt;')
  })
})

describe('wanted', () => {
  it.each([
    ['always', 'skipped', true],
    ['failure', 'success', false],
    ['failure', 'failure', true],
    ['change', 'skipped', false],
    ['change', 'neutral', false],
    ['change', 'success', true]
  ] as const)('%s + %s → %s', (on, outcome, expected) => {
    expect(wanted(on, outcome)).toBe(expected)
  })
})

describe('chatText', () => {
  it('a deployment that failed: the failure line last, quoted', () => {
    const r = { ...newReport(), app: 'shop', status: 'build-error', error: 'npm ERR! <x>' }
    const text = chatText(deployNotice(r), {
      env: {
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_RUN_ID: '9',
        GITHUB_SHA: 'a'.repeat(40)
      },
      durationMs: 61_000
    })
    expect(text).toBe(
      [
        `❌ *shop* failed (build-error) · <https://github.com/acme/shop/commit/${'a'.repeat(40)}|aaaaaaa> · 1m1s`,
        '<https://github.com/acme/shop/actions/runs/9|workflow run>',
        '> npm ERR! &lt;x&gt;'
      ].join('\n')
    )
  })
})

describe('postToChat', () => {
  it('a webhook that never answers: given up within the budget, a warning, never a throw', async () => {
    const server = createServer(() => undefined)
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
    // Unbounded, this would hang until jest's timeout below.
    const result = await postToChat(url, 'hi', { clock: systemClock, budgetMs: 400 })
    server.closeAllConnections()
    server.close()
    expect(result).toBe('failed')
  }, 5_000)
})

describe('each outcome says what happened', () => {
  const one = (status: string, exitCode?: number): string => {
    const n = oneOffNotice({
      ...newOneOffReport(),
      app: 'shop',
      command: 'rake db:seed',
      status: status as never,
      exitCode
    })
    return `${n.emoji} ${n.outcome} ${n.happened}`
  }
  it.each([
    ['success', 0, '✅ success one-off `rake db:seed` exited with 0'],
    ['failed', 3, '❌ failure one-off `rake db:seed` exited with 3'],
    ['detached', undefined, '🚀 success one-off `rake db:seed` started, detached'],
    ['timed-out', undefined, '⏱️ failure one-off `rake db:seed` stopped at the timeout'],
    ['cancelled', undefined, '🛑 failure one-off `rake db:seed` cancelled'],
    ['inactive', undefined, '💤 failure one-off `rake db:seed` stopped for inactivity'],
    ['error', undefined, '❌ failure one-off `rake db:seed` could not run'],
    ['dry-run', undefined, '🧪 neutral dry run: one-off `rake db:seed` checked, not started']
  ])('run: %s', (status, code, expected) => {
    expect(one(status, code)).toBe(expected)
  })

  const dep = (over: object): string => {
    const n = deployNotice({ ...newReport(), app: 'shop', ...over })
    return `${n.emoji} ${n.outcome} ${n.happened}`
  }
  it.each([
    [{ status: 'success' }, '✅ success deployed'],
    [{ status: 'queued', waited: false }, '🚀 success deployment created (not followed)'],
    [{ status: 'building', timedOut: true, error: 'timeout' }, '⏱️ failure still building at the timeout'],
    [{ status: 'success', health: 'failed', error: 'health' }, '❌ failure deployed, but the health check failed'],
    [
      { rolledBack: true, previousSha: 'f'.repeat(40), error: 'x' },
      '↩️ failure health check failed: rolled back to fffffff'
    ],
    [{ error: 'cancelled (SIGTERM) before any deployment was created' }, '🛑 failure cancelled'],
    [{ skipped: 'live', status: 'skipped' }, '⏭️ skipped skipped: already live'],
    [{ plan: ['x'], status: 'dry-run' }, '🧪 neutral dry run: everything checked, nothing deployed']
  ])('deploy: %j', (over, expected) => {
    expect(dep(over)).toBe(expected)
  })

  const rev = (over: object): string => {
    const n = reviewNotice({ ...newReviewReport(), app: 'shop-pr3', pullRequest: 3, ...over })
    return `${n.emoji} ${n.outcome} ${n.happened}`
  }
  it.each([
    [{ status: 'success', deployed: true }, '✅ success review app ready (pull request #3)'],
    [{ outcome: 'destroyed' }, '🗑️ success review app destroyed (pull request #3)'],
    [{ outcome: 'skipped', note: 'fork' }, '⏭️ skipped review app skipped (pull request #3): a fork'],
    [{ status: 'skipped', deployed: true }, '⏭️ skipped review app skipped (pull request #3): already live'],
    [
      { status: 'build-error', deployed: true, error: 'x' },
      '❌ failure review app failed (pull request #3) (build-error)'
    ],
    [{ outcome: 'dry-run' }, '🧪 neutral review app dry run (pull request #3): nothing changed']
  ])('review-app: %j', (over, expected) => {
    expect(rev(over)).toBe(expected)
  })
})

describe('the one-off command in a message', () => {
  it('is scrubbed before it is cut: a secret across the cut shows in no part', () => {
    registerSecret('cmd-secret-value-0123456789')
    const command = `${'x'.repeat(63)} --token cmd-secret-value-0123456789`
    const n = oneOffNotice({ ...newOneOffReport(), app: 'shop', command, status: 'success' })
    expect(n.happened).not.toContain('cmd-sec')
    expect(chatText(n, { env: {}, durationMs: 0 })).not.toMatch(/cmd-s/)
  })
})
