import { type Clock, formatDuration } from '../../lib/clock.js'
import { ActionError, describeError } from '../../lib/errors.js'
import * as log from '../../lib/log.js'
import { inert } from '../../lib/text.js'
import { attachUrlProblem } from '../../scalingo/attach.js'
import type { OneOffStarted, ScalingoClient } from '../../scalingo/client.js'
import { oneOffLogsCommand } from '../../scalingo/regions.js'
import type { OneOffSettings } from '../../settings/oneoff.js'
import { isAmbiguous } from '../create.js'
import { isTransient } from '../follower.js'

/**
 * Starting the one-off: the POST, sent at most once, and for an attached
 * one-off the operation polled on the API's own origin until it gives the
 * terminal's address.
 */

export async function startOneOff(client: ScalingoClient, s: OneOffSettings): Promise<OneOffStarted> {
  try {
    return await client.startOneOff({
      command: s.command,
      env: Object.fromEntries(s.env.map(v => [v.name, v.value])),
      size: s.size,
      detached: s.detached
    })
  } catch (err) {
    // The deployment POST's rule: an unclear answer means the command may be running, and it is never started again.
    if (!isAmbiguous(err)) throw err
    throw new ActionError(
      `the request to start the one-off got no clear answer (${describeError(err)}): the command may have started, and is not started again`,
      `check with: scalingo --app ${s.app} ps (and scalingo --app ${s.app} logs)`
    )
  }
}

/** Operation polls: the first soon, then about once a second (as the CLI). */
export function operationPollDelay(polls: number): number {
  return polls === 0 ? 200 : 1000
}

/** Polls the operation until it gives the attach URL; checks where that URL may take the bearer. */
export async function attachUrlOf(
  client: ScalingoClient,
  started: OneOffStarted,
  opts: { clock: Clock; deadline: number; apiUrl: string; stop: AbortSignal }
): Promise<string> {
  const id = started.operationId
  if (!id)
    throw new ActionError(
      `Scalingo started one-off ${started.label || '(no label)'} without saying which operation to follow (no operation_url, operation or Location)`,
      `its output goes to the app's logs: ${oneOffLogsCommand(client.config.region, client.config.app, started.label)}`
    )
  for (let polls = 0; ; polls++) {
    const wait = operationPollDelay(polls)
    if (opts.clock.now() + wait >= opts.deadline)
      throw new ActionError(
        `one-off ${started.label} was not ready to attach before the timeout (${formatDuration(opts.deadline - opts.clock.now())} left)`
      )
    await opts.clock.sleep(wait, opts.stop)
    if (opts.stop.aborted)
      throw new ActionError(
        `cancelled while one-off ${started.label} was starting: it may run on, not attached`,
        `its output goes to the app's logs: ${oneOffLogsCommand(client.config.region, client.config.app, started.label)}`
      )
    let op: Awaited<ReturnType<ScalingoClient['getOperation']>>
    try {
      op = await client.getOperation(id)
    } catch (err) {
      if (!isTransient(err)) throw err
      log.info(`(could not read the one-off's operation: ${describeError(err)}; still waiting)`)
      continue
    }
    if (op.status === 'error')
      throw new ActionError(
        `Scalingo could not start one-off ${started.label}: ${inert(op.error ?? 'the operation failed')}`
      )
    if (op.status !== 'done') continue
    if (!op.attachUrl) throw new ActionError(`Scalingo started one-off ${started.label} without an attach URL`)
    const problem = attachUrlProblem(op.attachUrl, opts.apiUrl)
    if (problem)
      throw new ActionError(
        `Scalingo's attach URL for one-off ${started.label} cannot be used: ${problem}; not sending the bearer token there`,
        `its output goes to the app's logs: ${oneOffLogsCommand(client.config.region, client.config.app, started.label)}`
      )
    return op.attachUrl
  }
}
