import { readFileSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { InputError } from '../lib/errors.js'
import { registerSecrets } from '../lib/secrets.js'
import { quote } from '../lib/text.js'
import { type EnvVariable, parseDotenv } from '../settings/dotenv.js'
import { INPUTS } from '../settings/inputs.js'

/** Files the workflow gives us: read only from inside the workspace. */

const MAX_ENV_FILE_BYTES = 1024 * 1024

/**
 * The real path of a file given as an input, which must be inside the
 * workspace: no `../` escape, no symlink pointing out (a pull request's
 * author controls the workspace's files).
 */
export function fileInWorkspace(input: string, workspace: string, name: string): string {
  const path = isAbsolute(input) ? input : resolve(workspace, input)
  let real: string
  try {
    real = realpathSync(path)
  } catch {
    throw new InputError(name, `${quote(input, 80)} was not found in the workspace`)
  }
  const inside = relative(realpathSync(workspace), real)
  if (inside.startsWith('..') || isAbsolute(inside)) throw new InputError(name, 'must be a file inside the workspace')
  if (!statSync(real).isFile()) throw new InputError(name, 'must be a file')
  return real
}

/** Reads a text file from inside the workspace. */
export function readWorkspaceFile(input: string, workspace: string, name: string): { path: string; text: string } {
  const real = fileInWorkspace(input, workspace, name)
  if (statSync(real).size > MAX_ENV_FILE_BYTES) throw new InputError(name, 'is larger than 1 MB')
  return { path: real, text: readFileSync(real, 'utf8') }
}

/** `env-file`: read from the workspace, parsed as `scalingo env-set --file` does, its values masked. */
export function readEnvFile(input: string, workspace: string): { path: string; variables: EnvVariable[] } {
  const { path, text } = readWorkspaceFile(input, workspace, INPUTS.envFile)
  const variables = parseDotenv(text, INPUTS.envFile)
  registerSecrets(variables.map(v => v.value))
  return { path, variables }
}
