/**
 * A run's raw stdout, as GitHub's log view shows it: secrets registered
 * with `::add-mask::` shown as `***`, groups as a titled, indented block,
 * `::stop-commands::` fences hidden (what they hold shown as text),
 * annotations labelled, debug lines only when asked for. Used by
 * `npm run demo`; `--raw` skips it.
 */

export interface RenderOptions {
  /** Show `::debug::` lines (as GitHub does with step debug logging on). */
  debug?: boolean
}

/** Command data as the runner reads it: %25, %0D and %0A stand for %, \r and \n. */
function unescapeData(data: string): string {
  return data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

const LABELS: Record<string, string> = { error: 'Error', warning: 'Warning', notice: 'Notice' }

export class RunnerLogRenderer {
  private readonly masks: string[] = []
  private stopToken?: string
  private depth = 0

  constructor(private readonly opts: RenderOptions = {}) {}

  /** One raw line in, the lines a person sees out (none for a command that prints nothing). */
  line(raw: string): string[] {
    if (this.stopToken !== undefined) {
      if (raw.trim() === `::${this.stopToken}::`) {
        this.stopToken = undefined
        return []
      }
      return [this.show(raw)]
    }
    const command = /^\s*::([a-z-]+)( [^:]*)?::(.*)$/.exec(raw)
    if (!command) return [this.show(raw)]
    const [, name, props, data] = command
    const text = unescapeData(data)
    switch (name) {
      case 'add-mask':
        if (text) this.masks.push(text)
        this.masks.sort((a, b) => b.length - a.length)
        return []
      case 'stop-commands':
        this.stopToken = text
        return []
      case 'debug':
        return this.opts.debug ? text.split('\n').map(l => this.show(`[debug] ${l}`)) : []
      case 'group': {
        this.depth = 0
        const title = this.show(`▾ ${text}`)
        this.depth = 1
        return [title]
      }
      case 'endgroup':
        this.depth = 0
        return []
      case 'error':
      case 'warning':
      case 'notice': {
        const title = /title=([^,]*)/.exec(props ?? '')?.[1]
        const label = `${LABELS[name]}${title ? ` (${unescapeData(title)})` : ''}: `
        return text.split('\n').map((l, i) => this.show(i === 0 ? `${label}${l}` : l))
      }
      default:
        return [this.show(raw)]
    }
  }

  private show(text: string): string {
    let out = text
    for (const m of this.masks) if (out.includes(m)) out = out.split(m).join('***')
    return `${'  '.repeat(this.depth)}${out}`
  }
}

/** A whole raw log, rendered. */
export function renderRunnerLog(raw: string, opts: RenderOptions = {}): string {
  const renderer = new RunnerLogRenderer(opts)
  return raw
    .split('\n')
    .flatMap(l => renderer.line(l))
    .join('\n')
}
