/**
 * The demo's log renderer, against the raw stream of a real run of the
 * bundled action: what a person sees in GitHub's log view.
 */
import { DEFAULT_API_TOKEN, DEFAULT_GITHUB_TOKEN, runAction, startSandbox, type Sandbox } from '../../sandbox/index.js'
import { renderRunnerLog } from '../../scripts/render-log.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

describe('renderRunnerLog', () => {
  it('shows a real run as GitHub does: masks applied, groups titled once, fences hidden, annotations labelled', async () => {
    sandbox = await startSandbox({
      scalingo: {
        timeline: [
          {
            afterMs: 100,
            status: 'building',
            log: ['-----> Building', `echo ${DEFAULT_API_TOKEN}`, '::warning::not a command']
          },
          { afterMs: 200, status: 'build-error', log: [' !     npm ERR! code ELIFECYCLE'] }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    const shown = renderRunnerLog(run.stdout)
    const secrets = [DEFAULT_API_TOKEN, DEFAULT_GITHUB_TOKEN, ...sandbox.scalingo.bearers.keys()]
    for (const s of secrets) expect(shown).not.toContain(s)
    expect(shown).toContain(`  echo ***`)
    expect(shown.split('\n').filter(l => l === '▾ Build output (building)')).toHaveLength(1)
    expect(shown).not.toMatch(/stop-commands|::[0-9a-f]{32}::|::add-mask::|::debug::/)
    expect(shown).toContain('  ::warning::not a command')
    expect(shown).toMatch(
      /^Error \(Scalingo build-error\): deployment [0-9a-f]+ ended with build-error: the build failed — ! npm ERR! code ELIFECYCLE/m
    )
    expect(shown).not.toMatch(/^\[debug\]/m)
    expect(renderRunnerLog(run.stdout, { debug: true })).toMatch(/^\[debug\] /m)
  })
})
