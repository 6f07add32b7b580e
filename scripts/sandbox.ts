/**
 * `npm run sandbox`: the loopback Scalingo + GitHub, left running so you can
 * point the action (or curl, or Scalingo's CLI) at it. Ctrl+C stops it.
 *
 * `--github-env`: also append SANDBOX_* variables to $GITHUB_ENV, so later
 * steps of a workflow can use the sandbox (see .github/workflows/self-test.yml).
 */
import { appendFileSync } from 'node:fs'
import { DEFAULT_API_TOKEN, SHA_MAIN, startSandbox } from '../sandbox/index.js'

const sandbox = await startSandbox()
const env = sandbox.env()
const shared = {
  SANDBOX_API_URL: sandbox.scalingo.apiUrl,
  SANDBOX_AUTH_URL: sandbox.scalingo.authUrl,
  SANDBOX_API_TOKEN: DEFAULT_API_TOKEN,
  SANDBOX_SOURCE_URL: `${sandbox.github.codeloadUrl}/acme/shop/tar.gz/${SHA_MAIN}`
}
if (process.argv.includes('--github-env') && process.env.GITHUB_ENV) {
  appendFileSync(
    process.env.GITHUB_ENV,
    Object.entries(shared)
      .map(([k, v]) => `${k}=${v}\n`)
      .join('')
  )
}
console.log('Sandbox up. Run the bundled action against it with:\n')
console.log(
  Object.entries(env)
    .map(([k, v]) => `  ${k}='${v}' \\`)
    .join('\n') + '\n  node dist/index.js\n'
)
console.log(
  `Stream: ${sandbox.scalingo.deploymentsUrl}/apps/my-app   Repositories: acme/shop (public), acme/secret-shop (private)`
)
const stop = async (): Promise<void> => {
  await sandbox.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
