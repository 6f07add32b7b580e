/**
 * End to end: scrub first, then cut, then print. A secret the build prints
 * across a cut (the annotation's telling line, the summary's tail lines,
 * the build log's per-line cap) never shows in part; error bodies are
 * decoded before they are scrubbed; a health check's query is never
 * printed; a summary cell renders whole, as text, whatever it holds.
 */
import { marked } from 'marked'
import { DEFAULT_API_TOKEN, SHA_MAIN, runAction, startSandbox, webAnswers, type Sandbox } from '../../sandbox/index.js'
import { errorLines, partialLeaks, posts, readable } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

const VARIABLE = 'variable-value-that-is-a-secret-0123456789'
const MAX_LINE = 64 * 1024

describe('a secret across a cut', () => {
  it('reaches neither the annotation, nor the summary, nor the log, not even in part', async () => {
    sandbox = await startSandbox({
      scalingo: {
        timeline: [
          { afterMs: 100, status: 'building', log: ['-----> Building'] },
          {
            afterMs: 50,
            log: [
              // The per-line cap of the build log falls inside the token.
              `${'z'.repeat(MAX_LINE - 20)}${DEFAULT_API_TOKEN} and more`,
              // The summary keeps 500 characters of a line: the cut falls inside the token.
              `${'x'.repeat(480)}${DEFAULT_API_TOKEN} tail`,
              // The annotation keeps 200 characters of the telling line: the cut falls inside the value.
              `npm ERR! ${'y'.repeat(171)}${VARIABLE} end`
            ]
          },
          { afterMs: 50, status: 'build-error' }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env({ variables: `SECRET_SETTING=${VARIABLE}` }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([expect.stringContaining('::error title=Scalingo build-error::')])
    expect(errorLines(run)[0]).toContain(`npm ERR! ${'y'.repeat(171)}`)
    expect(run.summary).toContain('x'.repeat(480))
    expect(run.stdout).toContain('[line cut: ')
    expect(partialLeaks(readable(run), [DEFAULT_API_TOKEN, VARIABLE])).toEqual([])
  })
})

describe('error bodies are decoded before they are scrubbed', () => {
  it('a JSON-escaped token in a body that is not JSON does not slip past', async () => {
    const escaped = DEFAULT_API_TOKEN.replace(/-/g, '\\u002d')
    sandbox = await startSandbox()
    sandbox.scalingo.faults = [
      {
        method: 'GET',
        path: '/v1/apps/my-app',
        status: 403,
        headers: { 'Content-Type': 'text/plain' },
        body: `{"error":"token ${escaped} has no access`
      }
    ]
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toContain('403')
    expect(partialLeaks(readable(run), [DEFAULT_API_TOKEN])).toEqual([])
  })

  it('a source-url token quoted with \\/ and \\u0026 in a JSON answer does not slip past', async () => {
    sandbox = await startSandbox()
    const signature = 'sig-0123456789abcdefXYZ'
    const sourceUrl = `${sandbox.github.serverUrl}/acme/shop/archive/${SHA_MAIN}.tar.gz?sig=${signature}&x=1`
    const quoted = JSON.stringify(sourceUrl).slice(1, -1).replace(/\//g, '\\/').replace(/&/g, '\\u0026')
    sandbox.scalingo.faults = [
      {
        method: 'POST',
        path: '/v1/apps/my-app/deployments',
        status: 422,
        headers: { 'Content-Type': 'application/json' },
        body: `{"errors":{"source_url":["${quoted} cannot be fetched"]}}`
      }
    ]
    const run = await runAction({ env: sandbox.env({ 'source-url': sourceUrl }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toContain('cannot be fetched')
    // The URL's query is the secret (its path is shown as the archive, without the query).
    expect(partialLeaks(readable(run), [signature, `sig=${signature}&x=1`])).toEqual([])
  })

  it('a refusal of the variables input does not call it env-file', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.faults = [
      { method: 'PUT', path: '/variables', status: 422, body: '{"errors":{"value":["is too long"]}}' }
    ]
    const run = await runAction({ env: sandbox.env({ variables: 'FEATURE=on' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toContain('Scalingo rejected the variables (from variables)')
    expect(readable(run)).not.toContain('env-file')
    expect(posts(sandbox)).toBe(0)
  })
})

describe("a health check's query string is never printed", () => {
  const key = 'probe-key-0123456789'

  it.each([
    ['a path', (_web: string) => `/health?key=${key}&deep=1`],
    ['a URL', (web: string) => `${web}/health?key=${key}`]
  ])('given as %s: not in the log, the summary or the outputs, passing or failing', async (_how, check) => {
    for (const web of [webAnswers.healthy, webAnswers.failing(503)]) {
      sandbox = await startSandbox({ scalingo: { web } })
      const inputs = { 'health-check': check(sandbox.scalingo.webUrl), 'health-check-timeout': '2s' }
      const run = await runAction({ env: sandbox.env(inputs) })
      const plan = await runAction({ env: sandbox.env({ ...inputs, 'dry-run': 'true' }) })
      expect(run.outputs.health).toBe(web === webAnswers.healthy ? 'ok' : 'failed')
      expect(plan.stdout).toContain('health check: GET ')
      for (const r of [run, plan]) {
        expect(readable(r)).not.toContain(key)
        expect(readable(r)).not.toContain('key=')
      }
      // The check itself did send the query.
      expect(sandbox.scalingo.requests.some(r => r.server === 'app-web' && r.path.includes(`key=${key}`))).toBe(true)
      await sandbox.close()
    }
  })
})

describe('a summary cell renders whole, as text, in one cell', () => {
  const hostile = 'dep\\|`x`|![i](https://evil.example/i.png)<img src=x> **b** \\ $m$ www.evil.example a@evil.example'

  it('whatever an API id holds: backslashes, pipes, backticks, HTML, Markdown', async () => {
    sandbox = await startSandbox({ scalingo: { answers: { deploymentId: () => hostile } } })
    const run = await runAction({ env: sandbox.env() })
    expect(run.outputs['deployment-id']).toBe(hostile)
    const html = await marked.parse(run.summary, { gfm: true })
    const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(m =>
      [...m[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map(c => c[1])
    )
    expect(rows.length).toBeGreaterThan(5)
    for (const cells of rows) expect(cells).toHaveLength(2)
    const deployment = rows.find(cells => cells[0] === 'Deployment')!
    expect(deployment[1]).toMatch(/^<code>[^<]*<\/code>$/)
    const text = deployment[1]
      .replace(/^<code>|<\/code>$/g, '')
      .replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)))
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
    expect(text).toBe(hostile)
    expect(html).not.toMatch(/<(img|strong|em|a href="https:\/\/evil|a href="http:\/\/www|a href="mailto)/)
  })
})
