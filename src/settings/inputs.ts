import { registerSecret, registerSecretUrl } from '../lib/secrets.js'
import { variableValues } from './dotenv.js'

/**
 * Every input the action reads, by the name users write in `with:`. The
 * code reads inputs only through this table, and the metadata tests check
 * it against action.yml.
 */
export const INPUTS = {
  app: 'app',
  apiToken: 'api-token',
  region: 'region',
  ref: 'ref',
  repository: 'repository',
  githubToken: 'github-token',
  sourceUrl: 'source-url',
  wait: 'wait',
  timeout: 'timeout',
  apiUrl: 'api-url',
  authUrl: 'auth-url',
  force: 'force',
  dryRun: 'dry-run',
  envFile: 'env-file',
  environment: 'environment',
  promoteFrom: 'promote-from',
  promoteFromApiToken: 'promote-from-api-token',
  promoteFromRegion: 'promote-from-region',
  archivePath: 'archive-path',
  archiveTransfer: 'archive-transfer',
  variables: 'variables',
  healthCheck: 'health-check',
  healthCheckTimeout: 'health-check-timeout',
  rollback: 'rollback',
  notifyWebhook: 'notify-webhook',
  notifyOn: 'notify-on'
} as const

export type InputName = (typeof INPUTS)[keyof typeof INPUTS]

/** The `run` action's own inputs (`app`, `api-token`, `region`, `api-url`, `auth-url` are read as the deploy action's). */
export const RUN_INPUTS = {
  command: 'command',
  env: 'env',
  size: 'size',
  detached: 'detached',
  timeout: 'timeout',
  dryRun: 'dry-run'
} as const

export type RunInputName = (typeof RUN_INPUTS)[keyof typeof RUN_INPUTS]

/**
 * The `review-app` action's own inputs (`api-token`, `region`, `api-url`,
 * `auth-url`, `github-token`, `timeout`, `wait`, `health-check`,
 * `health-check-timeout`, `env-file`, `variables`, `dry-run` and
 * `environment` are read as the deploy action's).
 */
export const REVIEW_INPUTS = {
  parent: 'parent',
  pullRequest: 'pull-request',
  name: 'name',
  mode: 'mode',
  addons: 'addons',
  copyVariables: 'copy-variables',
  afterCreate: 'after-create',
  forks: 'forks',
  comment: 'comment'
} as const

export type ReviewInputName = (typeof REVIEW_INPUTS)[keyof typeof REVIEW_INPUTS]

/** Inputs that hold secrets: masked before anything else reads them. */
export const SECRET_INPUTS: InputName[] = [
  INPUTS.apiToken,
  INPUTS.githubToken,
  INPUTS.promoteFromApiToken,
  INPUTS.notifyWebhook
]

/** Reads one input by name (`core.getInput` in the action, a map in tests). */
export type InputReader = (name: InputName | RunInputName | ReviewInputName) => string

/** The `run` action's secrets: the API token and every `env` value, masked before anything else reads them. */
export function maskRunInputs(get: InputReader): void {
  registerSecret(get(INPUTS.apiToken))
  maskWebhook(get)
  for (const value of variableValues(get(RUN_INPUTS.env))) registerSecret(value)
}

/** The webhook URL, whole and its path's parts (the path is the credential), before anything can print it. */
function maskWebhook(get: InputReader): void {
  const url = get(INPUTS.notifyWebhook).trim()
  if (url) registerSecretUrl(url, { path: true })
}

export function maskSecretInputs(get: InputReader): void {
  for (const name of SECRET_INPUTS) registerSecret(get(name))
  maskWebhook(get)
  for (const value of variableValues(get(INPUTS.variables))) registerSecret(value)
}
