import { mostTellingLine } from '../../src/report/log.js'
import { summaryMarkdown } from '../../src/report/summary.js'
import { dashboardUrl } from '../../src/scalingo/regions.js'

describe('report', () => {
  it('picks the build-log line that names the cause, not a generic trailer', () => {
    expect(
      mostTellingLine([
        '-----> Installing',
        'npm ERR! missing script: build',
        '',
        'npm ERR! A complete log…',
        '-----> done?'
      ])
    ).toBe('npm ERR! missing script: build')
    // The cause, not the trailers a buildpack ends with.
    expect(
      mostTellingLine([
        'npm ERR! code ERESOLVE',
        'npm ERR! ERESOLVE could not resolve dependency: peer react@"^17" from x@1.0.0',
        ' !     Push rejected, failed to compile Node.js app.',
        ' !     Push failed'
      ])
    ).toBe('npm ERR! ERESOLVE could not resolve dependency: peer react@"^17" from x@1.0.0')
    expect(mostTellingLine([' !     Push rejected, failed to compile', '       step'])).toBe(
      '!     Push rejected, failed to compile'
    )
    expect(mostTellingLine(['\u001b[31mError: Cannot find module x\u001b[0m', 'ok'])).toBe(
      'Error: Cannot find module x'
    )
    expect(mostTellingLine(['all', 'quiet'])).toBe('quiet')
    expect(mostTellingLine([])).toBeUndefined()
  })

  it("links the app's dashboard page as Scalingo's CLI does", () => {
    expect(dashboardUrl('osc-secnum-fr1', 'app')).toBe('https://dashboard.scalingo.com/apps/osc-secnum-fr1/app')
    expect(dashboardUrl('osc-fr1', 'my-app')).toBe('https://dashboard.scalingo.com/apps/osc-fr1/my-app')
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
      waited: true,
      stage: 'created',
      rolledBack: false
    })
    expect(md).toContain('### ✅ Scalingo deployment succeeded')
    expect(md).toContain(`| Commit | <code>v1&#46;2&#46;0</code> → <code>${'a'.repeat(40)}</code> |`)
    expect(md).toContain('| Duration | 1m35s |')
    expect(md).toContain('| App | [<code>my-app</code>](https://my-app.example) |')
  })

  it('summarizes a failure with the log tail, without breaking the code block', () => {
    const md = summaryMarkdown({
      app: 'a',
      region: 'osc-fr1',
      status: 'build-error',
      waited: true,
      stage: 'created',
      rolledBack: false,
      error: 'boom',
      logTail: ['x', '```', 'npm ERR! y']
    })
    expect(md).toContain('### ❌ Scalingo deployment build-error')
    expect(md).toContain('**Error:** `boom`')
    // The tail verbatim, in a fence longer than any backtick run in it.
    expect(md).toContain('````text\nx\n```\nnpm ERR! y\n````')
  })
})
