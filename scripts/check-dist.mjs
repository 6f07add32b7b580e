// The one check that dist/ is sound, run after every `npm run bundle`:
// ncc silently emits a broken bundle when a module cannot be resolved
// (CommonJS project + ESM-only @actions packages): refuse to keep one.
// With --committed (CI, release, `npm run check-dist`): dist/ must also be
// exactly what is committed, so users run what src/ says.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const bundle = readFileSync(new URL('../dist/index.js', import.meta.url), 'utf8')
const pkg = JSON.parse(readFileSync(new URL('../dist/package.json', import.meta.url), 'utf8'))
const problems = []
if (bundle.includes('webpackMissingModule'))
  problems.push('dist/index.js contains webpackMissingModule: a dependency was not bundled')
if (pkg.type !== 'module') problems.push('dist/package.json must declare "type": "module"')
if (bundle.length < 10_000) problems.push(`dist/index.js is suspiciously small (${bundle.length} bytes)`)
if (process.argv.includes('--committed')) {
  const changed = execFileSync('git', ['status', '--porcelain', '--', 'dist'], { encoding: 'utf8' }).trim()
  if (changed) problems.push(`dist/ does not match src/: run 'npm run bundle' and commit dist/\n${changed}`)
}
if (problems.length) {
  for (const p of problems) console.error(`check-dist: ${p}`)
  process.exit(1)
}
