import { ActionError } from './errors.js'
import { isFullSha } from './inputs.js'
import type { Deployment, ScalingoClient } from './scalingo.js'

/** `promote-from`: the commit running on another app (staging), to ship as is. */

/** The latest successful deployment of the promoted app, and its commit. */
export async function findPromotedCommit(staging: ScalingoClient): Promise<{ sha: string; deployment: Deployment }> {
  const app = staging.config.app
  await staging.exchange()
  const live = (await staging.listDeployments(50)).find(d => d.status === 'success')
  if (!live) throw new ActionError(`app "${app}" has no successful deployment to promote`, 'deploy it there first, or check promote-from')
  const sha = live.git_ref ?? ''
  if (!isFullSha(sha)) {
    throw new ActionError(
      `the latest successful deployment of "${app}" (${live.id}) has git_ref ${JSON.stringify(sha)}, not a commit SHA: cannot tell which commit to promote`
    )
  }
  return { sha: sha.toLowerCase(), deployment: live }
}
