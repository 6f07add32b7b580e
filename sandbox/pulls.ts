import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type GitHubSandbox, type SandboxPull, pullJson } from './github.js'

/**
 * A pull request in the GitHub sandbox and the runner's view of its event:
 * the payload file (GITHUB_EVENT_PATH) and the GITHUB_* variables of a
 * `pull_request` workflow run.
 */

export interface PullEvent {
  number?: number
  /** opened, synchronize, reopened, closed. */
  action?: string
  headSha: string
  headRef?: string
  /** owner/name of the head repository (a fork when not the base); null: the fork was deleted. */
  headRepo?: string | null
  /** owner/name of the base repository (default acme/shop). */
  repo?: string
}

/** Registers the pull request (its head commit reachable in both repositories) and writes its event. */
export function pullRequestEnv(github: GitHubSandbox, e: PullEvent): Record<string, string> {
  const repo = e.repo ?? 'acme/shop'
  const number = e.number ?? 12
  const action = e.action ?? 'opened'
  const pull: SandboxPull = {
    repo,
    number,
    state: action === 'closed' ? 'closed' : 'open',
    head: { sha: e.headSha, ref: e.headRef ?? 'feature/login', repo: e.headRepo === undefined ? repo : e.headRepo }
  }
  const existing = github.pulls.findIndex(p => p.repo === repo && p.number === number)
  if (existing >= 0) github.pulls.splice(existing, 1)
  github.pulls.push(pull)
  for (const name of [repo, pull.head.repo]) {
    const spec = name ? github.repos[name] : undefined
    if (spec && !(spec.commits ?? []).includes(e.headSha)) spec.commits = [...(spec.commits ?? []), e.headSha]
  }
  const dir = mkdtempSync(join(tmpdir(), 'pr-event-'))
  const path = join(dir, 'event.json')
  writeFileSync(path, JSON.stringify({ action, number, pull_request: pullJson(pull) }))
  return {
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: path,
    GITHUB_REF: `refs/pull/${number}/merge`,
    GITHUB_HEAD_REF: pull.head.ref,
    GITHUB_BASE_REF: 'main'
  }
}
