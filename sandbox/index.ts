import { GitHubSandbox, type GitHubOptions, DEFAULT_GITHUB_TOKEN, SHA_MAIN } from './github.js'
import { ScalingoSandbox, type ScalingoOptions, DEFAULT_API_TOKEN } from './scalingo.js'
import { WebhookReceiver, type WebhookBehaviour } from './webhook.js'

export * from './github.js'
export * from './scalingo.js'
export * from './http-util.js'
export * from './run-action.js'
export * from './proxy.js'
export * from './tarball.js'
export * from './oneoff.js'
export * from './childapps.js'
export * from './pulls.js'
export * from './webhook.js'

export interface SandboxOptions {
  scalingo?: ScalingoOptions
  github?: GitHubOptions
  /** The chat's incoming webhook (always started; `sandbox.webhook.url`). */
  webhook?: WebhookBehaviour
}

export interface Sandbox {
  scalingo: ScalingoSandbox
  github: GitHubSandbox
  webhook: WebhookReceiver
  /** Inputs as the runner passes them (INPUT_<NAME>, hyphens kept) plus the workflow's GITHUB_* variables. */
  env(inputs?: Record<string, string>): Record<string, string>
  close(): Promise<void>
}

/** The runner's GITHUB_* variables for a workflow in acme/shop at SHA_MAIN. */
export function workflowEnv(github: GitHubSandbox): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: SHA_MAIN,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_API_URL: github.apiUrl,
    GITHUB_SERVER_URL: github.serverUrl,
    GITHUB_RUN_ID: '4242',
    GITHUB_WORKFLOW: 'Release'
  }
}

export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v
  return env
}

/** Every sandbox of this process, so a suite-wide check can collect their secrets. */
export const allSandboxes: Sandbox[] = []

/** What a sandbox handed out that must never be seen: bearers, signed archive tokens. */
export function sandboxSecrets(sb: Sandbox): string[] {
  return [
    ...sb.scalingo.bearers.keys(),
    ...sb.github.signed.keys(),
    ...sb.scalingo.secrets,
    ...sb.scalingo.childApps.secrets,
    sb.webhook.path.slice(sb.webhook.path.lastIndexOf('/') + 1)
  ]
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const scalingo = await new ScalingoSandbox(opts.scalingo).start()
  const github = await new GitHubSandbox(opts.github).start()
  const webhook = await new WebhookReceiver(opts.webhook).start()
  const sandbox: Sandbox = {
    scalingo,
    github,
    webhook,
    env(inputs = {}) {
      return {
        // Debug output on, as with ACTIONS_STEP_DEBUG: the secrets scan covers it.
        RUNNER_DEBUG: '1',
        ...workflowEnv(github),
        ...inputEnv({
          app: 'my-app',
          'api-token': DEFAULT_API_TOKEN,
          'github-token': DEFAULT_GITHUB_TOKEN,
          'api-url': scalingo.apiUrl,
          'auth-url': scalingo.authUrl,
          ...inputs
        })
      }
    },
    async close() {
      await Promise.all([scalingo.close(), github.close(), webhook.close()])
    }
  }
  allSandboxes.push(sandbox)
  return sandbox
}
export * from './scenarios.js'
