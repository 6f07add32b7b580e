import type { Deployment } from '../scalingo/client.js'
import type { SourceKind } from './source.js'

/**
 * The one decision before anything changes: deploy, or skip because this
 * exact commit, with these variables, is what runs. Pure.
 */

export interface DecisionInput {
  force: boolean
  kind: SourceKind
  sha: string
  /** What runs now (`last_deployment_id`). */
  live?: Deployment
  /** Deployments queued or running on the app; undefined when the list could not be read. */
  inFlight?: Deployment[]
  /** Variables this run would change (names). */
  changedVariables: string[]
}

export type Decision = { deploy: false } | { deploy: true; why?: string }

export function decide(i: DecisionInput): Decision {
  if (i.force) return { deploy: true }
  // Only a GitHub archive is named by its commit: a fresh artifact may differ while the commit is the same.
  if (i.kind !== 'github' || !i.sha || i.live?.git_ref !== i.sha) return { deploy: true }
  if (i.inFlight === undefined) return { deploy: true, why: 'cannot tell whether another deployment is on its way' }
  const replacing = i.inFlight.find(d => d.git_ref !== i.sha)
  if (replacing) {
    return {
      deploy: true,
      why: `${i.sha} is live, but deployment ${replacing.id} (${replacing.git_ref ?? 'another archive'}) is ${replacing.status} and will replace it`
    }
  }
  if (i.changedVariables.length > 0) {
    return {
      deploy: true,
      why: `${i.sha} is live, but variables change (${i.changedVariables.join(', ')}): deploying again so they take effect`
    }
  }
  return { deploy: false }
}
