/** GitHub repositories, URLs and paths, pure: refs encoded, archives named by commit. */

export interface Repository {
  owner: string
  repo: string
}

export type Visibility = 'public' | 'private' | 'internal' | 'unknown'

/** Each path segment encoded on its own: branch names keep their slashes. */
export function encodeRef(ref: string): string {
  return ref.split('/').map(encodeURIComponent).join('/')
}

/** `owner/name`, as users write it. */
export function repoName(repo: Repository): string {
  return `${repo.owner}/${repo.repo}`
}

/** The repository's page: `${GITHUB_SERVER_URL}/{owner}/{repo}`. */
export function repoWebUrl(serverUrl: string, repo: Repository): string {
  return `${serverUrl}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}`
}

export function repoPath(repo: Repository): string {
  return `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}`
}

/** `${GITHUB_SERVER_URL}/{owner}/{repo}/archive/{sha}.tar.gz`: public, no credentials. */
export function publicArchiveUrl(serverUrl: string, repo: Repository, sha: string): string {
  return `${repoWebUrl(serverUrl, repo)}/archive/${sha}.tar.gz`
}
