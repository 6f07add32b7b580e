import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { systemClock } from '../../src/lib/clock.js'
import { registerSecret } from '../../src/lib/secrets.js'
import { chatEscape, chatLink, chatText, deployNotice, postToChat, wanted } from '../../src/report/notify.js'
import { newReport } from '../../src/report/report.js'

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
