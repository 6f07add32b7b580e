import * as log from '../lib/log.js'
import { ActionError, describeError } from '../lib/errors.js'
import { type AppState, RECENT, inFlight } from './appstate.js'
import type { RunContext } from './context.js'

/**
 * A source that expires (a signed GitHub URL lasts 5 minutes, a Scalingo
 * source 10) is handed over only when the app is free: Scalingo runs one
 * deployment of an app at a time, and whether it fetches the archive when
 * the deployment is created or when its build starts is undocumented.
 * Waits, bounded by the timeout, until no deployment is queued or running.
 */

/** How often the app's deployments are looked at while waiting (an account gets about 60 requests a minute): soon, then every 5 s. */
const WAIT_POLLS_MS = [2_000, 3_000, 5_000]

export async function waitUntilFree(ctx: RunContext, state: AppState): Promise<void> {
  const { clock, deadline, scalingo } = ctx
  let busy = state.recent ? inFlight(state.recent) : []
  if (busy.length === 0) return
  const first = busy[0]
  log.info(
    `Waiting until deployment ${first.id} (${first.status}) ends before handing Scalingo an archive that expires: ` +
      `Scalingo runs one deployment of an app at a time, and ours could wait in the queue past the archive's expiry`
  )
  for (let i = 0; busy.length > 0; i++) {
    const pause = WAIT_POLLS_MS[Math.min(i, WAIT_POLLS_MS.length - 1)]
    if (clock.now() + pause >= deadline) {
      throw new ActionError(
        `the app was still busy at the timeout (deployment ${busy[0].id} is ${busy[0].status}); nothing was created`,
        'run the workflow again once it is done, or raise timeout'
      )
    }
    await clock.sleep(pause)
    try {
      state.recent = await scalingo.listDeployments(RECENT)
      busy = inFlight(state.recent)
    } catch (err) {
      log.debug(`could not list the app's deployments while waiting: ${describeError(err)}`)
    }
  }
  log.info('The app is free: handing over the archive now')
}
