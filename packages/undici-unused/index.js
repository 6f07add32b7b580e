'use strict'
/**
 * @actions/http-client (imported by @actions/core too) imports undici for
 * one thing: the ProxyAgent its getAgentDispatcher() builds for fetch()
 * behind a proxy. These actions never call it: every request goes through
 * HttpClient (Node's http and https; proxies through `tunnel`). Bundled, the
 * real undici is evaluated at start-up all the same: ~900 kB of the bundle,
 * ~60 ms of start-up and ~9 MB of memory on Node 24 (npm run bench). This
 * workspace package takes its place for undici ^6 (package.json
 * `workspaces`); whatever reaches for ProxyAgent gets a clear error, never a
 * half-working proxy.
 */
class ProxyAgent {
  constructor() {
    throw new Error('undici is not bundled with these actions: ProxyAgent (fetch() through a proxy) is unavailable')
  }
}

/**
 * Node's own fetch (undici inside Node). Only for dev tools that import it
 * from 'undici' without declaring it (@github/local-action's GitHub stub);
 * nothing in the bundle uses it.
 */
function fetch(input, init) {
  return globalThis.fetch(input, init)
}

module.exports = { ProxyAgent, fetch }
