import * as core from '@actions/core'
import { scrub } from './secrets.js'
import { inert } from './text.js'

/**
 * Every line the action prints, but the build output itself (printed as
 * data, inside `::stop-commands::` fences): one inert line each, whatever
 * outside text it carries, and scrubbed of every known secret (the runner
 * masks them too, but a URL whose path is a secret, a webhook's, is printed
 * by the HTTP layer's debug lines, and a local run has no runner).
 */

export function info(text: string): void {
  core.info(inert(scrub(text)))
}

export function warning(text: string, props?: core.AnnotationProperties): void {
  core.warning(inert(scrub(text)), props)
}

export function debug(text: string): void {
  core.debug(inert(scrub(text)))
}

export function notice(text: string, props?: core.AnnotationProperties): void {
  core.notice(inert(scrub(text)), props)
}
