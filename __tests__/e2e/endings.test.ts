/**
 * End to end: what is done once stays done once. A GitHub deployment
 * status is recorded once even when its POST gets no clear answer; a
 * cancellation as the run finishes writes the outputs and the summary once;
 * a deployment of this commit on the app is never taken for ours when the
 * list from before the POST is unknown.
 */
import { SHA_MAIN, runAction, startSandbox, steadyBuild, type Sandbox } from '../../sandbox/index.js'
import { errorLines, posts } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

describe('a GitHub deployment status after a 5xx', () => {
  it('recorded by GitHub before its 502: not recorded again', async () => {
    sandbox = await startSandbox({
      github: {
        faults: [
          {
            method: 'POST',
            path: /\/deployments\/\d+\/statuses$/,
            skip: 1,
            action: 'process-then-respond',
            status: 502
          }
        ]
      }
    })
    const run = await runAction({ env: sandbox.env({ environment: 'production' }) })
    expect(errorLines(run)).toEqual([])
    expect(sandbox.github.deployments[0].statuses.map(s => s.state)).toEqual(['in_progress', 'success'])
    expect(run.stdout).not.toContain('Could not record a GitHub deployment')
  })

  it('not recorded by its 502: posted once more, recorded once', async () => {
    sandbox = await startSandbox({
      github: { faults: [{ method: 'POST', path: /\/deployments\/\d+\/statuses$/, skip: 1, status: 502 }] }
    })
    const run = await runAction({ env: sandbox.env({ environment: 'production' }) })
    expect(errorLines(run)).toEqual([])
    expect(sandbox.github.deployments[0].statuses.map(s => s.state)).toEqual(['in_progress', 'success'])
  })
})

describe('a cancellation as the run finishes', () => {
  it('outputs and summary are written once, and the process ends on its own', async () => {
    sandbox = await startSandbox({
      github: {
        // The last GitHub deployment status takes its time: the run is finishing when the signal comes.
        faults: [{ method: 'POST', path: /\/deployments\/\d+\/statuses$/, skip: 1, action: 'delay', delayMs: 1500 }]
      }
    })
    let sent = false
    const run = await runAction({
      env: sandbox.env({ environment: 'production' }),
      onSpawn: child => {
        const timer = setInterval(() => {
          const finishing = sandbox.github.requests.filter(r => r.method === 'POST' && /statuses$/.test(r.path))
          if (finishing.length >= 2 && !sent) {
            sent = true
            clearInterval(timer)
            child.kill('SIGTERM')
          }
        }, 10)
        child.on('exit', () => clearInterval(timer))
      }
    })
    expect(sent).toBe(true)
    expect(run.signal).toBeNull()
    for (const name of ['status', 'deployment-id', 'sha'])
      expect(
        run.outputFile.split('\n').filter(l => l.startsWith(`${name}<<`) || l.startsWith(`${name}=`))
      ).toHaveLength(1)
    expect(run.summary.match(/^### /gm)).toHaveLength(1)
    expect(run.outputs['deployment-id']).toMatch(/^[0-9a-f]+$/)
  })
})

describe('an unclear POST when the deployments could not be listed before it', () => {
  it("another run's deployment of the same commit is never taken for ours", async () => {
    sandbox = await startSandbox({ scalingo: { timeline: steadyBuild() } })
    // Another run deployed the same commit seconds ago; it is still building.
    sandbox.scalingo.seedRunning('my-app', 20_000, { git_ref: SHA_MAIN, ageMs: 5_000 })
    sandbox.scalingo.faults = [
      // The list cannot be read, before the POST and once more just before it…
      { method: 'GET', path: '/v1/apps/my-app/deployments?', times: 10, status: 503, headers: { 'Retry-After': '0' } },
      // …and the POST gets a gateway error without creating anything.
      { method: 'POST', path: '/v1/apps/my-app/deployments', status: 502, body: 'Bad Gateway' }
    ]
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toContain("cannot be told from another run's, so none is taken for ours")
    expect(run.outputs['deployment-id']).toBe('')
    expect(posts(sandbox)).toBe(1)
  }, 60_000)
})
