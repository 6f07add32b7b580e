import { afterEach } from '@jest/globals'
import { Http } from '../src/lib/http.js'
import { ScalingoClient } from '../src/scalingo/client.js'
import { DEFAULT_API_TOKEN, ScalingoSandbox, type ScalingoOptions } from '../sandbox/index.js'

/**
 * A Scalingo sandbox and our client for my-app on it, with quick retries,
 * closed after each test: for the unit tests of what the client drives.
 */
export function sandboxClient(): {
  setup: (opts?: ScalingoOptions) => Promise<ScalingoClient>
  sandbox: () => ScalingoSandbox
} {
  let sb: ScalingoSandbox | undefined
  let http: Http | undefined
  afterEach(async () => {
    http?.dispose()
    await sb?.close()
  })
  return {
    setup: async (opts = {}) => {
      sb = await new ScalingoSandbox(opts).start()
      http = new Http({ userAgent: 'test', retry: { baseDelayMs: 1, maxDelayMs: 2 } })
      return new ScalingoClient(http, {
        apiUrl: sb.apiUrl,
        authUrl: sb.authUrl,
        apiToken: DEFAULT_API_TOKEN,
        app: 'my-app',
        region: 'osc-fr1'
      })
    },
    sandbox: () => sb!
  }
}
