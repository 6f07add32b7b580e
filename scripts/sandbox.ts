/**
 * `npm run sandbox`: the loopback Scalingo + GitHub, left running so you can
 * point the action (or curl, or Scalingo's CLI) at it. Ctrl+C stops it.
 */
import { startSandbox } from '../sandbox/index.js'

const sandbox = await startSandbox()
const env = sandbox.env()
console.log('Sandbox up. Run the bundled action against it with:\n')
console.log(
  Object.entries(env)
    .map(([k, v]) => `  ${k}='${v}' \\`)
    .join('\n') + '\n  node dist/index.js\n'
)
console.log(`Stream: ${sandbox.scalingo.deploymentsUrl}/apps/my-app   Repositories: acme/shop (public), acme/secret-shop (private)`)
const stop = async (): Promise<void> => {
  await sandbox.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
