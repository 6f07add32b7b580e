import * as core from '@actions/core'
import { publicArchiveUrl } from '../github/archives.js'
import type { GitHubClient, Repository, Visibility } from '../github/client.js'
import { isFullSha } from '../lib/refs.js'
import { registerSecretUrl } from '../lib/secrets.js'
import { safeUrl } from '../lib/urls.js'

/** What exactly ships: a commit and the archive of it Scalingo will get. */
export interface Source {
  /** The full 40-character commit SHA being deployed ('' when not a GitHub commit). */
  sha: string
  /** The URL handed to Scalingo: may carry a signed token (private repositories). */
  sourceUrl: string
  /** The same archive without credentials: safe to print and output. */
  archiveUrl: string
  visibility: Visibility
}

/** A commit of a GitHub repository: its SHA, and the archive URL for it. */
export async function resolveGitHubSource(
  github: GitHubClient,
  serverUrl: string,
  repo: Repository,
  ref: string
): Promise<Source> {
  const visibility = await github.getVisibility(repo)
  const sha = await github.resolveSha(repo, ref)
  const archiveUrl = publicArchiveUrl(serverUrl, repo, sha)
  if (visibility === 'public') return { sha, sourceUrl: archiveUrl, archiveUrl, visibility }
  core.info(`${repo.owner}/${repo.repo} is ${visibility}: using a signed, short-lived archive URL (masked)`)
  const sourceUrl = await github.signedTarballUrl(repo, sha)
  return { sha, sourceUrl, archiveUrl, visibility }
}

/** `source-url`: deployed as given. Only a secret when it carries credentials. */
export function sourceFromUrl(url: string, ref: string): Source {
  const u = new URL(url)
  if (u.search || u.username || u.password) registerSecretUrl(url)
  return {
    sha: isFullSha(ref) ? ref.toLowerCase() : '',
    sourceUrl: url,
    archiveUrl: safeUrl(url),
    visibility: 'unknown'
  }
}

/** `archive-path`: uploaded later; nothing to hand Scalingo yet. */
export function localSource(ref: string): Source {
  return { sha: isFullSha(ref) ? ref.toLowerCase() : '', sourceUrl: '', archiveUrl: '', visibility: 'unknown' }
}
