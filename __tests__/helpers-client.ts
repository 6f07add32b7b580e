import { afterEach } from '@jest/globals'
import { Http } from '../src/lib/http.js'
import { ScalingoClient } from '../src/scalingo/client.js'
import { DEFAULT_API_TOKEN, ScalingoSandbox, type ScalingoOptions } from '../sandbox/index.js'

/** Our HTTP client with retries of a millisecond or two, so unit tests of retried calls stay fast. */
export function quickHttp(): Http {
  return new Http({ userAgent: 'test', retry: { baseDelayMs: 1, maxDelayMs: 2 } })
}

type ClientOptions = ConstructorParameters<typeof ScalingoClient>[1]

/**
 * A Scalingo sandbox and our client for my-app on it, with quick retries,
 * closed after each test: for the unit tests of the client and what it drives.
 * `setup` again in a test replaces the sandbox; `client` makes another client
 * on the current one (another token, another app).
 */
export function sandboxClient(): {
  setup: (opts?: ScalingoOptions) => Promise<ScalingoClient>
  sandbox: () => ScalingoSandbox
  client: (over?: Partial<ClientOptions>) => ScalingoClient
} {
  let sb: ScalingoSandbox | undefined
  let http: Http | undefined
  const close = async (): Promise<void> => {
    http?.dispose()
    await sb?.close()
  }
  afterEach(close)
  const client = (over: Partial<ClientOptions> = {}): ScalingoClient =>
    new ScalingoClient(http!, {
      apiUrl: sb!.apiUrl,
      authUrl: sb!.authUrl,
      apiToken: DEFAULT_API_TOKEN,
      app: 'my-app',
      region: 'osc-fr1',
      ...over
    })
  return {
    setup: async (opts = {}) => {
      await close()
      sb = await new ScalingoSandbox(opts).start()
      http = quickHttp()
      return client()
    },
    sandbox: () => sb!,
    client
  }
}
