import { readFileSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { InputError } from '../lib/errors.js'

/** Files the workflow gives us: read only from inside the workspace. */

const MAX_ENV_FILE_BYTES = 1024 * 1024

/** Reads a text file, which must be inside the workspace (no `../` escape, no symlink out). */
export function readWorkspaceFile(input: string, workspace: string, name: string): { path: string; text: string } {
  const path = isAbsolute(input) ? input : resolve(workspace, input)
  let real: string
  try {
    real = realpathSync(path)
  } catch {
    throw new InputError(name, `${JSON.stringify(input.slice(0, 80))} was not found in the workspace`)
  }
  const inside = relative(realpathSync(workspace), real)
  if (inside.startsWith('..') || isAbsolute(inside)) throw new InputError(name, 'must be a file inside the workspace')
  const st = statSync(real)
  if (!st.isFile()) throw new InputError(name, 'must be a file')
  if (st.size > MAX_ENV_FILE_BYTES) throw new InputError(name, 'is larger than 1 MB')
  return { path: real, text: readFileSync(real, 'utf8') }
}
