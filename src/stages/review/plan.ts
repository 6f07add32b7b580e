import { repoName } from '../../github/archives.js'
import type { PullRequest } from '../../github/pulls.js'
import * as log from '../../lib/log.js'
import { listSome } from '../../lib/text.js'
import { listAddons } from '../../scalingo/childapps.js'
import { describeAddon, wantedAddons } from './addons.js'
import { standingOf } from './app.js'
import type { ReviewContext } from './context.js'

/**
 * A dry run: everything read, nothing written. What exists, what would be
 * created, which commit would ship; the same refusals as a real run (a
 * name taken by an app that is not a child).
 */
export async function planReviewApp(ctx: ReviewContext, pr: PullRequest): Promise<void> {
  const { settings: s, report } = ctx
  const parent = s.target.app
  const standing = await standingOf(ctx.parent, parent, s.name)
  const child = standing === 'child'
  const plan = [`parent: ${parent} in ${s.target.region} — found, token accepted`]
  if (!child && standing !== 'missing') {
    plan.push(`review app: ${s.name} is taken by an app that is not a child of ${parent}: a real run would refuse`)
  } else {
    plan.push(
      `review app: ${s.name} ${child ? 'exists (a child of the parent): would be updated' : 'would be created as a child of the parent'}`
    )
    const wanted = await wantedAddons(ctx.parent, s.addons, parent)
    const have = child ? await listAddons(ctx.review, s.name) : []
    const missing = wanted.filter(w => !have.some(a => a.provider === w.provider))
    plan.push(`addons: ${missing.length ? `would add ${listSome(missing.map(describeAddon), 10)}` : 'nothing to add'}`)
    plan.push(
      `variables: ${s.copyVariables ? "the parent's it lacks (not its addons' or anything holding their URLs)" : 'not copied'}${
        ctx.overrides.length
          ? `, then ${listSome(
              ctx.overrides.map(v => v.name),
              10
            )}`
          : ''
      }`
    )
    plan.push(`deploy: ${pr.headRepo ? repoName(pr.headRepo) : '?'}@${pr.headSha}`)
    if (s.afterCreate) plan.push('after-create: would run once after the first successful deployment')
  }
  report.outcome = 'dry-run'
  report.plan = plan
  log.info(`Dry run: everything checked, nothing changed.\n${plan.map(l => `  ${l}`).join('\n')}`)
}
