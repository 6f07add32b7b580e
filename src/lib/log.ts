import * as core from '@actions/core'
import { inert } from './text.js'

/**
 * Every line the action prints, but the build output itself (printed as
 * data, inside `::stop-commands::` fences): one inert line each, whatever
 * outside text it carries.
 */

export function info(text: string): void {
  core.info(inert(text))
}

export function warning(text: string, props?: core.AnnotationProperties): void {
  core.warning(inert(text), props)
}

export function debug(text: string): void {
  core.debug(inert(text))
}

export function notice(text: string, props?: core.AnnotationProperties): void {
  core.notice(inert(text), props)
}
