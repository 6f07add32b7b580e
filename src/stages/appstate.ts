import * as log from '../lib/log.js'
import { describeError } from '../lib/errors.js'
import type { App, Deployment, ScalingoClient } from '../scalingo/client.js'
import { isRunning } from '../scalingo/statuses.js'

/**
 * What is on the app before we change anything: what runs (the deployment
 * `last_deployment_id` names: Scalingo's last successful one) and its
 * recent deployments, read once and used for every decision that needs
 * them (skip, busy, which deployments existed before our POST): an account
 * gets about 60 requests a minute, shared by a whole matrix.
 */

export interface AppState {
  /** What runs now; undefined when nothing was ever deployed successfully (or it could not be read). */
  live?: Deployment
  /** The most recent deployments, newest first; undefined when they could not be read (`listError` says why). */
  recent?: Deployment[]
  listError?: string
}

/** How many deployments are read: the first page, as large as Scalingo's pages go. */
export const RECENT = 50

/** Deployments queued or running on the app, newest first. */
export function inFlight(recent: Deployment[]): Deployment[] {
  return recent.filter(d => isRunning(d.status))
}

/** The deployment that runs on the app now, from its `last_deployment_id` (found among `recent`, else read). */
export async function liveDeployment(
  client: ScalingoClient,
  app: App,
  recent?: Deployment[]
): Promise<Deployment | undefined> {
  const id = app.last_deployment_id
  if (!id) return undefined
  const found = recent?.find(d => d.id === id)
  if (found) return found
  try {
    return await client.getDeployment(id)
  } catch (err) {
    log.debug(`could not read the live deployment ${id}: ${describeError(err)}`)
    return undefined
  }
}

export async function readAppState(client: ScalingoClient, app: App): Promise<AppState> {
  let recent: Deployment[] | undefined
  let listError: string | undefined
  try {
    recent = await client.listDeployments(RECENT)
  } catch (err) {
    listError = describeError(err)
  }
  return { live: await liveDeployment(client, app, recent), recent, listError }
}
