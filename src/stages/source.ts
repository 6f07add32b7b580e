import { readFileSync } from 'node:fs'
import { publicArchiveUrl } from '../github/archives.js'
import type { GitHubClient, Repository, Visibility } from '../github/client.js'
import { ActionError } from '../lib/errors.js'
import { dockerSafeRef, isFullSha, namesTag } from '../lib/refs.js'
import { registerSecretUrl } from '../lib/secrets.js'
import { safeUrl } from '../lib/urls.js'
import type { Settings } from '../settings/settings.js'

/**
 * What exactly ships: a commit of a GitHub repository (deployed from its
 * archive), or an artifact (a `source-url` or a local `archive-path`),
 * and what Scalingo records for it.
 */

export type SourceKind = 'github' | 'url' | 'local'

export interface Source {
  kind: SourceKind
  /** The full commit SHA: the one deployed, or for an artifact the commit it was built from ('' when unknown). */
  sha: string
  /** What Scalingo records as the deployment's `git_ref`. */
  gitRef: string | null
  /** The archive without credentials: safe to print and output ('' for a local archive not uploaded yet). */
  archiveUrl: string
  visibility: Visibility
  /** `source-url`: the URL as given (a secret when it carries credentials). */
  url?: string
}

/**
 * The commit an artifact comes from and its `git_ref`: the ref given (a
 * commit, or any ref made Docker-safe, with no commit known), else the
 * workflow's commit, labelled `-artifact`.
 */
export function artifactCommit(
  settings: Pick<Settings, 'ref' | 'refFrom' | 'workflow'>
): Pick<Source, 'sha' | 'gitRef'> {
  const { ref, refFrom, workflow } = settings
  if (refFrom === 'input') {
    // A commit given explicitly is still an artifact built from it, never its GitHub archive.
    return isFullSha(ref)
      ? { sha: ref.toLowerCase(), gitRef: `${ref.toLowerCase()}-artifact` }
      : { sha: '', gitRef: dockerSafeRef(ref) ?? null }
  }
  const sha = workflow.sha.toLowerCase()
  return isFullSha(sha) ? { sha, gitRef: `${sha}-artifact` } : { sha: '', gitRef: null }
}

/** `source-url`: deployed as given. Only a secret when it carries credentials. */
export function urlSource(settings: Settings, url: string): Source {
  const u = new URL(url)
  if (u.search || u.username || u.password) registerSecretUrl(url)
  return { kind: 'url', ...artifactCommit(settings), archiveUrl: safeUrl(url), visibility: 'unknown', url }
}

/** `archive-path`: uploaded later, when the app is ready for it. */
export function localSource(settings: Settings): Source {
  return { kind: 'local', ...artifactCommit(settings), archiveUrl: '', visibility: 'unknown' }
}

/** A commit of a GitHub repository: its full SHA and visibility. The signed archive URL of a private one is minted later, just in time. */
export async function githubSource(
  github: GitHubClient,
  serverUrl: string,
  repo: Repository,
  ref: string
): Promise<Source> {
  const visibility = await github.getVisibility(repo)
  const sha = await github.resolveSha(repo, ref)
  return { kind: 'github', sha, gitRef: sha, archiveUrl: publicArchiveUrl(serverUrl, repo, sha), visibility }
}

/** workflow_run: the commit CI tested (the run's head_sha), not GITHUB_SHA (the default branch's head). */
export function workflowRunHeadSha(eventPath: string): string {
  let sha: unknown
  try {
    sha = (JSON.parse(readFileSync(eventPath, 'utf8')) as { workflow_run?: { head_sha?: unknown } }).workflow_run
      ?.head_sha
  } catch {
    throw new ActionError(
      'this workflow runs on workflow_run, but its event payload (GITHUB_EVENT_PATH) could not be read to find the commit CI tested',
      'give ref: ${{ github.event.workflow_run.head_sha }}'
    )
  }
  if (typeof sha !== 'string' || !isFullSha(sha)) {
    throw new ActionError(
      'the workflow_run event has no head_sha commit to deploy',
      'give ref: ${{ github.event.workflow_run.head_sha }}'
    )
  }
  return sha.toLowerCase()
}

/**
 * On a tag push, a `ref` naming the workflow's own tag must still be the
 * commit the run was started for: the tag may have moved since, or a
 * branch of the same name wins (GitHub resolves a bare name to a branch first).
 */
export function checkTagDidNotMove(settings: Settings, resolved: string): void {
  const { workflow, ref, refFrom } = settings
  if (refFrom !== 'input' || workflow.refType !== 'tag' || !isFullSha(workflow.sha)) return
  // `v1.2.0`, `tags/v1.2.0` and `refs/tags/v1.2.0` are the same tag.
  if (!namesTag(ref, workflow.refName)) return
  if (resolved === workflow.sha.toLowerCase()) return
  throw new ActionError(
    `ref "${ref}" is the tag this workflow was pushed for, at ${workflow.sha.toLowerCase()}, but GitHub now resolves it to ${resolved}: the tag moved since the push, or a branch has the same name (GitHub resolves a bare name to the branch first)`,
    'leave ref empty to deploy the commit the workflow runs for, or give the full SHA'
  )
}
