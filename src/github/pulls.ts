import { ActionError, HttpError } from '../lib/errors.js'
import { isFullSha } from '../lib/refs.js'
import { repoPath } from './archives.js'
import type { GitHubClient, Repository } from './client.js'

/**
 * A pull request as a review app needs it: its number, its head commit
 * and the repository that commit lives in, whether it comes from a fork,
 * and whether it is closed. From the event's payload, or from the API
 * when the workflow runs on another event.
 */

export interface PullRequest {
  number: number
  /** The head commit (full SHA, lower case). */
  headSha: string
  /** The branch, as the head repository names it (shown as text, never trusted). */
  headRef: string
  /** Where the head commit lives: the base repository, or a fork (undefined: the fork was deleted). */
  headRepo?: Repository
  baseRepo: Repository
  /** closed (merged or not), or open. */
  closed: boolean
  /** The event's action (`opened`, `synchronize`, `closed`…); '' when read from the API. */
  action: string
}

interface PullPayload {
  number?: unknown
  state?: unknown
  head?: { sha?: unknown; ref?: unknown; repo?: { full_name?: unknown } | null }
  base?: { repo?: { full_name?: unknown } | null }
}

function repoOf(fullName: unknown): Repository | undefined {
  if (typeof fullName !== 'string') return undefined
  const [owner, repo, extra] = fullName.split('/')
  return owner && repo && extra === undefined ? { owner, repo } : undefined
}

/** Whether the head commit comes from another repository than the base (or from a deleted one). */
export function isFork(pr: PullRequest): boolean {
  if (!pr.headRepo) return true
  const name = (r: Repository): string => `${r.owner}/${r.repo}`.toLowerCase()
  return name(pr.headRepo) !== name(pr.baseRepo)
}

/** A pull request object of GitHub's (event payload or API answer), checked. */
export function readPullRequest(data: unknown, action: string, fallbackBase: Repository): PullRequest {
  const p = (data ?? {}) as PullPayload
  if (typeof p.number !== 'number' || !Number.isInteger(p.number) || p.number < 1)
    throw new ActionError('the pull request has no number')
  const sha = typeof p.head?.sha === 'string' ? p.head.sha.toLowerCase() : ''
  if (!isFullSha(sha)) throw new ActionError(`pull request #${p.number} has no head commit SHA`)
  return {
    number: p.number,
    headSha: sha,
    headRef: typeof p.head?.ref === 'string' ? p.head.ref : '',
    headRepo: repoOf(p.head?.repo?.full_name),
    baseRepo: repoOf(p.base?.repo?.full_name) ?? fallbackBase,
    closed: p.state === 'closed' || action === 'closed',
    action
  }
}

/** `GET /repos/{owner}/{repo}/pulls/{number}`. */
export async function fetchPullRequest(github: GitHubClient, repo: Repository, number: number): Promise<PullRequest> {
  let data: unknown
  try {
    data = await github.json<unknown>({ method: 'GET', path: `${repoPath(repo)}/pulls/${number}`, retry: 'idempotent' })
  } catch (err) {
    if (err instanceof HttpError && err.status === 404)
      throw new ActionError(
        `pull request #${number} was not found in ${repo.owner}/${repo.repo} (404)`,
        'check the pull-request input, and that github-token can read the repository'
      )
    throw err
  }
  return readPullRequest(data, '', repo)
}
