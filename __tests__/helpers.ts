import { DEFAULT_API_TOKEN, DEFAULT_GITHUB_TOKEN, type ActionRun, type Sandbox } from '../sandbox/index.js'

/** Every secret this run may have seen: tokens, bearers, signed URLs and their tokens. */
export function secretsOf(sandbox: Sandbox, extra: string[] = []): string[] {
  const basic = Buffer.from(`:${DEFAULT_API_TOKEN}`).toString('base64')
  const secrets = [
    DEFAULT_API_TOKEN,
    DEFAULT_GITHUB_TOKEN,
    basic,
    ...sandbox.scalingo.bearers.keys(),
    ...sandbox.github.signed.keys(),
    ...extra
  ]
  return secrets.filter(s => s.length >= 8)
}

/**
 * Everything a person could read from a run: the log (less the runner's
 * own `::add-mask::` commands, which the runner swallows), stderr, outputs
 * and the summary.
 */
export function readable(run: ActionRun): string {
  const log = run.stdout
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
  return [log, run.stderr, JSON.stringify(run.outputs), run.summary].join('\n')
}

export function leaks(run: ActionRun, secrets: string[]): string[] {
  const text = readable(run)
  return secrets.filter(s => text.includes(s))
}

/** The commands the runner has registered (actions/runner ActionCommandManager), for the legacy `##[name]` form. */
const REGISTERED = [
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'debug',
  'warning',
  'error',
  'notice',
  'group',
  'endgroup',
  'echo',
  'stop-commands'
]
const LEGACY = new RegExp(`##\\[(${REGISTERED.join('|')})[\\] ]`)

/**
 * The workflow-command lines the runner would obey, as the runner reads the
 * log: `::command::` where a line starts (after leading space), or the
 * legacy `##[command]` anywhere in it; nothing between
 * `::stop-commands::<token>` and `::<token>::` counts.
 */
export function obeyedCommands(stdout: string): string[] {
  const obeyed: string[] = []
  let stopToken: string | undefined
  for (const raw of stdout.split('\n')) {
    const line = raw.trimStart()
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined
      continue
    }
    const stop = /^::stop-commands::(.+)$/.exec(line)
    if (stop) {
      stopToken = stop[1]
      continue
    }
    if (line.startsWith('::') || LEGACY.test(line)) obeyed.push(line)
  }
  return obeyed
}

/** The `::error::` lines of a run that the runner would turn into annotations. */
export function errorLines(run: ActionRun): string[] {
  return obeyedCommands(run.stdout).filter(l => l.startsWith('::error'))
}

export function scalingoCalls(sandbox: Sandbox): string[] {
  return sandbox.scalingo.requests.map(r => `${r.method} ${r.path.replace(/\?.*$/, '')}`)
}

/** Deployment POSTs made to my-app: at most one per run. */
export function posts(sandbox: Sandbox): number {
  return scalingoCalls(sandbox).filter(c => c === 'POST /v1/apps/my-app/deployments').length
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejection<T = Error & Record<string, unknown>>(p: Promise<unknown>): Promise<T> {
  try {
    await p
  } catch (err) {
    return err as T
  }
  throw new Error('expected the promise to reject')
}

/**
 * Pieces of secrets in a text: each secret of which 12 or more consecutive
 * characters appear (a secret cut short is still a leak). Returns a label
 * per secret found, never the secret.
 */
export function partialLeaks(text: string, secrets: string[], window = 12): string[] {
  const hits: string[] = []
  for (const s of secrets) {
    for (let i = 0; i + window <= s.length; i++) {
      if (text.includes(s.slice(i, i + window))) {
        hits.push(`${window} characters of a secret (from its character ${i}, of ${s.length})`)
        break
      }
    }
  }
  return hits
}
