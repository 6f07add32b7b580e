import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type Fault,
  type RecordedRequest,
  type SandboxServer,
  json,
  paginate,
  startServer,
  str,
  text
} from './http-util.js'
import { makeTarGz } from './tarball.js'

/**
 * A loopback GitHub: the REST API (repository, commits with the sha media
 * type, tarball redirect), the web host (`/archive/{sha}.tar.gz`) and
 * codeload (the archives themselves, signed for private repositories).
 */

export interface RepoSpec {
  visibility: 'public' | 'private' | 'internal'
  /** Branch and tag names → commit SHA. */
  branches?: Record<string, string>
  tags?: Record<string, string>
  /** Extra commits reachable only by SHA. */
  commits?: string[]
  /** Files served by the contents API (the same at every commit), e.g. `.gitmodules`. */
  files?: Record<string, string>
  /** The default branch's history, oldest first: what the compare API reasons on. Commits outside it have diverged. */
  history?: string[]
}

export interface GitHubOptions {
  repos?: Record<string, RepoSpec>
  /** Tokens that may read private repositories. */
  tokens?: string[]
  signedUrlTtlSeconds?: number
  faults?: Fault[]
  /** Whether the token may write deployments (permissions: deployments: write). Default true. */
  deploymentsWrite?: boolean
  /** Where the tarball endpoint redirects (a hostile or odd answer); default: codeload, signed. */
  tarballLocation?: (standard: string) => string
}

export interface SandboxGitHubDeployment {
  id: number
  repo: string
  ref: string
  sha: string
  environment: string
  payload: Record<string, unknown>
  statuses: { state: string; log_url?: string; environment_url?: string; description?: string }[]
}

/** A pull request, as `GET /repos/{o}/{r}/pulls/{n}` shows it (the fields a review app reads). */
export interface SandboxPull {
  /** The base repository, owner/name. */
  repo: string
  number: number
  state: 'open' | 'closed'
  head: { sha: string; ref: string; repo: string | null }
}

export const DEFAULT_GITHUB_TOKEN = 'ghs_sandboxGitHubToken0123456789abcdefABCD'
export const SHA_MAIN = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
export const SHA_TAG = '0f1e2d3c4b5a69788796a5b4c3d2e1f001234567'

export function defaultRepos(): Record<string, RepoSpec> {
  return {
    'acme/shop': {
      visibility: 'public',
      branches: { main: SHA_MAIN },
      tags: { 'v1.2.0': SHA_TAG },
      history: [SHA_TAG, SHA_MAIN]
    },
    'acme/secret-shop': {
      visibility: 'private',
      branches: { main: SHA_MAIN },
      tags: { 'v1.2.0': SHA_TAG },
      history: [SHA_TAG, SHA_MAIN]
    }
  }
}

export class GitHubSandbox {
  readonly requests: RecordedRequest[] = []
  faults: Fault[]
  /** Signed codeload tokens → expiry (ms). */
  readonly signed = new Map<string, number>()
  private readonly counters = new Map<Fault, number>()
  private api?: SandboxServer
  private web?: SandboxServer
  private codeload?: SandboxServer
  readonly repos: Record<string, RepoSpec>
  readonly deployments: SandboxGitHubDeployment[] = []
  /** Pull requests (GET …/pulls/{n}); the event payload is written by the test. */
  readonly pulls: SandboxPull[] = []
  /** Issue and pull-request comments, oldest first. */
  readonly comments: { id: number; repo: string; issue: number; body: string; user: string }[] = []

  constructor(readonly options: GitHubOptions = {}) {
    this.faults = options.faults ?? []
    this.repos = options.repos ?? defaultRepos()
  }

  get apiUrl(): string {
    return this.api!.url
  }
  get serverUrl(): string {
    return this.web!.url
  }
  get codeloadUrl(): string {
    return this.codeload!.url
  }
  get tokens(): string[] {
    return this.options.tokens ?? [DEFAULT_GITHUB_TOKEN]
  }

  async start(): Promise<this> {
    const faults = (): Fault[] => this.faults
    this.api = await startServer(
      'github-api',
      (req, res, body, url) => this.handleApi(req, res, url, body),
      this.requests,
      faults,
      this.counters
    )
    this.web = await startServer(
      'github-web',
      (req, res, _b, url) => this.handleWeb(req, res, url),
      this.requests,
      faults,
      this.counters
    )
    this.codeload = await startServer(
      'codeload',
      (req, res, _b, url) => this.handleCodeload(req, res, url),
      this.requests,
      faults,
      this.counters
    )
    return this
  }

  async close(): Promise<void> {
    await Promise.all([this.api?.close(), this.web?.close(), this.codeload?.close()])
  }

  /** Expires every signed archive URL handed out so far. */
  expireSignedUrls(): void {
    for (const k of this.signed.keys()) this.signed.set(k, 0)
  }

  private allShas(spec: RepoSpec): string[] {
    return [...Object.values(spec.branches ?? {}), ...Object.values(spec.tags ?? {}), ...(spec.commits ?? [])]
  }

  /** What GitHub's commits endpoint accepts: names, qualified refs, full or abbreviated SHAs. */
  resolve(spec: RepoSpec, ref: string): string | undefined {
    const branches = spec.branches ?? {}
    const tags = spec.tags ?? {}
    if (branches[ref]) return branches[ref]
    if (tags[ref]) return tags[ref]
    const m = /^(?:refs\/)?(heads|tags)\/(.+)$/.exec(ref)
    if (m) return (m[1] === 'heads' ? branches : tags)[m[2]]
    if (/^[0-9a-f]{4,40}$/i.test(ref)) {
      const found = [...new Set(this.allShas(spec))].filter(s => s.startsWith(ref.toLowerCase()))
      if (found.length === 1) return found[0]
    }
    return undefined
  }

  private auth(req: IncomingMessage): 'none' | 'valid' | 'bad' {
    const h = req.headers.authorization
    if (!h) return 'none'
    const m = /^(?:token|Bearer) (.+)$/i.exec(h)
    return m && this.tokens.includes(m[1]) ? 'valid' : 'bad'
  }

  private repoFor(req: IncomingMessage, owner: string, name: string): RepoSpec | undefined {
    const spec = this.repos[`${owner}/${name}`]
    if (!spec) return undefined
    // Private repositories look absent without a token that can read them.
    if (spec.visibility !== 'public' && this.auth(req) !== 'valid') return undefined
    return spec
  }

  private notFound(res: ServerResponse): void {
    json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' })
  }

  /** POST /repos/{o}/{r}/deployments and …/deployments/{id}/statuses, as GitHub's REST API. */
  private handleDeployments(
    req: IncomingMessage,
    res: ServerResponse,
    full: string,
    spec: RepoSpec,
    rest: string,
    body: string
  ): void {
    if (this.auth(req) !== 'valid' || this.options.deploymentsWrite === false) {
      return json(res, 403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/deployments/deployments#create-a-deployment',
        status: '403'
      })
    }
    let params: Record<string, unknown>
    try {
      params = JSON.parse(body || '{}') as Record<string, unknown>
    } catch {
      return json(res, 400, { message: 'Problems parsing JSON' })
    }
    const m = /^\/(\d+)\/statuses$/.exec(rest)
    if (rest === '') {
      const ref = str(params.ref)
      const sha = this.resolve(spec, ref)
      if (!sha) return json(res, 422, { message: `No ref found for: ${ref}`, status: '422' })
      const d: SandboxGitHubDeployment = {
        id: 1000 + this.deployments.length + 1,
        repo: full,
        ref,
        sha,
        environment: str(params.environment, 'production'),
        payload: params,
        statuses: []
      }
      this.deployments.push(d)
      return json(res, 201, {
        id: d.id,
        sha,
        ref,
        environment: d.environment,
        task: 'deploy',
        created_at: new Date().toISOString()
      })
    }
    if (m) {
      const d = this.deployments.find(x => x.id === Number(m[1]) && x.repo === full)
      if (!d) return this.notFound(res)
      const state = str(params.state)
      if (!['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'].includes(state))
        return json(res, 422, { message: 'Validation Failed', status: '422' })
      d.statuses.push({
        state,
        log_url: params.log_url as string | undefined,
        environment_url: params.environment_url as string | undefined,
        description: params.description as string | undefined
      })
      return json(res, 201, { id: d.statuses.length, state })
    }
    return this.notFound(res)
  }

  /**
   * Issue comments (a pull request is an issue): GET …/issues/{n}/comments
   * (paginated with a Link header, as GitHub does), POST it, PATCH
   * …/issues/comments/{id}. Writing needs a valid token (pull-requests: write).
   */
  private handleComments(req: IncomingMessage, res: ServerResponse, url: URL, m: RegExpExecArray, body: string): void {
    const repo = `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`
    if (!this.repoFor(req, decodeURIComponent(m[1]), decodeURIComponent(m[2]))) return this.notFound(res)
    const text = (): string | undefined => {
      try {
        const b = (JSON.parse(body || '{}') as { body?: unknown }).body
        return typeof b === 'string' ? b : undefined
      } catch {
        return undefined
      }
    }
    const shown = (c: (typeof this.comments)[number]): Record<string, unknown> => ({
      id: c.id,
      body: c.body,
      user: { login: c.user, type: 'Bot' },
      html_url: `${this.serverUrl}/${repo}/pull/${c.issue}#issuecomment-${c.id}`
    })
    if (m[3] && req.method === 'GET') {
      const issue = Number(m[3])
      const all = this.comments.filter(c => c.repo === repo && c.issue === issue)
      const { items, page, perPage, totalPages } = paginate(all, url, 100)
      const link: Record<string, string> =
        page < totalPages
          ? { Link: `<${this.apiUrl}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"` }
          : {}
      return json(res, 200, items.map(shown), link)
    }
    if (this.auth(req) !== 'valid') return json(res, 403, { message: 'Resource not accessible by integration' })
    const b = text()
    if (b === undefined) return json(res, 422, { message: 'Validation Failed' })
    if (m[3] && req.method === 'POST') {
      const c = { id: 5000 + this.comments.length + 1, repo, issue: Number(m[3]), body: b, user: 'github-actions[bot]' }
      this.comments.push(c)
      return json(res, 201, shown(c))
    }
    if (m[4] && req.method === 'PATCH') {
      const c = this.comments.find(x => x.id === Number(m[4]) && x.repo === repo)
      if (!c) return this.notFound(res)
      c.body = b
      return json(res, 200, shown(c))
    }
    return this.notFound(res)
  }

  private handleApi(req: IncomingMessage, res: ServerResponse, url: URL, body = ''): void {
    if (this.auth(req) === 'bad')
      return json(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401'
      })
    const dm = /^\/repos\/([^/]+)\/([^/]+)\/deployments(\/.*)?$/.exec(url.pathname)
    const sm = dm && /^\/(\d+)\/statuses$/.exec(dm[3] ?? '')
    if (dm && sm && req.method === 'GET') {
      // GET …/deployments/{id}/statuses: newest first, as GitHub lists them.
      const full = `${decodeURIComponent(dm[1])}/${decodeURIComponent(dm[2])}`
      const d = this.deployments.find(x => x.id === Number(sm[1]) && x.repo === full)
      if (!d) return this.notFound(res)
      return json(res, 200, d.statuses.map((st, i) => ({ id: i + 1, ...st })).reverse())
    }
    if (dm && req.method === 'POST') {
      const spec = this.repoFor(req, decodeURIComponent(dm[1]), decodeURIComponent(dm[2]))
      if (!spec) return this.notFound(res)
      return this.handleDeployments(
        req,
        res,
        `${decodeURIComponent(dm[1])}/${decodeURIComponent(dm[2])}`,
        spec,
        dm[3] ?? '',
        body
      )
    }
    if (dm && !dm[3] && req.method === 'GET') {
      // GET …/deployments?environment=: newest first, as GitHub lists them.
      const full = `${decodeURIComponent(dm[1])}/${decodeURIComponent(dm[2])}`
      const env = url.searchParams.get('environment')
      const list = this.deployments.filter(d => d.repo === full && (env === null || d.environment === env))
      return json(res, 200, list.map(d => ({ id: d.id, sha: d.sha, ref: d.ref, environment: d.environment })).reverse())
    }
    const pm = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(url.pathname)
    if (pm && req.method === 'GET') {
      const full = `${decodeURIComponent(pm[1])}/${decodeURIComponent(pm[2])}`
      if (!this.repoFor(req, decodeURIComponent(pm[1]), decodeURIComponent(pm[2]))) return this.notFound(res)
      const p = this.pulls.find(x => x.repo === full && x.number === Number(pm[3]))
      if (!p) return this.notFound(res)
      return json(res, 200, pullJson(p))
    }
    const im = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(?:(\d+)\/comments|comments\/(\d+))$/.exec(url.pathname)
    if (im) return this.handleComments(req, res, url, im, body)
    const cmp = /^\/repos\/([^/]+)\/([^/]+)\/compare\/(.+)\.\.\.(.+)$/.exec(url.pathname)
    if (cmp && req.method === 'GET') return this.handleCompare(req, res, cmp)
    const cm = /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(url.pathname)
    if (cm && req.method === 'GET') return this.handleContents(req, res, cm, url)
    const m = /^\/repos\/([^/]+)\/([^/]+)(?:\/(commits|tarball)(?:\/(.+))?)?$/.exec(url.pathname)
    if (!m || req.method !== 'GET') return this.notFound(res)
    const [, owner, name, kind, rawRef] = m
    const spec = this.repoFor(req, decodeURIComponent(owner), decodeURIComponent(name))
    if (!spec) return this.notFound(res)
    const full = `${decodeURIComponent(owner)}/${decodeURIComponent(name)}`
    if (!kind) {
      return json(res, 200, {
        id: 1296269,
        name: decodeURIComponent(name),
        full_name: full,
        private: spec.visibility !== 'public',
        visibility: spec.visibility,
        default_branch: 'main',
        owner: { login: decodeURIComponent(owner) }
      })
    }
    const ref = rawRef ? rawRef.split('/').map(decodeURIComponent).join('/') : 'main'
    const sha = this.resolve(spec, ref)
    if (kind === 'commits') {
      if (!sha)
        return json(res, 422, {
          message: `No commit found for SHA: ${ref}`,
          documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit',
          status: '422'
        })
      if ((req.headers.accept ?? '').includes('application/vnd.github.sha')) {
        return text(res, 200, sha, 'application/vnd.github.sha; charset=utf-8')
      }
      return json(res, 200, { sha, commit: { message: 'Sandbox commit' } })
    }
    // tarball: a redirect to codeload, signed for private repositories.
    if (!sha) return this.notFound(res)
    let location = `${this.codeloadUrl}/${owner}/${name}/legacy.tar.gz/${sha}`
    if (spec.visibility !== 'public') {
      const token = `GHSAT0AAAA${randomBytes(18).toString('hex').toUpperCase()}`
      this.signed.set(token, Date.now() + (this.options.signedUrlTtlSeconds ?? 300) * 1000)
      location += `?token=${token}`
    }
    res.writeHead(302, { Location: this.options.tarballLocation?.(location) ?? location, 'Content-Length': 0 })
    res.end()
  }

  /** GET /repos/{o}/{r}/compare/{base}...{head}: how head relates to base on the history, as GitHub's compare API. */
  private handleCompare(req: IncomingMessage, res: ServerResponse, m: RegExpExecArray): void {
    const spec = this.repoFor(req, decodeURIComponent(m[1]), decodeURIComponent(m[2]))
    if (!spec) return this.notFound(res)
    const base = this.resolve(spec, decodeURIComponent(m[3]))
    const head = this.resolve(spec, decodeURIComponent(m[4]))
    if (!base || !head) return this.notFound(res)
    const history = spec.history ?? []
    const b = history.indexOf(base)
    const h = history.indexOf(head)
    const status = base === head ? 'identical' : b < 0 || h < 0 ? 'diverged' : h > b ? 'ahead' : 'behind'
    return json(res, 200, {
      status,
      ahead_by: status === 'ahead' ? h - b : 0,
      behind_by: status === 'behind' ? b - h : 0,
      base_commit: { sha: base },
      merge_base_commit: { sha: status === 'behind' ? head : base },
      commits: []
    })
  }

  /** GET /repos/{o}/{r}/contents/{path}?ref=: a file, base64, as GitHub's contents API; 404 when absent. */
  private handleContents(req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, url: URL): void {
    const spec = this.repoFor(req, decodeURIComponent(m[1]), decodeURIComponent(m[2]))
    if (!spec) return this.notFound(res)
    const ref = url.searchParams.get('ref') ?? 'main'
    if (!this.resolve(spec, ref))
      return json(res, 404, { message: `No commit found for the ref ${ref}`, status: '404' })
    const path = m[3].split('/').map(decodeURIComponent).join('/')
    const content = spec.files?.[path]
    if (content === undefined) return this.notFound(res)
    return json(res, 200, {
      type: 'file',
      encoding: 'base64',
      size: Buffer.byteLength(content),
      name: path.split('/').pop(),
      path,
      content: Buffer.from(content)
        .toString('base64')
        .replace(/(.{60})/g, '$1\n')
    })
  }

  private handleWeb(_req: IncomingMessage, res: ServerResponse, url: URL): void {
    const m = /^\/([^/]+)\/([^/]+)\/archive\/(.+)\.tar\.gz$/.exec(url.pathname)
    if (!m) return text(res, 404, 'Not Found')
    const spec = this.repos[`${m[1]}/${m[2]}`]
    // The web host serves archives of public repositories only (no token here).
    if (!spec || spec.visibility !== 'public') return text(res, 404, 'Not Found')
    const sha = this.resolve(spec, m[3])
    if (!sha) return text(res, 404, 'Not Found')
    res.writeHead(302, { Location: `${this.codeloadUrl}/${m[1]}/${m[2]}/tar.gz/${m[3]}`, 'Content-Length': 0 })
    res.end()
  }

  private handleCodeload(_req: IncomingMessage, res: ServerResponse, url: URL): void {
    const m = /^\/([^/]+)\/([^/]+)\/(?:legacy\.)?tar\.gz\/(.+)$/.exec(url.pathname)
    if (!m) return text(res, 404, 'Not Found')
    const spec = this.repos[`${m[1]}/${m[2]}`]
    if (!spec) return text(res, 404, 'Not Found')
    if (spec.visibility !== 'public') {
      const exp = this.signed.get(url.searchParams.get('token') ?? '')
      if (exp === undefined || exp < Date.now()) return text(res, 404, 'Not Found')
    }
    const sha = this.resolve(spec, m[3])
    if (!sha) return text(res, 404, 'Not Found')
    const archive = makeTarGz(`${m[1]}-${m[2]}-${sha.slice(0, 7)}`, {
      'package.json': JSON.stringify({ name: m[2], version: '1.0.0', scripts: { start: 'node server.js' } }, null, 2),
      'server.js': "require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT)\n",
      Procfile: 'web: npm start\n'
    })
    res.writeHead(200, {
      'Content-Type': 'application/x-gzip',
      'Content-Length': archive.length,
      'Content-Disposition': `attachment; filename=${m[2]}-${sha.slice(0, 7)}.tar.gz`
    })
    res.end(archive)
  }
}

/** A pull request as GitHub's API and `pull_request` event payloads show it. */
export function pullJson(p: SandboxPull): Record<string, unknown> {
  return {
    number: p.number,
    state: p.state,
    merged: false,
    head: { sha: p.head.sha, ref: p.head.ref, repo: p.head.repo ? { full_name: p.head.repo } : null },
    base: { ref: 'main', repo: { full_name: p.repo } }
  }
}
