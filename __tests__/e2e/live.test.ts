/**
 * End to end: green means this commit, with this configuration, is what
 * runs now. What is live is the app's last_deployment_id; only a GitHub
 * archive may be skipped, never while another commit is on its way, never
 * when a variable would change.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SHA_MAIN, SHA_TAG, makeTarGz, runAction, startSandbox, type Sandbox } from '../../sandbox/index.js'
import { errorLines, leaks, posts, scalingoCalls } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

function workspace(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'workspace-'))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

describe('what is live is last_deployment_id', () => {
  it('finds the live commit behind 55 failed deployments (beyond one page of the list), and skips it', async () => {
    sandbox = await startSandbox()
    const live = sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success', ageMs: 7_200_000 })
    for (let i = 0; i < 55; i++)
      sandbox.scalingo.seedDeployment('my-app', {
        git_ref: SHA_TAG,
        status: 'build-error',
        ageMs: 3_600_000 - i * 1000
      })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('skipped')
    expect(run.outputs['deployment-id']).toBe(live.id)
    expect(posts(sandbox)).toBe(0)
  })

  it('promotes what runs on staging even behind 55 failed deployments there', async () => {
    sandbox = await startSandbox({ scalingo: { apps: { 'my-app': {}, 'my-app-staging': {} } } })
    const staged = sandbox.scalingo.seedDeployment('my-app-staging', {
      git_ref: SHA_TAG,
      status: 'success',
      ageMs: 7_200_000
    })
    for (let i = 0; i < 55; i++)
      sandbox.scalingo.seedDeployment('my-app-staging', {
        git_ref: SHA_MAIN,
        status: 'build-error',
        ageMs: 3_600_000 - i * 1000
      })
    const run = await runAction({ env: sandbox.env({ 'promote-from': 'my-app-staging' }) })
    expect(errorLines(run)).toEqual([])
    expect(run.outputs.sha).toBe(SHA_TAG)
    expect(run.stdout).toContain(
      `Promoting ${SHA_TAG} from my-app-staging: its latest successful deployment ${staged.id}`
    )
  })

  it('the sandbox says so too: last_deployment_id is the last successful deployment, not the last one', async () => {
    sandbox = await startSandbox()
    const ok = sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success', ageMs: 60_000 })
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_TAG, status: 'build-error', ageMs: 1_000 })
    const res = await fetch(`${sandbox.scalingo.apiUrl}/v1/apps/my-app`, {
      headers: { Authorization: `Bearer ${await bearer(sandbox)}` }
    })
    const { app } = (await res.json()) as { app: { last_deployment_id: string } }
    expect(app.last_deployment_id).toBe(ok.id)
  })
})

async function bearer(sb: Sandbox): Promise<string> {
  const res = await fetch(`${sb.scalingo.authUrl}/v1/tokens/exchange`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`:${sb.scalingo.apiTokens[0]}`).toString('base64')}` }
  })
  return ((await res.json()) as { token: string }).token
}

describe('only a GitHub archive is ever skipped', () => {
  it('a source-url run of the live commit deploys: the artifact may differ', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success' })
    const url = `${sandbox.github.codeloadUrl}/acme/shop/tar.gz/${SHA_MAIN}`
    const run = await runAction({ env: sandbox.env({ 'source-url': url, ref: SHA_MAIN }) })
    expect(run.outputs.status).toBe('success')
    expect(posts(sandbox)).toBe(1)
  })

  it('an archive-path run of the live commit deploys', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: `${SHA_MAIN}-artifact`, status: 'success' })
    const dir = workspace({ 'build.tar.gz': makeTarGz('build', { 'package.json': '{}' }) })
    const run = await runAction({ env: { ...sandbox.env({ 'archive-path': 'build.tar.gz' }), GITHUB_WORKSPACE: dir } })
    expect(run.outputs.status).toBe('success')
    expect(posts(sandbox)).toBe(1)
  })
})

describe('not skipped while another commit is on its way', () => {
  it('deploys when a deployment of another commit is queued or running, and says why', async () => {
    sandbox = await startSandbox()
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success', ageMs: 60_000 })
    const other = sandbox.scalingo.seedRunning('my-app', 1500, { git_ref: SHA_TAG })
    const run = await runAction({ env: sandbox.env() })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('success')
    expect(run.stdout).toContain(`deployment ${other.id} (${SHA_TAG}) is building and will replace it`)
    expect(posts(sandbox)).toBe(1)
  })
})

describe('variables first', () => {
  function withVariables(): void {
    sandbox.scalingo.seedDeployment('my-app', { git_ref: SHA_MAIN, status: 'success' })
    sandbox.scalingo.apps
      .get('my-app')!
      .variables.push(
        { id: 'v1', name: 'SECRET_KEY', value: 'old-rotated-secret-1' },
        { id: 'v2', name: 'MODE', value: 'production' }
      )
  }

  it('a changed value on a live commit: applied in one call and deployed again, naming the variable, never the value', async () => {
    sandbox = await startSandbox()
    withVariables()
    const dir = workspace({ '.env': 'MODE=production\nSECRET_KEY=new-rotated-secret-2\n' })
    const run = await runAction({ env: { ...sandbox.env({ 'env-file': '.env' }), GITHUB_WORKSPACE: dir } })
    expect(errorLines(run)).toEqual([])
    expect(run.outputs.status).toBe('success')
    expect(posts(sandbox)).toBe(1)
    const calls = scalingoCalls(sandbox)
    expect(calls.filter(c => c === 'PUT /v1/apps/my-app/variables')).toHaveLength(1)
    expect(calls.indexOf('PUT /v1/apps/my-app/variables')).toBeLessThan(
      calls.indexOf('POST /v1/apps/my-app/deployments')
    )
    const put = sandbox.scalingo.requests.find(r => r.method === 'PUT' && r.path.endsWith('/variables'))!
    expect(JSON.parse(put.body)).toEqual({ variables: [{ name: 'SECRET_KEY', value: 'new-rotated-secret-2' }] })
    expect(run.stdout).toContain(
      `${SHA_MAIN} is live, but variables change (SECRET_KEY): deploying again so they take effect`
    )
    expect(leaks(run, ['new-rotated-secret-2', 'old-rotated-secret-1'])).toEqual([])
  })

  it('nothing changes: skipped, and nothing written', async () => {
    sandbox = await startSandbox()
    withVariables()
    const dir = workspace({ '.env': 'MODE=production\nSECRET_KEY=old-rotated-secret-1\n' })
    const run = await runAction({ env: { ...sandbox.env({ 'env-file': '.env' }), GITHUB_WORKSPACE: dir } })
    expect(run.outputs.status).toBe('skipped')
    expect(scalingoCalls(sandbox).filter(c => c.startsWith('PUT') || c.startsWith('POST /v1/apps'))).toEqual([])
  })

  it('the variables input takes part too, over the env-file, in the same single call', async () => {
    sandbox = await startSandbox()
    withVariables()
    const dir = workspace({ '.env': 'MODE=production\nSECRET_KEY=from-the-file-3\nFEATURE=on\n' })
    const run = await runAction({
      env: { ...sandbox.env({ 'env-file': '.env', variables: 'SECRET_KEY=from-a-secret-4\n' }), GITHUB_WORKSPACE: dir }
    })
    expect(run.outputs.status).toBe('success')
    const puts = sandbox.scalingo.requests.filter(r => r.method === 'PUT' && r.path.endsWith('/variables'))
    expect(puts).toHaveLength(1)
    expect(JSON.parse(puts[0].body)).toEqual({
      variables: [
        { name: 'SECRET_KEY', value: 'from-a-secret-4' },
        { name: 'FEATURE', value: 'on' }
      ]
    })
    expect(run.stdout).toContain('env-file and variables: added FEATURE; changed SECRET_KEY (1 unchanged)')
    expect(run.stdout).toContain('::add-mask::from-a-secret-4')
    expect(leaks(run, ['from-a-secret-4', 'from-the-file-3'])).toEqual([])
  })
})
