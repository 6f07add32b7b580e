import { randomBytes } from 'node:crypto'
import { EOL } from 'node:os'
import { scrub } from '../lib/secrets.js'
import { cut, stripAnsi } from '../lib/text.js'

/** Printing what came from the build: as data, never as workflow commands. */

/**
 * Build output is data, not commands: a buildpack printing `::add-mask::`
 * or `::error::` must not drive the runner. The lines, as one text to
 * write, between `::stop-commands::<token>` and `::<token>::` (a fresh
 * random token each time).
 */
export function asData(lines: string[]): string {
  const token = randomBytes(16).toString('hex')
  return `::stop-commands::${token}${EOL}${lines.map(line => `${line}${EOL}`).join('')}::${token}::${EOL}`
}

/** Lines printed again outside the build log's group (a failure's tail), scrubbed, as data. */
export function printLines(lines: string[]): void {
  process.stdout.write(asData(lines.map(scrub)))
}

const TELLING =
  /ERR!|\b(error|failed|failure|fatal|exception|panic|denied|not found|cannot|can't|unable|missing|killed|timed? ?out)\b|^\s*!/i

/** Lines that say a build failed without saying why: the trailers buildpacks and npm end with. */
const GENERIC =
  /push rejected|push failed|failed to compile|build failed|deployment failed|an error occurred|a complete log|see the (full )?log|for more (information|details)|^\W*(error|failed)\W*$/i

/**
 * The build-log line that best says why: the last one that looks like an
 * error (npm ERR!, Error:, buildpack ` !` lines) and names a cause, not a
 * generic trailer ("Push rejected, failed to compile…"); else the last
 * trailer; else the last line.
 */
export function mostTellingLine(lines: string[]): string | undefined {
  const clean = lines.map(l => stripAnsi(l).trim()).filter(l => l !== '')
  const telling = [...clean].reverse().filter(l => TELLING.test(l))
  const line = telling.find(l => !GENERIC.test(l)) ?? telling[0] ?? clean[clean.length - 1]
  return line === undefined ? undefined : cut(line, 200)
}
