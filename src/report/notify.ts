import { type Clock, formatDuration } from '../lib/clock.js'
import { HttpError, NetworkError, describeError } from '../lib/errors.js'
import { Http, parseRetryAfter } from '../lib/http.js'
import * as log from '../lib/log.js'
import { scrubCut } from '../lib/secrets.js'
import { spaceControlChars } from '../lib/text.js'
import { USER_AGENT } from '../lib/version.js'
import { type OneOffReport, commandLabel } from './oneoff.js'
import type { RunReport } from './report.js'
import { type ReviewReport, reviewStatus } from './reviewapp.js'

/**
 * The team's chat: one message per run, when it ends, to a Slack or
 * Mattermost incoming webhook (`{"text": …}`, which both read). The
 * message is built from the run's report (pure), outside text in it kept
 * text; sending it never changes the run's outcome.
 */

/** Where and when to tell (settings/notify.ts reads them from the inputs). */
export interface ChatSettings {
  webhook?: string
  on: 'always' | 'failure' | 'change'
}

/** What the message says happened: `failure` when the run failed, `skipped` when it changed nothing on purpose. */
export type NoticeOutcome = 'success' | 'failure' | 'skipped' | 'neutral'

export interface Notice {
  outcome: NoticeOutcome
  emoji: string
  app: string
  /** What happened, in our words (outside text in it is escaped all the same). */
  happened: string
  sha?: string
  /** owner/name of the commit's repository. */
  repository?: string
  /** A ref name or a branch: outside text. */
  ref?: string
  appUrl?: string
  /** On failure: the error or the telling line (outside text). */
  detail?: string
}

/** The longest piece of outside text in a message, and the longest failure line. */
const MAX_TEXT = 200
const MAX_DETAIL = 500
/** The whole notification, retry included; on cancellation, what the runner leaves. */
export const NOTIFY_BUDGET_MS = 15_000
export const NOTIFY_CANCEL_BUDGET_MS = 4_000
const RETRY_AFTER_CAP_MS = 10_000
const RETRY_DEFAULT_MS = 2_000

/**
 * Outside text as chat text: scrubbed and cut, one line, Slack's three
 * control characters escaped (no `<!channel>`, `<@U…>` or `<url|label>`
 * of theirs), every `@` followed by a zero-width space (no Mattermost
 * mention), and `](` broken (no Markdown link in Mattermost).
 */
export function chatEscape(text: string, max = MAX_TEXT): string {
  return scrubCut(spaceControlChars(text), max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '@\u200b')
    .replace(/\]\(/g, ']\u200b(')
}

/** A link in Slack's form (Mattermost reads it too), only to a plain http(s) URL; else the label alone. */
export function chatLink(url: string | undefined, label: string): string {
  const text = chatEscape(label)
  if (!url || !/^https?:\/\/[^\s<>|&"'`]+$/.test(url)) return text
  return `<${url}|${text}>`
}

export interface ChatContext {
  /** GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_ACTOR, GITHUB_SHA. */
  env: NodeJS.ProcessEnv
  durationMs: number
}

/** The message (pure): one line of what happened, one of links, and on failure one more with why. */
export function chatText(n: Notice, ctx: ChatContext): string {
  const server = (ctx.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  const workflowRepo = ctx.env.GITHUB_REPOSITORY ?? ''
  const repo = n.repository || workflowRepo
  const sha = n.sha || ctx.env.GITHUB_SHA || ''
  const head = [`${n.emoji} *${chatEscape(n.app)}* ${chatEscape(n.happened, 300)}`]
  if (/^[0-9a-f]{40}$/i.test(sha))
    head.push(repo ? chatLink(`${server}/${repo}/commit/${sha}`, sha.slice(0, 7)) : sha.slice(0, 7))
  // The ref given, else the workflow's own (a tag push's tag) when its commit is the one shipped.
  const ref = n.ref && n.ref !== sha ? n.ref : sha && sha === ctx.env.GITHUB_SHA ? ctx.env.GITHUB_REF_NAME : undefined
  if (ref) head.push(chatEscape(ref))
  // A login, without @: it names the actor and mentions nobody.
  if (ctx.env.GITHUB_ACTOR) head.push(`by ${chatEscape(ctx.env.GITHUB_ACTOR, 60)}`)
  head.push(formatDuration(ctx.durationMs))
  const links: string[] = []
  if (workflowRepo && ctx.env.GITHUB_RUN_ID)
    links.push(chatLink(`${server}/${workflowRepo}/actions/runs/${ctx.env.GITHUB_RUN_ID}`, 'workflow run'))
  if (n.appUrl) links.push(chatLink(n.appUrl, 'app'))
  const lines = [head.join(' · ')]
  if (links.length) lines.push(links.join(' · '))
  if (n.outcome === 'failure' && n.detail) lines.push(`> ${chatEscape(n.detail, MAX_DETAIL)}`)
  return lines.join('\n')
}

/** Whether `notify-on` wants this run told. */
export function wanted(on: ChatSettings['on'], outcome: NoticeOutcome): boolean {
  if (on === 'failure') return outcome === 'failure'
  if (on === 'change') return outcome === 'success' || outcome === 'failure'
  return true
}

/** The deploy action's notice. */
export function deployNotice(r: RunReport): Notice {
  const base = { app: r.app, sha: r.sha, repository: r.repository, ref: r.ref, appUrl: r.appUrl, detail: r.error }
  const short = (sha?: string): string => (sha ? sha.slice(0, 7) : 'the previous commit')
  if (r.plan)
    return { ...base, outcome: 'neutral', emoji: '🧪', happened: 'dry run: everything checked, nothing deployed' }
  if (r.skipped && !r.error) return { ...base, outcome: 'skipped', emoji: '⏭️', happened: 'skipped: already live' }
  if (r.error?.startsWith('cancelled')) return { ...base, outcome: 'failure', emoji: '🛑', happened: 'cancelled' }
  if (r.rolledBack)
    return {
      ...base,
      outcome: 'failure',
      emoji: '↩️',
      happened: `health check failed: rolled back to ${short(r.previousSha)}`
    }
  if (r.health === 'failed')
    return { ...base, outcome: 'failure', emoji: '❌', happened: 'deployed, but the health check failed' }
  if (r.timedOut)
    return { ...base, outcome: 'failure', emoji: '⏱️', happened: `still ${r.status ?? 'running'} at the timeout` }
  if (r.error)
    return { ...base, outcome: 'failure', emoji: '❌', happened: `failed${r.status ? ` (${r.status})` : ''}` }
  if (!r.waited) return { ...base, outcome: 'success', emoji: '🚀', happened: 'deployment created (not followed)' }
  return { ...base, outcome: 'success', emoji: '✅', happened: 'deployed' }
}

/** The `run` action's notice: the workflow's commit, the one-off's end. */
export function oneOffNotice(r: OneOffReport): Notice {
  // Scrubbed before it is cut: a secret across the cut never shows in part.
  const what = `one-off ${commandLabel(r.command)}`
  const base = { app: r.app, detail: r.error }
  switch (r.status) {
    case 'success':
      return { ...base, outcome: 'success', emoji: '✅', happened: `${what} exited with 0` }
    case 'failed':
      return { ...base, outcome: 'failure', emoji: '❌', happened: `${what} exited with ${r.exitCode ?? '?'}` }
    case 'detached':
      return { ...base, outcome: 'success', emoji: '🚀', happened: `${what} started, detached` }
    case 'dry-run':
      return { ...base, outcome: 'neutral', emoji: '🧪', happened: `dry run: ${what} checked, not started` }
    case 'timed-out':
      return { ...base, outcome: 'failure', emoji: '⏱️', happened: `${what} stopped at the timeout` }
    case 'cancelled':
      return { ...base, outcome: 'failure', emoji: '🛑', happened: `${what} cancelled` }
    case 'inactive':
      return { ...base, outcome: 'failure', emoji: '💤', happened: `${what} stopped for inactivity` }
    default:
      return { ...base, outcome: 'failure', emoji: '❌', happened: `${what} could not run` }
  }
}

/** The `review-app` action's notice. */
export function reviewNotice(r: ReviewReport): Notice {
  const base = { app: r.app || r.parent, sha: r.sha, ref: r.headRef, appUrl: r.appUrl, detail: r.error }
  const pr = r.pullRequest ? ` (pull request #${r.pullRequest})` : ''
  switch (reviewStatus(r)) {
    case 'success':
      return { ...base, outcome: 'success', emoji: '✅', happened: `review app ready${pr}` }
    case 'destroyed':
      return { ...base, outcome: 'success', emoji: '🗑️', happened: `review app destroyed${pr}` }
    case 'skipped':
      return {
        ...base,
        outcome: 'skipped',
        emoji: '⏭️',
        happened: `review app skipped${pr}: ${r.note ? 'a fork' : 'already live'}`
      }
    case 'dry-run':
      return { ...base, outcome: 'neutral', emoji: '🧪', happened: `review app dry run${pr}: nothing changed` }
    default:
      return {
        ...base,
        outcome: 'failure',
        emoji: '❌',
        happened: `review app failed${pr}${r.status && r.status !== 'skipped' ? ` (${r.status})` : ''}`
      }
  }
}

/**
 * One POST of the message. A 429 or a 5xx is sent once more after its
 * Retry-After (at most 10 s) or 2 s; anything else that fails, and a second
 * failure, is a warning naming the status. Never longer than `budgetMs`.
 */
export async function postToChat(
  webhook: string,
  text: string,
  opts: { clock: Clock; budgetMs: number }
): Promise<'sent' | 'failed'> {
  const deadline = opts.clock.now() + opts.budgetMs
  const http = new Http({ userAgent: USER_AGENT, clock: opts.clock })
  http.deadline = deadline
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await http.request({ method: 'POST', url: webhook, json: { text }, retry: 'none' })
        log.info('Told the chat how the run went')
        return 'sent'
      } catch (err) {
        const wait = attempt === 1 ? retryDelay(err, opts.clock.now()) : undefined
        if (wait === undefined || opts.clock.now() + wait >= deadline) return giveUp(err)
        log.info(
          `(the chat webhook answered ${(err as HttpError).status ?? 'nothing'}; sending again in ${formatDuration(wait)})`
        )
        await opts.clock.sleep(wait)
      }
    }
  } finally {
    http.dispose()
  }
}

/** How long to wait before the one retry, or undefined when there is none (a 4xx, or a request that may have been sent). */
function retryDelay(err: unknown, now: number): number | undefined {
  if (err instanceof NetworkError) return err.unsent ? RETRY_DEFAULT_MS : undefined
  if (!(err instanceof HttpError) || (err.status !== 429 && err.status < 500)) return undefined
  const after = parseRetryAfter(err.headers['retry-after'], now)
  return Math.min(after ?? RETRY_DEFAULT_MS, RETRY_AFTER_CAP_MS)
}

function giveUp(err: unknown): 'failed' {
  if (err instanceof HttpError) {
    const why =
      err.status === 404 || err.status === 410
        ? ': the webhook was removed, or its channel archived (Slack)'
        : err.status === 400
          ? ': the message was refused, or the webhook deleted (Mattermost)'
          : err.status === 403
            ? ': the webhook is disabled'
            : ''
    log.warning(`Could not tell the chat: the webhook answered ${err.status}${why}. The run's result is unchanged.`)
  } else {
    log.warning(`Could not tell the chat: ${describeError(err)}. The run's result is unchanged.`)
  }
  return 'failed'
}

/** Tells the chat, when a webhook is set and `notify-on` wants this outcome; never throws. */
export async function notifyChat(
  settings: ChatSettings | undefined,
  notice: Notice,
  ctx: ChatContext & { clock: Clock; cancelled?: boolean }
): Promise<void> {
  if (!settings?.webhook || !wanted(settings.on, notice.outcome)) return
  try {
    const budgetMs = ctx.cancelled ? NOTIFY_CANCEL_BUDGET_MS : NOTIFY_BUDGET_MS
    await postToChat(settings.webhook, chatText(notice, ctx), { clock: ctx.clock, budgetMs })
  } catch (err) {
    log.warning(`Could not tell the chat: ${describeError(err)}. The run's result is unchanged.`)
  }
}
