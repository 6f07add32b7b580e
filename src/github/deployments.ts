import * as log from '../lib/log.js'
import { HttpError, describeError } from '../lib/errors.js'
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
    private readonly environment: string
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
          description: description.slice(0, 140),
          auto_merge: false,
          required_contexts: [],
          transient_environment: false,
          production_environment: /^prod(uction)?$/i.test(this.environment)
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
    try {
      await this.github.request({
        method: 'POST',
        path: `${repoPath(this.repo)}/deployments/${this.id}/statuses`,
        retry: 'idempotent',
        json: {
          state,
          log_url: opts.logUrl,
          environment_url: opts.environmentUrl,
          description: opts.description?.slice(0, 140),
          auto_inactive: state === 'success'
        }
      })
    } catch (err) {
      this.giveUp(err)
    }
  }
}
