import { InputError } from '../lib/errors.js'
import { hasControlChars } from '../lib/text.js'
import { isHttpsOrLoopback } from '../lib/urls.js'
import { INPUTS, type InputReader } from './inputs.js'
import { parseChoice } from './parse.js'

/**
 * `notify-webhook` and `notify-on`, read before every other input so that
 * a run refused for another input still tells the chat. The webhook URL is
 * a secret (whoever has it can post to the channel): masked as soon as it
 * is read, and never quoted in an error.
 */

export type NotifyOn = 'always' | 'failure' | 'change'

export interface NotifySettings {
  /** Empty: nothing is sent. */
  webhook?: string
  on: NotifyOn
}

export function readNotifySettings(get: InputReader): NotifySettings {
  const on = parseChoice(INPUTS.notifyOn, get(INPUTS.notifyOn).trim(), ['always', 'failure', 'change'])
  const value = get(INPUTS.notifyWebhook).trim()
  if (!value) return { on }
  const refuse = (why: string): never => {
    throw new InputError(INPUTS.notifyWebhook, `${why} (the URL is a secret: not shown)`)
  }
  if (hasControlChars(value) || /\s/.test(value)) refuse('must be one URL, without spaces or line breaks')
  let u: URL
  try {
    u = new URL(value)
  } catch {
    return refuse('is not a URL; expected the https:// URL of a Slack or Mattermost incoming webhook')
  }
  if (!isHttpsOrLoopback(u))
    refuse(`must be an https:// URL (plain http only for loopback hosts), got ${u.protocol}//…`)
  if (u.username || u.password) refuse('must not contain credentials (user:password@)')
  return { webhook: value, on }
}
