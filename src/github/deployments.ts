import * as log from '../lib/log.js'
import { HttpError, describeError, mayHaveBeenProcessed } from '../lib/errors.js'
import { cut } from '../lib/text.js'
import { repoPath } from './archives.js'
import type { GitHubClient, Repository } from './client.js'

/**
 * `environment`: a GitHub deployment for the commit, so the repository's
 * Environments page and the commit show what is live. Optional by nature:
 * without `deployments: write` it warns once and the Scalingo deployment
 * goes on.
 */

export type GitHubDeploymentState = 'in_progress' | 'success' | 'failure' | 'error'

export class GitHubDeployment {
  private id?: number
  private disabled = false
  /** Once a final state is recorded, nothing else is: a cancelled run's `error` is not overwritten. */
  private finished = false

  constructor(
    private readonly github: GitHubClient,
    private readonly repo: Repository,
    private readonly environment: string,
    private readonly options: { transient?: boolean } = {}
  ) {}

  get created(): boolean {
    return this.id !== undefined
  }

  /** For the summary: what was recorded, or why not. */
  describe(): string {
    if (this.id !== undefined) return `${this.id} in environment "${this.environment}"`
    return `not recorded in "${this.environment}" (see the warning)`
  }

  private giveUp(err: unknown): void {
    this.disabled = true
    const perm = err instanceof HttpError && (err.status === 403 || err.status === 404 || err.status === 401)
    log.warning(
      perm
        ? `Could not record a GitHub deployment in "${this.environment}" (${err.status}: ${err.serverMessage}); give the workflow "permissions: deployments: write". The Scalingo deployment goes on.`
        : `Could not record a GitHub deployment in "${this.environment}": ${describeError(err)}. The Scalingo deployment goes on.`
    )
  }

  async create(sha: string, description: string): Promise<void> {
    if (this.disabled) return
    try {
      const data = await this.github.json<{ id?: unknown }>({
        method: 'POST',
        path: `${repoPath(this.repo)}/deployments`,
        // Not retried blindly: a second POST would record a second deployment.
        retry: 'unsent-only',
        json: {
          ref: sha,
          environment: this.environment,
          description: cut(description, 140),
          auto_merge: false,
          required_contexts: [],
          transient_environment: this.options.transient === true,
          production_environment: !this.options.transient && /^prod(uction)?$/i.test(this.environment)
        }
      })
      if (typeof data.id !== 'number') throw new Error('GitHub answered without a deployment id')
      this.id = data.id
      log.info(`Recorded GitHub deployment ${this.id} in environment "${this.environment}"`)
    } catch (err) {
      this.giveUp(err)
    }
  }

  /** Posts a new status of the GitHub deployment. */
  async recordStatus(
    state: GitHubDeploymentState,
    opts: { logUrl?: string; environmentUrl?: string; description?: string } = {}
  ): Promise<void> {
    if (this.disabled || this.id === undefined || this.finished) return
    if (state !== 'in_progress') this.finished = true
    const path = `${repoPath(this.repo)}/deployments/${this.id}/statuses`
    const json = {
      state,
      log_url: opts.logUrl,
      environment_url: opts.environmentUrl,
      description: opts.description ? cut(opts.description, 140) : undefined,
      auto_inactive: state === 'success'
    }
    // A status POST is not idempotent (each one is recorded): after an unclear
    // answer, the statuses say whether it was, and it is posted again only if not.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.github.request({ method: 'POST', path, retry: 'unsent-only', json })
        return
      } catch (err) {
        if (attempt > 1 || !mayHaveBeenProcessed(err)) return this.giveUp(err)
        const recorded = await this.recorded(path, state, json.description)
        if (recorded === true) return
        if (recorded === undefined) return this.giveUp(err)
        log.debug(
          `GitHub deployment status ${state}: no clear answer (${describeError(err)}), and not recorded: posting it again`
        )
      }
    }
  }

  /** Whether the newest status already says `state` (GitHub lists newest first); undefined when it cannot be read. */
  private async recorded(path: string, state: string, description?: string): Promise<boolean | undefined> {
    try {
      const list = await this.github.json<unknown>({ method: 'GET', path: `${path}?per_page=5`, retry: 'idempotent' })
      if (!Array.isArray(list)) return undefined
      return (list as { state?: unknown; description?: unknown }[]).some(
        s => s?.state === state && (description === undefined || s.description === description)
      )
    } catch (err) {
      log.debug(`could not read the GitHub deployment's statuses: ${describeError(err)}`)
      return undefined
    }
  }
}

/**
 * A destroyed review app's environment: each of its GitHub deployments
 * marked `inactive` (the newest 100), so the pull request shows nothing
 * live. Optional by nature: a failure is a warning.
 */
export async function deactivateEnvironment(
  github: GitHubClient,
  repo: Repository,
  environment: string
): Promise<number> {
  try {
    const list = await github.json<unknown>({
      method: 'GET',
      path: `${repoPath(repo)}/deployments?environment=${encodeURIComponent(environment)}&per_page=100`,
      retry: 'idempotent'
    })
    const ids = Array.isArray(list)
      ? (list as { id?: unknown }[]).map(d => d?.id).filter((id): id is number => typeof id === 'number')
      : []
    for (const id of ids) {
      // Posting `inactive` twice records nothing new that matters: retried like a read.
      await github.request({
        method: 'POST',
        path: `${repoPath(repo)}/deployments/${id}/statuses`,
        json: { state: 'inactive', description: 'Review app destroyed' },
        retry: 'idempotent'
      })
    }
    log.info(`Marked ${ids.length} GitHub deployment${ids.length === 1 ? '' : 's'} of "${environment}" inactive`)
    return ids.length
  } catch (err) {
    log.warning(`Could not mark the GitHub environment "${environment}" inactive: ${describeError(err)}`)
    return 0
  }
}
