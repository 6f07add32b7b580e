import * as log from '../lib/log.js'
import type { Clock } from '../lib/clock.js'
import { ActionError, describeError, mayHaveBeenProcessed } from '../lib/errors.js'
import { type Deployment, MalformedAnswerError, type ScalingoClient } from '../scalingo/client.js'

/**
 * Creates the deployment, at most once per run. When the POST's fate is
 * unknown (the connection dropped after sending or while the answer was
 * read, a 5xx, or a success we cannot read), we look the deployment up
 * rather than post again.
 */

/**
 * Clock skew allowed between the runner and Scalingo: a deployment with our
 * git_ref created more than this before we posted is an earlier run's.
 */
const SKEW_MS = 60 * 1000

/**
 * An answer that does not tell whether Scalingo created the deployment: no
 * answer, a gateway error, or a success we cannot read.
 */
export function isAmbiguous(err: unknown): boolean {
  return mayHaveBeenProcessed(err) || err instanceof MalformedAnswerError
}

/**
 * The newest listed deployment with our git_ref created since we posted
 * (allowing for clock skew) that did not exist before: another run's
 * deployment of the same commit is never taken for ours.
 */
export function findOurs(
  list: Deployment[],
  gitRef: string | null,
  since: number,
  knownIds: ReadonlySet<string> | undefined
): Deployment | undefined {
  // Without the list from before the POST, a deployment of this commit cannot be told from another run's.
  if (gitRef === null || knownIds === undefined) return undefined
  return list.find(d => {
    if (d.git_ref !== gitRef || knownIds?.has(d.id)) return false
    const created = d.created_at ? Date.parse(d.created_at) : NaN
    return !Number.isNaN(created) && created >= since - SKEW_MS
  })
}

export interface CreateOptions {
  clock: Clock
  /** ms since epoch: the POST is never sent after it. */
  deadline: number
  /** The app's deployments before ours (undefined when they could not be read). */
  knownIds?: ReadonlySet<string>
}

/** The lookups after an unclear answer may run this long past the timeout: the deployment may exist. */
const LOOKUP_GRACE_MS = 15_000

export async function createDeploymentOnce(
  client: ScalingoClient,
  gitRef: string | null,
  sourceUrl: string,
  opts: CreateOptions
): Promise<{ deployment: Deployment; recovered: boolean }> {
  const { clock } = opts
  if (clock.now() >= opts.deadline) {
    throw new ActionError(
      'the timeout was reached before the deployment could be created; nothing was created',
      'raise timeout'
    )
  }
  const postedAt = clock.now()
  try {
    return { deployment: await client.createDeployment(gitRef, sourceUrl), recovered: false }
  } catch (err) {
    if (!isAmbiguous(err)) throw err
    if (!opts.knownIds) {
      throw new ActionError(
        `the deployment request got no clear answer (${describeError(err)}), and the app's deployments could not be read before it: a deployment of this commit on the app now cannot be told from another run's, so none is taken for ours`,
        'nothing was posted twice; check the app dashboard, then run the workflow again'
      )
    }
    log.warning(
      `The deployment request got no clear answer (${describeError(err)}); looking for it instead of posting again`
    )
  }
  // Give Scalingo a moment to list what it may have created.
  for (const waitMs of [0, 2000, 5000]) {
    if (waitMs) await clock.sleep(waitMs)
    let list: Deployment[]
    try {
      list = await client.listDeployments(20, { graceMs: LOOKUP_GRACE_MS })
    } catch (err) {
      log.warning(`Could not list the app's deployments: ${describeError(err)}`)
      continue
    }
    const ours = findOurs(list, gitRef, postedAt, opts.knownIds)
    if (ours) {
      log.info(`Found the deployment the request created: ${ours.id}`)
      return { deployment: ours, recovered: true }
    }
  }
  throw new ActionError(
    'the deployment request got no clear answer and no matching deployment appeared on the app',
    'nothing was posted twice; check the app dashboard, then run the workflow again'
  )
}
