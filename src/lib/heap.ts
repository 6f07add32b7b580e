import { setFlagsFromString } from 'node:v8'

/**
 * Keeps V8's young generation at its starting size. A build log streams
 * through the action as many short-lived strings; by default V8 doubles
 * the young generation after scavenges with survivors, up to 16 MB
 * semi-spaces on Node 24, and never gives it back while the log flows:
 * ~15 MB more peak RSS for no measurable speed (`npm run bench`, scaling
 * table: Node 24, 50 MB log, 100 MB → 84 MB peak). The growth factor is read
 * each time V8 considers growing, so setting it once at start-up holds; the
 * maximum size can only be set on the command line, which an action's
 * `runs.main` does not have.
 */
export function keepYoungGenerationSmall(): void {
  try {
    setFlagsFromString('--semi-space-growth-factor=1')
  } catch {
    // an engine without the flag: its own defaults
  }
}
