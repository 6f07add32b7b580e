/**
 * End to end: archives that travel through Scalingo's sources API, a local
 * one (archive-path) or GitHub's private tarball (archive-transfer).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { SHA_MAIN, SHA_TAG, makeTarGz, runAction, startSandbox, type Sandbox } from '../../sandbox/index.js'
import { errorLines, leaks, posts, scalingoCalls } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

function workspaceWith(name: string, data: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'workspace-'))
  writeFileSync(join(dir, name), data)
  return dir
}

describe('archive-path', () => {
  it('checks, uploads (streamed, no Authorization) and deploys a local archive', async () => {
    sandbox = await startSandbox()
    const archive = makeTarGz('build', { 'package.json': '{"name":"x"}', 'public/app.js': 'console.log(1)' })
    const dir = workspaceWith('build.tar.gz', archive)
    const run = await runAction({ env: { ...sandbox.env({ 'archive-path': 'build.tar.gz' }), GITHUB_WORKSPACE: dir } })
    expect(errorLines(run)).toEqual([])
    expect(run.code).toBe(0)
    const put = sandbox.scalingo.requests.find(r => r.method === 'PUT' && r.path.startsWith('/sources-storage/'))!
    expect(put.headers['content-type']).toBe('application/x-gzip')
    expect(put.headers['content-length']).toBe(String(archive.length))
    expect(put.headers.authorization).toBeUndefined()
    const [src] = [...sandbox.scalingo.sources.values()]
    expect(src.data?.equals(archive)).toBe(true)
    const [d] = sandbox.scalingo.allDeployments()
    expect(d.source_url).toContain(`/download?token=${src.download}`)
    // An artifact of the workflow's commit, labelled so Scalingo's history tells it from a source archive.
    expect(d.git_ref).toBe(`${SHA_MAIN}-artifact`)
    expect(run.outputs.sha).toBe(SHA_MAIN)
    expect(d.status).toBe('success')
    expect(sandbox.github.requests.filter(r => r.server === 'github-api')).toHaveLength(0)
    expect(run.stdout).toContain(
      `Deploying the local archive ${join(dir, 'build.tar.gz')} (${archive.length} bytes, folder build/ at its root)`
    )
    expect(leaks(run, [src.upload, src.download, d.source_url])).toEqual([])
  })

  it.each([
    ['not gzip', Buffer.from('PK\u0003\u0004 a zip file'), /Input 'archive-path': is not a gzip file/],
    [
      'gzip but not tar',
      gzipSync(Buffer.from('just some text that is long enough '.repeat(40))),
      /Input 'archive-path': (is not a tar archive|could not be read)/
    ],
    ['two folders at the root', Buffer.concat([]), /Input 'archive-path': has 2 folders at its root/],
    ['files at the root', Buffer.concat([]), /Input 'archive-path': has files at its root \(package\.json\)/]
  ])('%s: a clear error before any request', async (name, data, message) => {
    sandbox = await startSandbox()
    let archive: Buffer = data
    if (name === 'two folders at the root') {
      const { gunzipSync } = await import('node:zlib')
      const t1 = gunzipSync(makeTarGz('one', { 'a.txt': 'a' }))
      const t2 = gunzipSync(makeTarGz('two', { 'b.txt': 'b' }))
      archive = gzipSync(Buffer.concat([t1.subarray(0, t1.length - 1024), t2]))
    }
    if (name === 'files at the root') {
      const { gunzipSync } = await import('node:zlib')
      const t = gunzipSync(makeTarGz('x', { 'package.json': '{}' }))
      // Rename the entry "x/package.json" to "package.json" at the root (header name field + checksum).
      const entry = Buffer.from(t.subarray(512, 1024))
      entry.fill(0, 0, 100)
      entry.write('package.json', 0)
      entry.fill(' ', 148, 156)
      let sum = 0
      for (const b of entry) sum += b
      entry.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
      archive = gzipSync(Buffer.concat([entry, t.subarray(1024)]))
    }
    const dir = workspaceWith('build.tar.gz', archive)
    const run = await runAction({ env: { ...sandbox.env({ 'archive-path': 'build.tar.gz' }), GITHUB_WORKSPACE: dir } })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([expect.stringMatching(new RegExp(`^::error::${message.source}`))])
    expect(sandbox.scalingo.requests).toHaveLength(0)
  })
})

describe('archive-transfer for a private repository', () => {
  it('url: waits until the app is free before minting the signed URL, so it does not expire in the queue', async () => {
    sandbox = await startSandbox({ github: { signedUrlTtlSeconds: 1 } })
    const blocker = sandbox.scalingo.seedRunning('my-app', 2500)
    const run = await runAction({
      env: sandbox.env({ repository: 'acme/secret-shop', 'archive-transfer': 'url', force: 'true' })
    })
    expect(errorLines(run)).toEqual([])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      `Waiting until deployment ${blocker.id} (building) ends before handing Scalingo an archive that expires`
    )
    // Minted once, after the app became free, and fetched by Scalingo in time.
    const minted = sandbox.github.requests.filter(r => r.path.includes('/tarball/'))
    expect(minted).toHaveLength(1)
    expect(minted[0].at).toBeGreaterThanOrEqual(blocker.finishedAt!)
    expect(sandbox.scalingo.allDeployments().find(d => d.git_ref === SHA_MAIN)?.status).toBe('success')
  })

  it('auto (the default): downloaded in the runner and uploaded, so the queue does not matter', async () => {
    sandbox = await startSandbox({ github: { signedUrlTtlSeconds: 1 } })
    sandbox.scalingo.seedRunning('my-app', 2500)
    const run = await runAction({ env: sandbox.env({ repository: 'acme/secret-shop', ref: 'v1.2.0', force: 'true' }) })
    expect(errorLines(run)).toEqual([])
    expect(run.code).toBe(0)
    const ours = sandbox.scalingo.allDeployments().find(d => d.git_ref === SHA_TAG)!
    expect(ours.source_url).toMatch(/\/sources-storage\/[0-9a-f]+\/download\?token=/)
    expect(ours.status).toBe('success')
    expect(sandbox.github.requests.some(r => r.server === 'codeload' && r.path.includes('token='))).toBe(true)
    expect(run.outputs['archive-url']).toBe(`${sandbox.github.serverUrl}/acme/secret-shop/archive/${SHA_TAG}.tar.gz`)
    expect(run.summary).toMatch(/\| Transfer \| uploaded through Scalingo's sources API \(\d+ bytes\) \|/)
    expect(leaks(run, [ours.source_url])).toEqual([])
  })

  it('auto without a sources API: warns and hands Scalingo the signed URL', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.sourcesApi = false
    const run = await runAction({ env: sandbox.env({ repository: 'acme/secret-shop' }) })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/::warning::Scalingo's sources API is not available \(404\)/)
    expect(sandbox.scalingo.allDeployments()[0].source_url).toMatch(/legacy\.tar\.gz\/.*\?token=GHSAT/)
    expect(run.summary).toContain('| Transfer | signed URL handed to Scalingo (upload not possible) |')
  })

  it('auto: a failed download in the runner falls back to the signed URL, with a warning', async () => {
    sandbox = await startSandbox({
      github: { faults: [{ path: '/legacy.tar.gz/', times: 1, status: 500, body: 'oops' }] }
    })
    const run = await runAction({ env: sandbox.env({ repository: 'acme/secret-shop' }) })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /::warning::the upload failed \(downloading the archive of [0-9a-f]{40} from GitHub failed \(500\)\): handing Scalingo the signed archive URL instead/
    )
    expect(sandbox.scalingo.allDeployments()[0].source_url).toMatch(/legacy\.tar\.gz\/.*\?token=GHSAT/)
  })

  it('upload (explicit): a failed download fails the step, nothing deployed', async () => {
    sandbox = await startSandbox({
      github: { faults: [{ path: '/legacy.tar.gz/', times: 10, status: 500, body: 'oops' }] }
    })
    const run = await runAction({ env: sandbox.env({ repository: 'acme/secret-shop', 'archive-transfer': 'upload' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/downloading the archive of [0-9a-f]{40} from GitHub failed \(500\)/)
    ])
    expect(sandbox.scalingo.allDeployments()).toHaveLength(0)
  })

  it('upload for a public repository uploads too', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ 'archive-transfer': 'upload' }) })
    expect(run.code).toBe(0)
    expect(scalingoCalls(sandbox)).toContain('POST /v1/sources')
    expect(sandbox.scalingo.allDeployments()[0].source_url).toMatch(/\/sources-storage\//)
  })

  it('rejects an unknown archive-transfer', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ 'archive-transfer': 'ftp' }) })
    expect(errorLines(run)).toEqual(['::error::Input \'archive-transfer\': must be auto, url or upload, got "ftp"'])
    expect(sandbox.scalingo.requests).toHaveLength(0)
  })
})

describe('sources that expire are handed over when the app is free', () => {
  it.each(['build', 'create'] as const)(
    'an upload waits for the running deployment, and the source (10 minutes here 1.5 s) is created after the download, just before the POST (Scalingo fetches at %s)',
    async fetchSourceAt => {
      sandbox = await startSandbox({ scalingo: { sourceTtlMs: 1500, fetchSourceAt } })
      const busy = sandbox.scalingo.seedRunning('my-app', 2500)
      const run = await runAction({ env: sandbox.env({ repository: 'acme/secret-shop', force: 'true' }) })
      expect(errorLines(run)).toEqual([])
      expect(run.code).toBe(0)
      expect(run.stdout).toContain(
        `Waiting until deployment ${busy.id} (building) ends before handing Scalingo an archive that expires`
      )
      const all = [...sandbox.github.requests, ...sandbox.scalingo.requests].sort((a, b) => a.at - b.at)
      const download = all.findIndex(r => r.server === 'codeload')
      const source = all.findIndex(r => r.method === 'POST' && r.path === '/v1/sources')
      const post = all.findIndex(r => r.method === 'POST' && r.path === '/v1/apps/my-app/deployments')
      expect(download).toBeGreaterThanOrEqual(0)
      expect(download).toBeLessThan(source)
      expect(source).toBeLessThan(post)
      expect(all[source].at).toBeGreaterThanOrEqual(busy.finishedAt!)
      expect(sandbox.scalingo.allDeployments().find(d => d.git_ref === SHA_MAIN)?.status).toBe('success')
    }
  )

  it('a public archive does not expire: no waiting', async () => {
    sandbox = await startSandbox()
    // Long enough that no start-up on a loaded machine outlasts it.
    const busy = sandbox.scalingo.seedRunning('my-app', 30_000)
    const run = await runAction({ env: sandbox.env({ wait: 'false', force: 'true' }) })
    expect(run.code).toBe(0)
    expect(run.stdout).not.toContain('Waiting until deployment')
    // Posted (and the run over) while the other deployment still builds.
    expect(posts(sandbox)).toBe(1)
    expect(busy.status).toBe('building')
  })

  it("auto's fallback to a URL mints a fresh signed URL, never the one used for the download", async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.sourcesApi = false
    const run = await runAction({ env: sandbox.env({ repository: 'acme/secret-shop' }) })
    expect(run.code).toBe(0)
    const minted = sandbox.github.requests.filter(r => r.path.includes('/tarball/'))
    expect(minted).toHaveLength(2)
    const downloaded = sandbox.github.requests.find(r => r.server === 'codeload')!
    const handed = sandbox.scalingo.allDeployments()[0].source_url
    expect(handed).toMatch(/token=GHSAT/)
    expect(new URL(handed).searchParams.get('token')).not.toBe(
      new URL(`http://x${downloaded.path}`).searchParams.get('token')
    )
  })

  it('an app still busy at the timeout: nothing is created, and the error says why', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedRunning('my-app', 60_000)
    const run = await runAction({ env: sandbox.env({ repository: 'acme/secret-shop', force: 'true', timeout: '8s' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error::the app was still busy at the timeout \(deployment [0-9a-f]+ is building\); nothing was created/
      )
    ])
    expect(sandbox.scalingo.requests.filter(r => r.method === 'POST' && r.path.includes('/deployments'))).toHaveLength(
      0
    )
  }, 30_000)
})
