import { deactivateEnvironment } from '../../github/deployments.js'
import * as log from '../../lib/log.js'
import { destroyReviewApp, standingOf } from './app.js'
import type { ReviewContext } from './context.js'

/**
 * A closed pull request: the review app deleted, only if it is the
 * parent's child; already gone is success. Its GitHub environment, if
 * any, is marked inactive.
 */
export async function destroyStage(ctx: ReviewContext): Promise<void> {
  const { settings: s, report } = ctx
  await ctx.parent.exchange()
  if (s.behaviour.dryRun) {
    const standing = await standingOf(ctx.parent, s.target.app, s.name)
    report.outcome = 'dry-run'
    report.plan = [
      standing === 'child'
        ? `would delete ${s.name} (a child of ${s.target.app}) and its addons`
        : standing === 'missing'
          ? `${s.name} does not exist: nothing to delete`
          : `${s.name} is not a child of ${s.target.app}: a real run would refuse`
    ]
    return log.info(`Dry run: ${report.plan[0]}`)
  }
  const result = await destroyReviewApp(ctx.parent, s.target.app, s.name)
  report.outcome = 'destroyed'
  report.note = result === 'gone' ? `${s.name} was already gone` : undefined
  if (s.behaviour.environment) await deactivateEnvironment(ctx.github, s.github.repository, s.behaviour.environment)
}
