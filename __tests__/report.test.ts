import { jest } from '@jest/globals'
import { dashboardUrl, lastLines, printBuildOutput, summaryMarkdown } from '../src/report.js'
import { registerSecret, resetSecretsForTests } from '../src/secrets.js'

function capture(fn: () => void): string {
  let out = ''
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk)
    return true
  })
  try {
    fn()
  } finally {
    spy.mockRestore()
  }
  return out
}

describe('report', () => {
  afterEach(() => resetSecretsForTests())

  it('keeps the last non-empty lines', () => {
    expect(lastLines('a\nb\nc\n\n', 2)).toEqual(['b', 'c'])
    expect(lastLines('a\r\nb', 5)).toEqual(['a', 'b'])
  })

  it('links the dashboard for known regions only', () => {
    expect(dashboardUrl('osc-secnum-fr1', 'app')).toBe('https://my.osc-secnum-fr1.scalingo.com/apps/app')
    expect(dashboardUrl('elsewhere', 'app')).toBeUndefined()
  })

  it('prints build output in a group, inside a stop-commands region, scrubbed', () => {
    registerSecret('leaky-password-123')
    const out = capture(() => printBuildOutput('one\n::error::two\nDB=leaky-password-123\n'))
    const lines = out.trim().split('\n')
    expect(lines[0]).toBe('::group::Build output (3 lines)')
    const token = /^::stop-commands::([0-9a-f]{32})$/.exec(lines[1])![1]
    expect(lines.slice(2, 5)).toEqual(['one', '::error::two', 'DB=***'])
    expect(lines[5]).toBe(`::${token}::`)
    expect(lines[6]).toBe('::endgroup::')
  })

  it('uses a fresh stop token each time (a log cannot guess it)', () => {
    const a = capture(() => printBuildOutput('x'))
    const b = capture(() => printBuildOutput('x'))
    expect(a).not.toBe(b)
  })

  it('summarizes a success', () => {
    const md = summaryMarkdown({
      app: 'my-app',
      region: 'osc-fr1',
      repository: 'acme/shop',
      ref: 'v1.2.0',
      sha: 'a'.repeat(40),
      status: 'success',
      durationSeconds: 95,
      deploymentId: 'd1',
      appUrl: 'https://my-app.example',
      archiveUrl: 'https://github.com/acme/shop/archive/x.tar.gz',
      waited: true
    })
    expect(md).toContain('### ✅ Scalingo deployment succeeded')
    expect(md).toContain(`| Commit | \`v1.2.0\` → \`${'a'.repeat(40)}\` |`)
    expect(md).toContain('| Duration | 1m35s |')
    expect(md).toContain('| App | [my-app](https://my-app.example) |')
  })

  it('summarizes a failure with the log tail, without breaking the code block', () => {
    const md = summaryMarkdown({ app: 'a', region: 'osc-fr1', status: 'build-error', waited: true, error: 'boom', logTail: ['x', '```', 'npm ERR! y'] })
    expect(md).toContain('### ❌ Scalingo deployment build-error')
    expect(md).toContain('**Error:** boom')
    expect(md).toContain("x\n'''\nnpm ERR! y")
  })
})
