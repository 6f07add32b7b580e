// ncc silently emits a broken bundle when a module cannot be resolved
// (CommonJS project + ESM-only @actions packages): refuse to keep one.
import { readFileSync } from 'node:fs'

const bundle = readFileSync(new URL('../dist/index.js', import.meta.url), 'utf8')
const pkg = JSON.parse(readFileSync(new URL('../dist/package.json', import.meta.url), 'utf8'))
const problems = []
if (bundle.includes('webpackMissingModule')) problems.push('dist/index.js contains webpackMissingModule: a dependency was not bundled')
if (pkg.type !== 'module') problems.push('dist/package.json must declare "type": "module"')
if (bundle.length < 10_000) problems.push(`dist/index.js is suspiciously small (${bundle.length} bytes)`)
if (problems.length) {
  for (const p of problems) console.error(`check-dist: ${p}`)
  process.exit(1)
}
