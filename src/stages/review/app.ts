import { ActionError, HttpError, describeError, mayHaveBeenProcessed } from '../../lib/errors.js'
import * as log from '../../lib/log.js'
import { appPresence, createChildApp, deleteApp, listChildApps } from '../../scalingo/childapps.js'
import type { ScalingoClient } from '../../scalingo/client.js'

/**
 * The review app itself: found among the parent's children, or created
 * as one; destroyed only when it is one. Whether an app is the parent's
 * child is read from the platform (every page of the list), never
 * assumed from its name.
 */

/** Where the name stands: one of the parent's children, free, or taken by an app that is not one (`exists`, `hidden`). */
export type Standing = 'child' | 'missing' | 'exists' | 'hidden'

/** Whether `name` is a child of `parent` (every page), else whether an app of that name exists as this token sees it. */
export async function standingOf(client: ScalingoClient, parent: string, name: string): Promise<Standing> {
  if ((await listChildApps(client, parent)).includes(name)) return 'child'
  return appPresence(client, name)
}

/** An app of that name that is not the parent's child: never touched. */
function notAChild(name: string, parent: string, presence: 'exists' | 'hidden', action: string): ActionError {
  const who =
    presence === 'hidden'
      ? 'is taken by an app this token cannot see (another account, or another region)'
      : `is an app that is not a child of "${parent}"`
  return new ActionError(
    `"${name}" ${who}: ${action}`,
    'give the review app another name (input name), or remove that app yourself'
  )
}

/** Finds the review app among the parent's children, or creates it. `created`: this run created it. */
export async function ensureReviewApp(
  client: ScalingoClient,
  parent: string,
  name: string
): Promise<{ created: boolean }> {
  const standing = await standingOf(client, parent, name)
  if (standing === 'child') {
    log.info(`Review app ${name} exists (a child of ${parent}): updating it`)
    return { created: false }
  }
  if (standing !== 'missing') throw notAChild(name, parent, standing, 'not creating, updating or deploying anything')
  try {
    await createChildApp(client, parent, name)
  } catch (err) {
    if (err instanceof HttpError && err.status === 422) {
      throw new ActionError(
        `Scalingo refused to create the review app "${name}" as a child of "${parent}" (422: ${err.serverMessage}); the name may be taken by an app this token cannot see`,
        'give the review app another name (input name)'
      )
    }
    if (!mayHaveBeenProcessed(err)) throw err
    // The POST may have created it: the parent's children say, and nothing is posted again.
    log.info(`(creating ${name} had no clear answer: ${describeError(err)}; reading the parent's children again)`)
    if (!(await listChildApps(client, parent)).includes(name)) throw err
  }
  log.info(`Created the review app ${name}, a child of ${parent}`)
  return { created: true }
}

/**
 * Deletes the review app when, and only when, it is a child of `parent`.
 * An app that no longer exists is already gone: said, not failed.
 */
export async function destroyReviewApp(
  client: ScalingoClient,
  parent: string,
  name: string
): Promise<'deleted' | 'gone'> {
  const standing = await standingOf(client, parent, name)
  if (standing !== 'child') {
    if (standing !== 'missing') throw notAChild(name, parent, standing, 'not deleting it')
    log.info(`Review app ${name} does not exist (already deleted): nothing to destroy`)
    return 'gone'
  }
  const result = await deleteApp(client, name)
  log.info(
    result === 'deleted'
      ? `Deleted the review app ${name} and its addons`
      : `Review app ${name} was already gone when deleted (404): nothing to destroy`
  )
  return result
}
