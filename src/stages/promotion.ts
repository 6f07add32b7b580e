import { ActionError } from '../lib/errors.js'
import { isFullSha } from '../lib/refs.js'
import type { Deployment, ScalingoClient } from '../scalingo/client.js'
import { lastSuccessful } from './live.js'

/** `promote-from`: the commit running on another app (staging), to ship as is. */

/** The latest successful deployment of the promoted app, and its commit. */
export async function findPromotedCommit(staging: ScalingoClient): Promise<{ sha: string; deployment: Deployment }> {
  const app = staging.config.app
  await staging.exchange()
  const live = await lastSuccessful(staging, 50)
  if (!live)
    throw new ActionError(
      `app "${app}" has no successful deployment to promote`,
      'deploy it there first, or check promote-from'
    )
  const sha = live.git_ref ?? ''
  if (!isFullSha(sha)) {
    throw new ActionError(
      `the latest successful deployment of "${app}" (${live.id}) has git_ref ${JSON.stringify(sha)}, not a commit SHA: cannot tell which commit to promote`
    )
  }
  return { sha: sha.toLowerCase(), deployment: live }
}
