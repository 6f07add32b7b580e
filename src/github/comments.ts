import { describeError, HttpError } from '../lib/errors.js'
import * as log from '../lib/log.js'
import { repoPath } from './archives.js'
import type { GitHubClient, Repository } from './client.js'

/**
 * One comment per review app on its pull request: found again by a hidden
 * marker and updated in place, never posted twice. A comment is a
 * courtesy: a failure is a warning, never the run's outcome.
 */

/** Pages of comments read at most (100 each). */
const MAX_PAGES = 30

/** The hidden line that names the review app in its comment. */
export function commentMarker(app: string): string {
  return `<!-- scalingo-review-app: ${app.replace(/[^a-z0-9-]/g, '')} -->`
}

interface IssueComment {
  id: number
  body: string
}

/** The first comment starting with the marker, reading every page. */
async function findComment(
  github: GitHubClient,
  repo: Repository,
  issue: number,
  marker: string
): Promise<number | undefined> {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const list = await github.json<unknown>({
      method: 'GET',
      path: `${repoPath(repo)}/issues/${issue}/comments?per_page=100&page=${page}`,
      retry: 'idempotent'
    })
    if (!Array.isArray(list)) throw new Error('GitHub answered the comments list without an array')
    const found = (list as Partial<IssueComment>[]).find(
      c => typeof c?.id === 'number' && typeof c.body === 'string' && c.body.startsWith(marker)
    )
    if (found) return found.id
    if (list.length < 100) return undefined
  }
  return undefined
}

/** Creates or updates the review app's comment; says which, or warns why not. */
export async function upsertComment(
  github: GitHubClient,
  repo: Repository,
  issue: number,
  marker: string,
  body: string
): Promise<'created' | 'updated' | 'failed'> {
  const text = `${marker}\n${body}`
  try {
    const id = await findComment(github, repo, issue, marker)
    if (id !== undefined) {
      await github.request({
        method: 'PATCH',
        path: `${repoPath(repo)}/issues/comments/${id}`,
        json: { body: text },
        retry: 'idempotent'
      })
      log.info(`Updated the review app's comment on pull request #${issue}`)
      return 'updated'
    }
    // Not idempotent: a second POST would be a second comment.
    await github.request({
      method: 'POST',
      path: `${repoPath(repo)}/issues/${issue}/comments`,
      json: { body: text },
      retry: 'unsent-only'
    })
    log.info(`Commented on pull request #${issue}`)
    return 'created'
  } catch (err) {
    const perm = err instanceof HttpError && (err.status === 401 || err.status === 403 || err.status === 404)
    log.warning(
      perm
        ? `Could not comment on pull request #${issue} (${err.status}: ${err.serverMessage}); give the workflow "permissions: pull-requests: write", or set comment: false`
        : `Could not comment on pull request #${issue}: ${describeError(err)}`
    )
    return 'failed'
  }
}
