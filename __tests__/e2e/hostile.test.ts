/**
 * End to end: what a hostile answer, build log or workspace file can still
 * try. The build log is written by the app's code, answers can be cut or
 * mangled by proxies, and pull-request authors control files in the
 * workspace: each case must end in a clear line, with nothing leaked,
 * nothing forged and nothing obeyed.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { marked } from 'marked'
import {
  DEFAULT_GITHUB_TOKEN,
  SHA_MAIN,
  makeTarGz,
  runAction,
  startSandbox,
  type Sandbox
} from '../../sandbox/index.js'
import { errorLines, leaks, obeyedCommands, posts, readable } from '../helpers.js'

let sandbox: Sandbox
let elsewhere: Server | undefined
const seenElsewhere: { path: string; authorization?: string }[] = []
afterEach(async () => {
  await sandbox?.close()
  if (elsewhere) await new Promise(r => elsewhere!.close(r))
  elsewhere = undefined
  seenElsewhere.length = 0
})

/** Another origin, recording who calls it and with what. */
async function startElsewhere(): Promise<string> {
  elsewhere = createServer((req, res) => {
    seenElsewhere.push({ path: req.url ?? '', authorization: req.headers.authorization })
    res.writeHead(200, { 'Content-Type': 'text/plain' })
    res.end('-----> a log from elsewhere\n')
  })
  await new Promise<void>(r => elsewhere!.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`
}

function workspace(): string {
  return mkdtempSync(join(tmpdir(), 'workspace-'))
}

describe('a 2xx answer that is not clean JSON is never quoted', () => {
  it('the token exchange: a stray brace after the bearer — a clear error, the bearer never shown', async () => {
    const bearer = 'eyJhbGciOiJIUzUxMiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2VjcmV0LWJlYXJlci1zaWduYXR1cmU'
    sandbox = await startSandbox({
      scalingo: {
        faults: [
          {
            path: '/v1/tokens/exchange',
            status: 200,
            headers: { 'Content-Type': 'application/json' },
            body: `{"token":"${bearer}"}}`
          }
        ]
      }
    })
    sandbox.scalingo.secrets.push(bearer)
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/answered 200: expected JSON, got a body that is not JSON \(application\/json, \d+ bytes\)/)
    ])
    expect(leaks(run, [bearer, 'c2VjcmV0LWJlYXJlci1zaWduYXR1cmU'])).toEqual([])
    expect(posts(sandbox)).toBe(0)
  })

  it('the token exchange with a leading BOM is read', async () => {
    sandbox = await startSandbox()
    const res = await fetch(`${sandbox.scalingo.authUrl}/v1/tokens/exchange`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`:${sandbox.scalingo.apiTokens[0]}`).toString('base64')}` }
    })
    const body = `\uFEFF${await res.text()}`
    sandbox.scalingo.faults = [
      { path: '/v1/tokens/exchange', status: 200, headers: { 'Content-Type': 'application/json' }, body }
    ]
    const run = await runAction({ env: sandbox.env({ wait: 'false' }) })
    expect(errorLines(run)).toEqual([])
    expect(run.code).toBe(0)
  })

  it('the sources API cut short: its signed URLs are never shown, and nothing is uploaded', async () => {
    const signature = 'X-Amz-Signature=0123456789abcdef0123456789abcdef-source'
    sandbox = await startSandbox({
      scalingo: {
        faults: [
          {
            method: 'POST',
            path: '/v1/sources',
            status: 201,
            headers: { 'Content-Type': 'application/json' },
            body: `{"source":{"upload_url":"https://storage.example.com/up?${signature}","download_url":"https://storage.example.com/down?${signature}`
          }
        ]
      }
    })
    sandbox.scalingo.secrets.push(signature)
    const dir = workspace()
    writeFileSync(join(dir, 'build.tar.gz'), makeTarGz('build', { 'package.json': '{}' }))
    const run = await runAction({ env: { ...sandbox.env({ 'archive-path': 'build.tar.gz' }), GITHUB_WORKSPACE: dir } })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toMatch(/POST .*\/v1\/sources answered 201: expected JSON, got a body that is not JSON/)
    expect(leaks(run, [signature, 'storage.example.com/up'])).toEqual([])
    expect(posts(sandbox)).toBe(0)
  })

  it("the app's variables with a stray brace: not one value shown, not even one we never mask", async () => {
    const databaseUrl = 'postgres://admin:VeryPrivatePassw0rd@db.internal:5432/shop'
    sandbox = await startSandbox({
      scalingo: {
        faults: [
          {
            method: 'GET',
            path: /\/variables$/,
            times: 10,
            status: 200,
            headers: { 'Content-Type': 'application/json' },
            body: `{"variables":[{"id":"v1","name":"DATABASE_URL","value":"${databaseUrl}"}]}}`
          }
        ]
      }
    })
    sandbox.scalingo.secrets.push(databaseUrl, 'VeryPrivatePassw0rd')
    const run = await runAction({ env: sandbox.env({ variables: 'FEATURE=on' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toMatch(/\/variables answered 200: expected JSON, got a body that is not JSON/)
    expect(leaks(run, [databaseUrl, 'VeryPrivatePassw0rd'])).toEqual([])
  })
})

describe('the bearer goes only to the API', () => {
  it('a deployment output link on another origin gets no bearer: one warning, the deployment followed by status', async () => {
    const other = await startElsewhere()
    sandbox = await startSandbox({
      scalingo: {
        stream: { mode: 'absent' },
        timeline: [
          { afterMs: 100, status: 'building', log: ['-----> Building'] },
          { afterMs: 300, status: 'build-error', log: [' !     failed'] }
        ],
        answers: { outputLink: d => `${other}/v1/apps/my-app/deployments/${d.id}/output` }
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('build-error')
    expect(seenElsewhere.filter(r => r.authorization)).toEqual([])
    const warnings = obeyedCommands(run.stdout).filter(l => l.startsWith('::warning'))
    expect(warnings).toEqual([expect.stringMatching(/not on the API's origin .*: not sending the bearer token there/)])
  })

  it('a stream link to another host is never dialled: one warning, polling', async () => {
    sandbox = await startSandbox({
      scalingo: { answers: { streamLink: (_app, standard) => standard.replace('127.0.0.1', 'localhost') } }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(sandbox.scalingo.streamConnections).toBe(0)
    expect(obeyedCommands(run.stdout).filter(l => l.startsWith('::warning'))).toEqual([
      expect.stringMatching(
        /deployment stream link \(ws:\/\/localhost:\d+\/apps\/my-app\) is not wss on the API's host/
      )
    ])
  })

  it('a malformed stream link never crashes the run: polling', async () => {
    sandbox = await startSandbox({ scalingo: { answers: { streamLink: () => 'wss://[::1' } } })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('success')
    expect(run.stderr).toBe('')
  })
})

describe('URLs taken from answers are checked before use', () => {
  it.each([
    [
      'plain http to another host',
      (u: string) => u.replace(/^http:\/\/127\.0\.0\.1:\d+/, 'http://codeload.example.com')
    ],
    ['credentials in it', (u: string) => u.replace('http://', 'http://user:pass@')]
  ])("GitHub's tarball redirect with %s: the run stops, nothing downloaded or deployed", async (_n, twist) => {
    sandbox = await startSandbox({ github: { tarballLocation: twist } })
    const run = await runAction({ env: sandbox.env({ repository: 'acme/secret-shop' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toMatch(
      /GitHub's tarball endpoint for acme\/secret-shop redirected to a URL that cannot be used/
    )
    expect(sandbox.github.requests.filter(r => r.server === 'codeload')).toHaveLength(0)
    expect(posts(sandbox)).toBe(0)
  })

  it('an upload URL over plain http to another host: the archive is never PUT there', async () => {
    const other = await startElsewhere()
    sandbox = await startSandbox({
      scalingo: {
        answers: {
          sourceUrls: s => ({
            ...s,
            upload_url: s.upload_url.replace(/^http:\/\/127\.0\.0\.1:\d+/, 'http://uploads.example.com')
          })
        }
      }
    })
    const dir = workspace()
    writeFileSync(join(dir, 'build.tar.gz'), makeTarGz('build', { 'package.json': '{}' }))
    const run = await runAction({ env: { ...sandbox.env({ 'archive-path': 'build.tar.gz' }), GITHUB_WORKSPACE: dir } })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toMatch(
      /sources API answered an upload_url that cannot be used: it is not https \(http:\/\/uploads\.example\.com\)/
    )
    expect(sandbox.scalingo.requests.filter(r => r.method === 'PUT')).toHaveLength(0)
    expect(seenElsewhere).toHaveLength(0)
    void other
  })
})

describe('files of the workspace, and errors that quote nothing', () => {
  it('an env-file error names the line, never its text (a pasted connection string with a stray quote)', async () => {
    sandbox = await startSandbox()
    const dir = workspace()
    writeFileSync(join(dir, '.env'), 'A=1\nDATABASE_URL="postgres://user:Sup3rSecretPw@host/db?sslmode=require\nB=2\n')
    const run = await runAction({ env: { ...sandbox.env({ 'env-file': '.env' }), GITHUB_WORKSPACE: dir } })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      "::error::Input 'env-file': line 2 has an unterminated double quote (the value of DATABASE_URL)"
    ])
    expect(readable(run)).not.toContain('Sup3rSecretPw')
    expect(sandbox.scalingo.requests).toHaveLength(0)
  })

  it('a variables error names the line, never its text', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ variables: 'OK=1\npostgres://user:An0therSecret@host/db' }) })
    expect(errorLines(run)).toEqual(["::error::Input 'variables': line 2 is not NAME=value"])
    expect(readable(run)).not.toContain('An0therSecret')
  })

  it('an archive-path that is a symlink pointing out of the workspace is refused before anything is sent', async () => {
    sandbox = await startSandbox()
    const root = mkdtempSync(join(tmpdir(), 'runner-'))
    mkdirSync(join(root, 'workspace'))
    writeFileSync(join(root, 'outside.tar.gz'), makeTarGz('build', { 'secret.txt': 'outside' }))
    symlinkSync(join(root, 'outside.tar.gz'), join(root, 'workspace', 'build.tar.gz'))
    const run = await runAction({
      env: { ...sandbox.env({ 'archive-path': 'build.tar.gz' }), GITHUB_WORKSPACE: join(root, 'workspace') }
    })
    expect(errorLines(run)).toEqual(["::error::Input 'archive-path': must be a file inside the workspace"])
    expect(sandbox.scalingo.requests).toHaveLength(0)
  })
})

describe('file names are outside text too', () => {
  it('an archive-path whose real path holds a line break and a command prints one inert line', async () => {
    sandbox = await startSandbox()
    const dir = workspace()
    const odd = join(dir, 'a\n::warning::pwned from a path')
    mkdirSync(odd)
    writeFileSync(join(odd, 'build.tar.gz'), makeTarGz('build', { 'package.json': '{}' }))
    symlinkSync(join(odd, 'build.tar.gz'), join(dir, 'build.tar.gz'))
    const run = await runAction({
      env: { ...sandbox.env({ 'archive-path': 'build.tar.gz', 'dry-run': 'true' }), GITHUB_WORKSPACE: dir }
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('::warning::pwned from a path/build.tar.gz')
    expect(obeyedCommands(run.stdout).filter(l => l.includes('pwned'))).toEqual([])
  })
})

describe('masking that bites', () => {
  it('registers each secret as is, URL-encoded and line by line, and the GitHub token', async () => {
    sandbox = await startSandbox()
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----'
    const dir = workspace()
    writeFileSync(join(dir, '.env'), `PASSWORD=p@ss w/rd+123\nKEY="${pem.replace(/\n/g, '\\n')}"\n`)
    const run = await runAction({
      env: { ...sandbox.env({ 'env-file': '.env', 'dry-run': 'true' }), GITHUB_WORKSPACE: dir }
    })
    expect(run.code).toBe(0)
    const masks = run.stdout.split('\n').filter(l => l.startsWith('::add-mask::'))
    // The runner's own escaping of % in command data: %40 is written %2540.
    expect(masks).toContain('::add-mask::p@ss w/rd+123')
    expect(masks).toContain('::add-mask::p%2540ss%2520w%252Frd%252B123')
    expect(masks).toContain('::add-mask::MIIEvQIBADANBgkqhkiG9w0BAQEFAASC')
    expect(masks).toContain('::add-mask::BKcwggSjAgEAAoIBAQC7')
    expect(masks).toContain(`::add-mask::${DEFAULT_GITHUB_TOKEN}`)
  })
})

describe('injection', () => {
  const hostile = [
    '# A heading from the build',
    '<img src="https://evil.example/x.png" onerror="alert(1)"> <b>bold</b> <script>alert(1)</script>',
    '[click me](https://evil.example/phish) ![tracker](https://evil.example/t.png) https://evil.example/auto',
    '```',
    ' !     ERROR: [a link](https://evil.example/e) <img src=https://evil.example/e.png> ## not a heading'
  ]

  it('the job summary renders the build log, the telling line and API messages as inert text', async () => {
    sandbox = await startSandbox({
      scalingo: {
        timeline: [
          { afterMs: 100, status: 'building', log: hostile },
          { afterMs: 200, status: 'build-error' }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    const html = await marked.parse(run.summary, { gfm: true })
    expect(html).not.toMatch(/<(img|script|b)\b/)
    expect(html).not.toMatch(/href="https:\/\/evil|src="https:\/\/evil/)
    expect(html.match(/<h\d/g)).toEqual(['<h3']) // our own headline only
    expect(run.summary).toContain('A heading from the build')
  })

  it('a status with line breaks and commands is shown quoted, counted as a failure, and obeyed nowhere', async () => {
    const status = 'success\n::add-mask::my-app\n::warning::pwned\n##[error]pwned too'
    sandbox = await startSandbox({
      scalingo: {
        timeline: [
          { afterMs: 100, status: 'building', log: ['-----> Building'] },
          { afterMs: 200, status }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    // Our one error line carries the status as escaped data; nothing it holds became a command of its own.
    const obeyed = obeyedCommands(run.stdout)
    expect(
      obeyed.filter(l => l.startsWith('::warning') || l === '::add-mask::my-app' || l.includes('##[error]'))
    ).toEqual([])
    expect(obeyed.filter(l => l.startsWith('::error'))).toHaveLength(1)
    expect(run.outputs.status).toMatch(/^"success ::add-mask::my-app ::warning::pwned ##\[error\]pwned/)
    expect(errorLines(run)[0]).toContain('treated as a failure')
  })

  it('outside text in our own lines (a created_at with commands) is one inert line', async () => {
    sandbox = await startSandbox({ scalingo: { apps: { 'my-app': {}, 'my-app-staging': {} } } })
    const live = sandbox.scalingo.seedDeployment('my-app-staging', { git_ref: SHA_MAIN, status: 'success' })
    const json = JSON.stringify({
      deployment: {
        id: live.id,
        status: 'success',
        git_ref: SHA_MAIN,
        created_at: '2026\n::warning::pwned\n##[error]pwned too'
      }
    })
    sandbox.scalingo.faults = [
      {
        method: 'GET',
        path: `/deployments/${live.id}`,
        times: 10,
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        body: json
      }
    ]
    const run = await runAction({ env: sandbox.env({ 'promote-from': 'my-app-staging', 'dry-run': 'true' }) })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`Promoting ${SHA_MAIN} from my-app-staging`)
    expect(obeyedCommands(run.stdout).filter(l => /pwned/.test(l))).toEqual([])
  })
})

describe('answers not to be trusted as given', () => {
  it('a deployment answer about another deployment is rejected, clearly', async () => {
    sandbox = await startSandbox({ scalingo: { stream: { mode: 'absent' } } })
    sandbox.scalingo.faults = [
      {
        method: 'GET',
        path: /\/deployments\/[0-9a-f]+$/,
        times: 100,
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ deployment: { id: 'someone-elses', status: 'success' } })
      }
    ]
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/Scalingo answered GET deployment [0-9a-f]+ with another deployment \("someone-elses"\)/)
    ])
    expect(run.outputs.status).not.toBe('success')
  })

  it('a deployment list in no particular order: what runs and what is ours are still found by date', async () => {
    sandbox = await startSandbox({
      scalingo: {
        listOrder: 'shuffled',
        faults: [{ method: 'POST', path: '/deployments', action: 'process-then-reset' }]
      }
    })
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'build-error', ageMs: 30_000 })
    sandbox.scalingo.seedDeployment('my-app', { git_ref: 'older', status: 'success', ageMs: 90_000 })
    const run = await runAction({ env: sandbox.env() })
    expect(errorLines(run)).toEqual([])
    const ours = sandbox.scalingo
      .allDeployments()
      .filter(d => d.git_ref === SHA_MAIN)
      .pop()!
    expect(run.outputs['deployment-id']).toBe(ours.id)
    expect(posts(sandbox)).toBe(1)
  })

  it('NODE_TLS_REJECT_UNAUTHORIZED=0 in the job gets one warning naming it', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: { ...sandbox.env({ 'dry-run': 'true' }), NODE_TLS_REJECT_UNAUTHORIZED: '0' } })
    expect(run.code).toBe(0)
    expect(obeyedCommands(run.stdout).filter(l => l.includes('NODE_TLS_REJECT_UNAUTHORIZED'))).toEqual([
      expect.stringMatching(
        /^::warning::NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the job environment: TLS certificates are not checked/
      )
    ])
  })
})
