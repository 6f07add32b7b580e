import { readFileSync } from 'node:fs'
import { type PullRequest, readPullRequest } from '../github/pulls.js'
import type { Repository } from '../github/client.js'
import { InputError } from '../lib/errors.js'
import { quote } from '../lib/text.js'
import { INPUTS, REVIEW_INPUTS, type InputReader } from './inputs.js'
import { readCommandText, refuseSecretsInCommand } from './oneoff.js'
import {
  parseAppName,
  parseBaseUrl,
  parseBoolean,
  parseChoice,
  parseRepository,
  parseServerUrl,
  parseToken
} from './parse.js'
import { type BehaviourSettings, type Target, readBehaviour, readTarget } from './settings.js'

/**
 * The `review-app` action's inputs and the pull request it is for,
 * validated before any request: the parent as the deploy action reads an
 * app, the review app's name, what to do, and what to bring along.
 */

/** The longest review-app name made by default: the child-apps docs say 32 (the API allows 48 since 2021). */
export const MAX_DEFAULT_NAME = 32

export type ReviewMode = 'auto' | 'deploy' | 'destroy'

export type AddonsWanted =
  | { kind: 'copy' }
  | { kind: 'none' }
  /** `provider:plan` lines; the plan by name (resolved to its id) or by id. */
  | { kind: 'list'; items: { provider: string; plan: string }[] }

export interface ReviewGitHub {
  token: string
  apiUrl: string
  serverUrl: string
  /** The workflow's repository (GITHUB_REPOSITORY): the pull request's base. */
  repository: Repository
}

export interface ReviewAppSettings {
  /** The parent app, its region and the token of its account. */
  target: Target
  /** The review app's name. */
  name: string
  mode: ReviewMode
  pullRequest: number
  /** The pull request as the event describes it (undefined on other events: read from the API). */
  event?: PullRequest
  addons: AddonsWanted
  copyVariables: boolean
  /** Run once after the review app's first successful deployment. */
  afterCreate?: string
  forks: boolean
  comment: boolean
  behaviour: BehaviourSettings
  github: ReviewGitHub
}

/**
 * `<parent>-pr<number>`; past `max` characters the parent part is cut,
 * `-pr<number>` kept, and no hyphen is left at the cut (a name has no
 * double or trailing hyphen). Pure.
 */
export function reviewAppName(parent: string, number: number, max = MAX_DEFAULT_NAME): string {
  const suffix = `-pr${number}`
  const room = Math.max(1, max - suffix.length)
  const head = parent.slice(0, room).replace(/-+$/, '')
  return `${head || parent.slice(0, 1)}${suffix}`
}

const PROVIDER = /^[a-z0-9][a-z0-9-]{0,62}$/
const PLAN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

/** `copy` (default), `none`, or `provider:plan` lines (blank lines and # comments ignored). */
export function parseAddons(value: string): AddonsWanted {
  const text = value.trim()
  if (text === '' || text === 'copy') return { kind: 'copy' }
  if (text === 'none') return { kind: 'none' }
  const items: { provider: string; plan: string }[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const [provider, plan, extra] = line.split(':').map(x => x.trim())
    if (extra !== undefined || !PROVIDER.test(provider ?? '') || !PLAN.test(plan ?? '')) {
      throw new InputError(
        REVIEW_INPUTS.addons,
        `${quote(line)} is not provider:plan (e.g. postgresql:postgresql-starter-512); or give copy or none`
      )
    }
    if (items.some(i => i.provider === provider))
      throw new InputError(REVIEW_INPUTS.addons, `names ${provider} twice: one addon per provider`)
    items.push({ provider, plan })
  }
  if (items.length === 0) return { kind: 'none' }
  return { kind: 'list', items }
}

/** The event's pull request, when the workflow runs on one. */
function eventPullRequest(env: NodeJS.ProcessEnv, base: Repository): PullRequest | undefined {
  const event = env.GITHUB_EVENT_NAME ?? ''
  if (event !== 'pull_request' && event !== 'pull_request_target') return undefined
  let payload: { action?: unknown; pull_request?: unknown }
  try {
    payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as typeof payload
  } catch {
    throw new InputError(
      REVIEW_INPUTS.pullRequest,
      `this workflow runs on ${event}, but its event payload (GITHUB_EVENT_PATH) could not be read`
    )
  }
  if (!payload?.pull_request) return undefined
  return readPullRequest(payload.pull_request, typeof payload.action === 'string' ? payload.action : '', base)
}

function readPullRequestNumber(get: InputReader, event: PullRequest | undefined, eventName: string): number {
  const input = get(REVIEW_INPUTS.pullRequest).trim().replace(/^#/, '')
  if (input === '') {
    if (event) return event.number
    throw new InputError(
      REVIEW_INPUTS.pullRequest,
      `is required on ${eventName || 'this'} events (only pull_request events carry one)`
    )
  }
  if (!/^[1-9]\d{0,9}$/.test(input))
    throw new InputError(REVIEW_INPUTS.pullRequest, `${quote(input)} is not a pull request number`)
  return Number(input)
}

function readName(get: InputReader, parent: string, number: number): string {
  const input = get(REVIEW_INPUTS.name).trim()
  const name = input ? parseAppName(REVIEW_INPUTS.name, input) : reviewAppName(parent, number)
  if (name.length < 6 || name.includes('--'))
    throw new InputError(
      REVIEW_INPUTS.name,
      `${quote(name)} is not a review-app name: 6 to 48 characters, no double hyphen`
    )
  if (name === parent) throw new InputError(REVIEW_INPUTS.name, 'is the parent app: a review app is another app')
  return name
}

function readReviewGitHub(get: InputReader, env: NodeJS.ProcessEnv): ReviewGitHub {
  const repoInput = env.GITHUB_REPOSITORY ?? ''
  if (!repoInput) throw new InputError('GITHUB_REPOSITORY', 'is not set; the review-app action runs in a workflow')
  return {
    token: parseToken(INPUTS.githubToken, get(INPUTS.githubToken)),
    apiUrl: parseBaseUrl('GITHUB_API_URL', env.GITHUB_API_URL || 'https://api.github.com'),
    serverUrl: parseServerUrl('GITHUB_SERVER_URL', env.GITHUB_SERVER_URL || 'https://github.com'),
    repository: parseRepository('GITHUB_REPOSITORY', repoInput)
  }
}

/** A review app waits for addons and a build, then may run after-create: one hour by default. */
export const DEFAULT_REVIEW_TIMEOUT = '1h'

/** The deploy action's behaviour inputs, less what a review app does not take (force, rollback). */
function readReviewBehaviour(get: InputReader, workspace: string): BehaviourSettings {
  return readBehaviour(name => {
    if (name === INPUTS.force || name === INPUTS.rollback) return ''
    if (name === INPUTS.timeout) return get(name) || DEFAULT_REVIEW_TIMEOUT
    return get(name)
  }, workspace)
}

export function readReviewAppSettings(get: InputReader, env: NodeJS.ProcessEnv): ReviewAppSettings {
  const target = readTarget(get, REVIEW_INPUTS.parent)
  const github = readReviewGitHub(get, env)
  const behaviour = readReviewBehaviour(get, env.GITHUB_WORKSPACE || process.cwd())
  const mode = parseChoice(REVIEW_INPUTS.mode, get(REVIEW_INPUTS.mode).trim(), ['auto', 'deploy', 'destroy'])
  const event = eventPullRequest(env, github.repository)
  const pullRequest = readPullRequestNumber(get, event, env.GITHUB_EVENT_NAME ?? '')
  const name = readName(get, target.app, pullRequest)
  const afterCreate = readCommandText(REVIEW_INPUTS.afterCreate, get(REVIEW_INPUTS.afterCreate)) || undefined
  if (afterCreate) {
    refuseSecretsInCommand(afterCreate, behaviour.variables, target.apiToken, REVIEW_INPUTS.afterCreate)
    if (!behaviour.wait)
      throw new InputError(REVIEW_INPUTS.afterCreate, 'needs wait: true (it runs once the deployment succeeded)')
  }
  return {
    target,
    name,
    mode,
    pullRequest,
    event: event?.number === pullRequest ? event : undefined,
    addons: parseAddons(get(REVIEW_INPUTS.addons)),
    copyVariables: parseBoolean(REVIEW_INPUTS.copyVariables, get(REVIEW_INPUTS.copyVariables), true),
    afterCreate,
    forks: parseBoolean(REVIEW_INPUTS.forks, get(REVIEW_INPUTS.forks), false),
    comment: parseBoolean(REVIEW_INPUTS.comment, get(REVIEW_INPUTS.comment), true),
    behaviour,
    github
  }
}
