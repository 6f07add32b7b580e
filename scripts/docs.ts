/**
 * `npm run docs`: writes the inputs and outputs tables of README.md from
 * action.yml, between the `<!-- inputs:start -->`/`<!-- outputs:start -->`
 * markers, those of run/action.yml between `<!-- run-inputs:start -->`/
 * `<!-- run-outputs:start -->`, and those of review-app/action.yml between
 * `<!-- review-app-inputs:start -->`/`<!-- review-app-outputs:start -->` (a
 * test in __tests__/project.test.ts fails when they disagree).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from '../sandbox/run-action.js'

interface ActionMeta {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}

function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').trim()
}

export function tables(meta: ActionMeta): { inputs: string; outputs: string } {
  const inputs = ['| Input | Required | Default | Description |', '|---|---|---|---|']
  for (const [name, i] of Object.entries(meta.inputs)) {
    const def = i.default === undefined || i.default === '' ? '' : `\`${cell(String(i.default))}\``
    inputs.push(`| \`${name}\` | ${i.required ? 'yes' : 'no'} | ${def} | ${cell(i.description)} |`)
  }
  const outputs = ['| Output | Description |', '|---|---|']
  for (const [name, o] of Object.entries(meta.outputs)) outputs.push(`| \`${name}\` | ${cell(o.description)} |`)
  return { inputs: inputs.join('\n'), outputs: outputs.join('\n') }
}

/** The README with fresh tables, formatted as Prettier formats it (so `prettier --check` agrees). */
export async function render(readme: string, metas: Record<string, ActionMeta>): Promise<string> {
  let out = readme
  for (const [prefix, m] of Object.entries(metas)) {
    const t = tables(m)
    for (const key of ['inputs', 'outputs'] as const) {
      const marker = `${prefix}${key}`
      const re = new RegExp(`(<!-- ${marker}:start -->)[\\s\\S]*?(<!-- ${marker}:end -->)`)
      if (!re.test(out)) throw new Error(`README.md has no <!-- ${marker}:start --> … <!-- ${marker}:end --> markers`)
      out = out.replace(re, (_m, start: string, end: string) => `${start}\n\n${t[key]}\n\n${end}`)
    }
  }
  const prettier = await import('prettier')
  const options = (await prettier.resolveConfig(join(ROOT, 'README.md'))) ?? {}
  return prettier.format(out, { ...options, parser: 'markdown' })
}

/** Each action's metadata, by the prefix of its README markers. */
export function actionMetas(): Record<string, ActionMeta> {
  const read = (...path: string[]): ActionMeta => parse(readFileSync(join(ROOT, ...path), 'utf8')) as ActionMeta
  return {
    '': read('action.yml'),
    'run-': read('run', 'action.yml'),
    'review-app-': read('review-app', 'action.yml')
  }
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/scripts\//, 'scripts/'))
if (isMain) {
  const path = join(ROOT, 'README.md')
  const readme = readFileSync(path, 'utf8')
  const next = await render(readme, actionMetas())
  if (next !== readme) {
    writeFileSync(path, next)
    console.log('README.md tables updated from action.yml')
  } else {
    console.log('README.md tables already match action.yml')
  }
}
