import { ActionError } from '../lib/errors.js'
import { isFullSha } from '../lib/refs.js'
import type { Deployment, ScalingoClient } from '../scalingo/client.js'
import { liveDeployment } from './appstate.js'

/** `promote-from`: the commit running on another app (staging), to ship as is. */

/** What runs on the promoted app (its `last_deployment_id`), and its commit. */
export async function findPromotedCommit(staging: ScalingoClient): Promise<{ sha: string; deployment: Deployment }> {
  const app = staging.config.app
  await staging.exchange()
  const live = await liveDeployment(staging, await staging.getApp())
  if (!live)
    throw new ActionError(
      `app "${app}" has no successful deployment to promote`,
      'deploy it there first, or check promote-from'
    )
  const ref = live.git_ref ?? ''
  if (!isFullSha(ref)) {
    throw new ActionError(
      `what runs on "${app}" (deployment ${live.id}) has git_ref ${JSON.stringify(ref.slice(0, 80))}, not a commit SHA: it was deployed from an artifact, and promoting would rebuild from GitHub's source archive instead of shipping that artifact`,
      'deploy the same archive to this app with archive-path or source-url instead'
    )
  }
  return { sha: ref.toLowerCase(), deployment: live }
}
