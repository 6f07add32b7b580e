import * as log from '../lib/log.js'
import type { GitHubClient, Repository } from '../github/client.js'
import { describeError } from '../lib/errors.js'
import { listSome } from '../lib/text.js'

/**
 * GitHub's archive of a commit is not always what CI tested: submodule
 * folders are empty, Git LFS files stay pointer files (unless the
 * repository includes LFS objects in its archives), `export-ignore` paths
 * are left out. Read from `.gitmodules` and `.gitattributes` at the commit,
 * one sentence per problem.
 */

/** The submodule paths of a `.gitmodules` file. */
export function submodulePaths(gitmodules: string): string[] {
  return [...gitmodules.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)].map(m => m[1])
}

/** The patterns of `.gitattributes` lines carrying an attribute (`filter=lfs`, `export-ignore`). */
export function patternsWith(gitattributes: string, attribute: RegExp): string[] {
  return gitattributes
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '' && !l.startsWith('#'))
    .map(l => l.split(/\s+/))
    .filter(([, ...attrs]) => attrs.some(a => attribute.test(a)))
    .map(([pattern]) => pattern)
}

/** What GitHub's archive of this commit will lack, one sentence per problem (empty: none found). */
export function archiveProblems(gitmodules: string | undefined, gitattributes: string | undefined): string[] {
  const problems: string[] = []
  const submodules = gitmodules ? submodulePaths(gitmodules) : []
  if (submodules.length > 0) {
    problems.push(`GitHub's archive leaves submodule folders empty: ${listSome(submodules, 5)} will be deployed empty`)
  }
  const lfs = gitattributes ? patternsWith(gitattributes, /^filter=lfs$/) : []
  if (lfs.length > 0) {
    problems.push(
      `Git LFS files (${listSome(lfs, 5)}) are pointer files in GitHub's archive unless the repository includes LFS objects in archives (Settings → Archives)`
    )
  }
  const ignored = gitattributes ? patternsWith(gitattributes, /^export-ignore$/) : []
  if (ignored.length > 0) problems.push(`export-ignore paths are left out of GitHub's archive: ${listSome(ignored, 5)}`)
  return problems
}

/** Reads `.gitmodules` and `.gitattributes` at the commit; a file that cannot be read costs only the check. */
export async function checkArchiveContents(github: GitHubClient, repo: Repository, sha: string): Promise<string[]> {
  try {
    const [gitmodules, gitattributes] = await Promise.all([
      github.getFile(repo, '.gitmodules', sha),
      github.getFile(repo, '.gitattributes', sha)
    ])
    return archiveProblems(gitmodules, gitattributes)
  } catch (err) {
    log.debug(`could not read .gitmodules/.gitattributes at ${sha}: ${describeError(err)}`)
    return []
  }
}
