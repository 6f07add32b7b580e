import type { Http } from '../../src/lib/http.js'
import { encodeRef, publicArchiveUrl } from '../../src/github/archives.js'
import { GitHubClient, type Repository } from '../../src/github/client.js'
import { githubSource } from '../../src/stages/source.js'
import { DEFAULT_GITHUB_TOKEN, GitHubSandbox, SHA_MAIN, SHA_TAG } from '../../sandbox/index.js'
import { quickHttp } from '../helpers-client.js'

let gh: GitHubSandbox
let http: Http
beforeEach(async () => {
  gh = await new GitHubSandbox().start()
  http = quickHttp()
})
afterEach(async () => {
  http.dispose()
  await gh.close()
})

const api = (token = DEFAULT_GITHUB_TOKEN): GitHubClient => new GitHubClient(http, { apiUrl: gh.apiUrl, token })
const resolveSource = (github: GitHubClient, serverUrl: string, repo: Repository, ref: string) =>
  githubSource(github, serverUrl, repo, ref)

describe('pure helpers', () => {
  it('keeps slashes in branch names and encodes the rest', () => {
    expect(encodeRef('feature/a b#c')).toBe('feature/a%20b%23c')
  })
  it('builds the public archive URL', () => {
    expect(publicArchiveUrl('https://github.com', { owner: 'o', repo: 'r' }, SHA_MAIN)).toBe(
      `https://github.com/o/r/archive/${SHA_MAIN}.tar.gz`
    )
  })
})

describe('resolveSource', () => {
  it('public: tag → SHA → public archive', async () => {
    const s = await resolveSource(api(), gh.serverUrl, { owner: 'acme', repo: 'shop' }, 'v1.2.0')
    expect(s).toEqual({
      kind: 'github',
      sha: SHA_TAG,
      gitRef: SHA_TAG,
      archiveUrl: `${gh.serverUrl}/acme/shop/archive/${SHA_TAG}.tar.gz`,
      visibility: 'public'
    })
  })

  it('private: the SHA and the plain archive URL; the signed URL is minted only when asked, and serves the archive', async () => {
    const s = await resolveSource(api(), gh.serverUrl, { owner: 'acme', repo: 'secret-shop' }, 'main')
    expect(s.sha).toBe(SHA_MAIN)
    expect(s.visibility).toBe('private')
    expect(s.archiveUrl).toBe(`${gh.serverUrl}/acme/secret-shop/archive/${SHA_MAIN}.tar.gz`)
    expect(gh.requests.filter(r => r.path.includes('/tarball/'))).toHaveLength(0)
    const signed = await api().signedTarballUrl({ owner: 'acme', repo: 'secret-shop' }, SHA_MAIN)
    expect(signed).toMatch(/\?token=GHSAT/)
    const res = await fetch(signed)
    expect(res.status).toBe(200)
    const body = Buffer.from(await res.arrayBuffer())
    expect([body[0], body[1]]).toEqual([0x1f, 0x8b])
  })

  it('an unknown ref names the ref', async () => {
    await expect(resolveSource(api(), gh.serverUrl, { owner: 'acme', repo: 'shop' }, 'nope')).rejects.toThrow(
      /ref "nope" was not found in acme\/shop \(422: No commit found for SHA: nope\)/
    )
  })

  it('an unreadable repository says what to check', async () => {
    await expect(resolveSource(api(''), gh.serverUrl, { owner: 'acme', repo: 'secret-shop' }, 'main')).rejects.toThrow(
      /not found or is not readable with github-token/
    )
  })
})
