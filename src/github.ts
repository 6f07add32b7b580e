import * as core from '@actions/core'
import { ActionError, HttpError } from './errors.js'
import type { Http } from './http.js'
import type { Repository } from './inputs.js'
import { isFullSha } from './inputs.js'
import { registerSecretUrl } from './secrets.js'

/**
 * GitHub only: a ref becomes a full commit SHA, and the SHA an archive URL
 * Scalingo can fetch.
 */

export interface Source {
  /** The full 40-character commit SHA being deployed. */
  sha: string
  /** The URL handed to Scalingo: may carry a signed token (private repositories). */
  sourceUrl: string
  /** The same archive without credentials: safe to print and output. */
  archiveUrl: string
  visibility: 'public' | 'private' | 'internal' | 'unknown'
}

export interface GitHubApi {
  http: Http
  apiUrl: string
  token: string
}

/** Each path segment encoded on its own: branch names keep their slashes. */
export function encodeRef(ref: string): string {
  return ref.split('/').map(encodeURIComponent).join('/')
}

export function repoPath(repo: Repository): string {
  return `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}`
}

/** `${GITHUB_SERVER_URL}/{owner}/{repo}/archive/{sha}.tar.gz`: public, no credentials. */
export function publicArchiveUrl(serverUrl: string, repo: Repository, sha: string): string {
  return `${serverUrl}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}/archive/${sha}.tar.gz`
}

function headers(api: GitHubApi, accept = 'application/vnd.github+json'): Record<string, string> {
  const h: Record<string, string> = { Accept: accept, 'X-GitHub-Api-Version': '2022-11-28' }
  if (api.token) h.Authorization = `Bearer ${api.token}`
  return h
}

export async function getVisibility(api: GitHubApi, repo: Repository): Promise<Source['visibility']> {
  const name = `${repo.owner}/${repo.repo}`
  try {
    const { data } = await api.http.json<{ private?: boolean; visibility?: string }>({
      method: 'GET',
      url: `${api.apiUrl}${repoPath(repo)}`,
      headers: headers(api),
      retry: 'idempotent'
    })
    if (data.visibility === 'public' || data.visibility === 'private' || data.visibility === 'internal') return data.visibility
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
export async function resolveSha(api: GitHubApi, repo: Repository, ref: string): Promise<string> {
  const name = `${repo.owner}/${repo.repo}`
  try {
    const { body } = await api.http.request({
      method: 'GET',
      url: `${api.apiUrl}${repoPath(repo)}/commits/${encodeRef(ref)}`,
      headers: headers(api, 'application/vnd.github.sha'),
      retry: 'idempotent'
    })
    let sha = body.trim()
    // A server ignoring the sha media type answers the JSON commit.
    if (sha.startsWith('{')) sha = String((JSON.parse(sha) as { sha?: unknown }).sha ?? '')
    if (!isFullSha(sha)) throw new ActionError(`GitHub answered an unexpected body when resolving ref "${ref}" in ${name}`)
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
 * The short-lived signed archive URL of a private repository, from the
 * tarball endpoint's redirect. Masked the moment it is read.
 */
export async function signedTarballUrl(api: GitHubApi, repo: Repository, sha: string): Promise<string> {
  const res = await api.http.request({
    method: 'GET',
    url: `${api.apiUrl}${repoPath(repo)}/tarball/${sha}`,
    headers: headers(api),
    retry: 'idempotent',
    accept: [301, 302, 303, 307, 308],
    maxBodyBytes: 64 * 1024
  })
  const location = res.headers.location
  const loc = Array.isArray(location) ? location[0] : location
  if (res.status < 300 || !loc) {
    throw new ActionError(`GitHub's tarball endpoint for ${repo.owner}/${repo.repo} did not redirect to an archive (status ${res.status})`)
  }
  const url = new URL(loc, `${api.apiUrl}/`).toString()
  registerSecretUrl(url)
  return url
}

/** Resolves what to deploy: the SHA, and the archive URL for it. */
export async function resolveSource(api: GitHubApi, serverUrl: string, repo: Repository, ref: string): Promise<Source> {
  const visibility = await getVisibility(api, repo)
  const sha = await resolveSha(api, repo, ref)
  const archiveUrl = publicArchiveUrl(serverUrl, repo, sha)
  if (visibility === 'public') return { sha, sourceUrl: archiveUrl, archiveUrl, visibility }
  core.info(`${repo.owner}/${repo.repo} is ${visibility}: using a signed, short-lived archive URL (masked)`)
  const sourceUrl = await signedTarballUrl(api, repo, sha)
  return { sha, sourceUrl, archiveUrl, visibility }
}
