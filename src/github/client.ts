import { ActionError, HttpError } from '../lib/errors.js'
import { type Http, type HttpResponse, type RequestOptions, headerValue, parseJson } from '../lib/http.js'
import { isFullSha } from '../lib/refs.js'
import { registerSecretUrl } from '../lib/secrets.js'
import { answerUrlProblem, mayCarrySecrets, safeUrl } from '../lib/urls.js'
import { type Repository, type Visibility, encodeRef, repoName, repoPath } from './archives.js'

export type { Repository, Visibility }

/**
 * GitHub's REST API, as the action uses it: one set of request headers,
 * the token only to the API, and each answer turned into what we need.
 */

export interface GitHubConfig {
  apiUrl: string
  token: string
}

export class GitHubClient {
  constructor(
    private readonly http: Http,
    readonly config: GitHubConfig
  ) {}

  /** A request to the API with GitHub's headers and the token. */
  async request(
    opts: Omit<RequestOptions, 'url' | 'headers'> & { path: string; mediaType?: string }
  ): Promise<HttpResponse> {
    const { path, mediaType, ...rest } = opts
    const headers: Record<string, string> = {
      Accept: mediaType ?? 'application/vnd.github+json',
      'X-GitHub-Api-Version': '2022-11-28'
    }
    const url = `${this.config.apiUrl}${path}`
    if (this.config.token) {
      // The one rule for where a token travels, whichever stage asks (rollback and compare included).
      if (!mayCarrySecrets(url))
        throw new ActionError(
          `GITHUB_API_URL ${safeUrl(this.config.apiUrl)} is not https: not sending the GitHub token there`
        )
      headers.Authorization = `Bearer ${this.config.token}`
    }
    return this.http.request({ ...rest, url, headers })
  }

  /** A JSON answer, parsed. */
  async json<T>(opts: Parameters<GitHubClient['request']>[0]): Promise<T> {
    const res = await this.request(opts)
    return parseJson<T>(res, { method: opts.method, url: `${this.config.apiUrl}${opts.path}` })
  }

  async getVisibility(repo: Repository): Promise<Visibility> {
    const name = repoName(repo)
    try {
      const data = await this.json<{ private?: boolean; visibility?: string }>({
        method: 'GET',
        path: repoPath(repo),
        retry: 'idempotent'
      })
      if (data.visibility === 'public' || data.visibility === 'private' || data.visibility === 'internal')
        return data.visibility
      if (typeof data.private === 'boolean') return data.private ? 'private' : 'public'
      return 'unknown'
    } catch (err) {
      if (err instanceof HttpError && (err.status === 404 || err.status === 403 || err.status === 401)) {
        throw new ActionError(
          `GitHub repository ${name} was not found or is not readable with github-token (${err.status}: ${err.serverMessage})`,
          'check the repository input and that github-token can read it (permissions: contents: read)'
        )
      }
      throw err
    }
  }

  /** Tag, branch, short or full SHA → the full commit SHA. */
  async resolveSha(repo: Repository, ref: string): Promise<string> {
    const name = repoName(repo)
    try {
      const { body } = await this.request({
        method: 'GET',
        path: `${repoPath(repo)}/commits/${encodeRef(ref)}`,
        mediaType: 'application/vnd.github.sha',
        retry: 'idempotent'
      })
      let sha = body.trim()
      // A server ignoring the sha media type answers the JSON commit.
      if (sha.startsWith('{')) {
        const parsed = (JSON.parse(sha) as { sha?: unknown }).sha
        sha = typeof parsed === 'string' ? parsed : ''
      }
      if (!isFullSha(sha))
        throw new ActionError(`GitHub answered an unexpected body when resolving ref "${ref}" in ${name}`)
      return sha.toLowerCase()
    } catch (err) {
      if (err instanceof HttpError && (err.status === 404 || err.status === 422 || err.status === 409)) {
        throw new ActionError(
          `ref "${ref}" was not found in ${name} (${err.status}: ${err.serverMessage})`,
          'give an existing tag, branch or commit SHA'
        )
      }
      throw err
    }
  }

  /**
   * The short-lived signed archive URL of a commit, from the tarball
   * endpoint's redirect. Masked the moment it is read.
   */
  async signedTarballUrl(repo: Repository, sha: string): Promise<string> {
    const res = await this.request({
      method: 'GET',
      path: `${repoPath(repo)}/tarball/${sha}`,
      retry: 'idempotent',
      accept: [301, 302, 303, 307, 308],
      maxBodyBytes: 64 * 1024
    })
    return this.location(res, repo)
  }

  /**
   * A file of the repository at a commit (contents API), or undefined when
   * it does not exist there (404).
   */
  async getFile(repo: Repository, path: string, sha: string): Promise<string | undefined> {
    try {
      const data = await this.json<{ content?: unknown; encoding?: unknown }>({
        method: 'GET',
        path: `${repoPath(repo)}/contents/${encodeRef(path)}?ref=${encodeURIComponent(sha)}`,
        retry: 'idempotent'
      })
      if (typeof data.content !== 'string') return undefined
      return data.encoding === 'base64' ? Buffer.from(data.content, 'base64').toString('utf8') : data.content
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return undefined
      throw err
    }
  }

  /**
   * How `head` relates to `base` (`GET …/compare/{base}...{head}`): ahead,
   * behind, identical or diverged; undefined when GitHub cannot say (no
   * permission, another repository, an unknown commit).
   */
  async compare(
    repo: Repository,
    base: string,
    head: string
  ): Promise<'ahead' | 'behind' | 'identical' | 'diverged' | undefined> {
    try {
      const data = await this.json<{ status?: unknown }>({
        method: 'GET',
        path: `${repoPath(repo)}/compare/${encodeURIComponent(base)}...${encodeURIComponent(head)}`,
        retry: 'idempotent',
        maxBodyBytes: 4 * 1024 * 1024
      })
      const status = data.status
      return status === 'ahead' || status === 'behind' || status === 'identical' || status === 'diverged'
        ? status
        : undefined
    } catch (err) {
      if (err instanceof HttpError && [401, 403, 404, 422].includes(err.status)) return undefined
      throw err
    }
  }

  private location(res: HttpResponse, repo: Repository): string {
    const loc = headerValue(res.headers.location)
    if (res.status < 300 || !loc) {
      throw new ActionError(
        `GitHub's tarball endpoint for ${repoName(repo)} did not redirect to an archive (status ${res.status})`
      )
    }
    const url = new URL(loc, `${this.config.apiUrl}/`).toString()
    registerSecretUrl(url)
    const problem = answerUrlProblem(url)
    if (problem)
      throw new ActionError(
        `GitHub's tarball endpoint for ${repoName(repo)} redirected to a URL that cannot be used: ${problem}`
      )
    return url
  }
}
