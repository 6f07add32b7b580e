/**
 * `npx tsx scripts/check-release.ts v1.2.3`: may this tag be released? It
 * must be the version in package.json (and the User-Agent's), and
 * CHANGELOG.md must have an entry for it. The release workflow runs it
 * before anything is published.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../sandbox/run-action.js'
import { VERSION } from '../src/lib/version.js'

/** What is wrong with releasing `tag`, or nothing. */
export function releaseProblems(
  tag: string,
  packageVersion: string,
  changelog: string,
  userAgentVersion = packageVersion
): string[] {
  const problems: string[] = []
  const m = /^v(\d+\.\d+\.\d+)$/.exec(tag)
  if (!m) return [`${tag} is not a vX.Y.Z tag`]
  const version = m[1]
  if (version !== packageVersion) problems.push(`${tag} does not match package.json's version ${packageVersion}`)
  if (userAgentVersion !== packageVersion)
    problems.push(`src/lib/version.ts says ${userAgentVersion}, package.json ${packageVersion}`)
  const escaped = version.replace(/\./g, '\\.')
  if (!new RegExp(`^## \\[${escaped}\\]`, 'm').test(changelog))
    problems.push(`CHANGELOG.md has no "## [${version}]" entry`)
  return problems
}

const isMain = process.argv[1]?.endsWith('check-release.ts')
if (isMain) {
  const tag = process.argv[2] ?? ''
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const problems = releaseProblems(tag, pkg.version, readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), VERSION)
  for (const p of problems) console.error(`::error::${p}`)
  process.exit(problems.length ? 1 : 0)
}
