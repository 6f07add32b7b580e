import { InputError } from '../lib/errors.js'
import { hasControlChars, quote } from '../lib/text.js'
import { type EnvVariable, parseVariableLines } from './dotenv.js'
import { RUN_INPUTS, type InputReader } from './inputs.js'
import { parseBoolean, parseDuration } from './parse.js'
import { type Target, readTarget } from './settings.js'

/**
 * The `run` action's inputs, validated before any request: the target as
 * the deploy action reads it, then the command and its environment.
 */

export const DEFAULT_RUN_TIMEOUT = '1h'

/** The shortest `env` value whose presence in `command` is refused (shorter ones say nothing). */
const MIN_VALUE_IN_COMMAND = 4

export interface OneOffSettings extends Target {
  /** The command line, sent as one string, as `scalingo run` sends it. */
  command: string
  /** The one-off's own environment (the request's `env`). */
  env: EnvVariable[]
  /** Container size (M, L, 2XL…); undefined: Scalingo's default. */
  size?: string
  detached: boolean
  timeoutSeconds: number
  dryRun: boolean
}

/** A command line: any text but control characters other than tab and line breaks (a YAML block); '' when empty. */
export function readCommandText(input: string, value: string): string {
  const command = value.trim()
  if (hasControlChars(command.replace(/[\t\r\n]/g, ' ')))
    throw new InputError(input, 'must not hold control characters')
  if (command.length > 16 * 1024) throw new InputError(input, 'must be at most 16 KiB')
  return command
}

/** `command`: required. */
function readCommand(get: InputReader): string {
  const command = readCommandText(RUN_INPUTS.command, get(RUN_INPUTS.command))
  if (command === '') throw new InputError(RUN_INPUTS.command, 'is required: the command to run in a one-off container')
  return command
}

/**
 * Scalingo keeps one-off commands in its audit log and the app's events:
 * a secret belongs in `env`. Refused when `command` holds the API token or
 * the value of an `env` entry, naming the variable, never the value.
 */
export function refuseSecretsInCommand(
  command: string,
  env: EnvVariable[],
  apiToken: string,
  input: string = RUN_INPUTS.command
): void {
  if (apiToken.length >= MIN_VALUE_IN_COMMAND && command.includes(apiToken)) {
    throw new InputError(
      input,
      "contains the API token: Scalingo records one-off commands in the app's events and audit log"
    )
  }
  for (const v of env) {
    if (v.value.length >= MIN_VALUE_IN_COMMAND && command.includes(v.value)) {
      throw new InputError(
        input,
        `contains the value of env ${v.name}: Scalingo records one-off commands in the app's events and audit log; refer to it as $${v.name} instead`
      )
    }
  }
}

export function readOneOffSettings(get: InputReader): OneOffSettings {
  const target = readTarget(get)
  const command = readCommand(get)
  const env = parseVariableLines(get(RUN_INPUTS.env), RUN_INPUTS.env)
  refuseSecretsInCommand(command, env, target.apiToken)
  const sizeInput = get(RUN_INPUTS.size).trim()
  if (sizeInput && !/^[A-Za-z0-9]{1,8}$/.test(sizeInput))
    throw new InputError(
      RUN_INPUTS.size,
      `${quote(sizeInput)} is not a container size; expected letters and digits, like M, L or 2XL`
    )
  const detached = parseBoolean(RUN_INPUTS.detached, get(RUN_INPUTS.detached), false)
  const timeoutSeconds = parseDuration(RUN_INPUTS.timeout, get(RUN_INPUTS.timeout) || DEFAULT_RUN_TIMEOUT)
  const dryRun = parseBoolean(RUN_INPUTS.dryRun, get(RUN_INPUTS.dryRun), false)
  return { ...target, command, env, size: sizeInput || undefined, detached, timeoutSeconds, dryRun }
}
