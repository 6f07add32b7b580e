/**
 * End to end: the commit the user meant. A moved tag, the events whose
 * GITHUB_SHA is not the code to deploy, pull request refs, what GitHub's
 * archive leaves out, and how artifacts are recorded.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SHA_MAIN, SHA_TAG, defaultRepos, runAction, startSandbox, type Sandbox } from '../../sandbox/index.js'
import { errorLines, obeyedCommands, posts } from '../helpers.js'

let sandbox: Sandbox
afterEach(async () => {
  await sandbox?.close()
})

const tagPush = { GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.2.0', GITHUB_REF: 'refs/tags/v1.2.0' }

describe('a tag push', () => {
  it('deploys the tag given as ref when it is still the commit the workflow runs for', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: { ...sandbox.env({ ref: 'v1.2.0' }), ...tagPush, GITHUB_SHA: SHA_TAG } })
    expect(run.code).toBe(0)
    expect(run.outputs.sha).toBe(SHA_TAG)
  })

  it('refuses the tag when it moved since the push, naming both commits, before creating anything', async () => {
    sandbox = await startSandbox()
    // The workflow was pushed for SHA_MAIN; the tag now points at SHA_TAG.
    const run = await runAction({ env: { ...sandbox.env({ ref: 'v1.2.0' }), ...tagPush, GITHUB_SHA: SHA_MAIN } })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::error::ref "v1\\.2\\.0" is the tag this workflow was pushed for, at ${SHA_MAIN}, but GitHub now resolves it to ${SHA_TAG}: the tag moved since the push, or a branch has the same name`
        )
      )
    ])
    expect(sandbox.scalingo.requests).toHaveLength(0)
  })

  it('refuses when a branch of the same name shadows the tag', async () => {
    const repos = defaultRepos()
    repos['acme/shop'].branches = { ...repos['acme/shop'].branches, 'v1.2.0': SHA_MAIN }
    sandbox = await startSandbox({ github: { repos } })
    const run = await runAction({ env: { ...sandbox.env({ ref: 'v1.2.0' }), ...tagPush, GITHUB_SHA: SHA_TAG } })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toContain(
      'or a branch has the same name (GitHub resolves a bare name to the branch first)'
    )
    expect(posts(sandbox)).toBe(0)
  })
})

describe('an empty ref, by event', () => {
  it('workflow_run deploys the commit the triggering run tested (head_sha), not GITHUB_SHA', async () => {
    sandbox = await startSandbox()
    const dir = mkdtempSync(join(tmpdir(), 'event-'))
    const eventPath = join(dir, 'event.json')
    writeFileSync(
      eventPath,
      JSON.stringify({ action: 'completed', workflow_run: { head_sha: SHA_TAG, conclusion: 'success' } })
    )
    const run = await runAction({
      env: { ...sandbox.env(), GITHUB_EVENT_NAME: 'workflow_run', GITHUB_EVENT_PATH: eventPath, GITHUB_SHA: SHA_MAIN }
    })
    expect(run.code).toBe(0)
    expect(run.outputs.sha).toBe(SHA_TAG)
    expect(sandbox.scalingo.allDeployments()[0].git_ref).toBe(SHA_TAG)
  })

  it.each(['pull_request_target', 'issue_comment'])('%s asks for an explicit ref, before any request', async event => {
    sandbox = await startSandbox()
    const run = await runAction({ env: { ...sandbox.env(), GITHUB_EVENT_NAME: event } })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([
      `::error::Input 'ref': is empty, and on ${event} GITHUB_SHA is the base branch's commit, not the pull request's code: give the ref to deploy explicitly`
    ])
    expect(sandbox.scalingo.requests.length + sandbox.github.requests.length).toBe(0)
  })

  it('pull_request warns that GITHUB_SHA is a temporary merge commit', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: { ...sandbox.env({ 'dry-run': 'true' }), GITHUB_EVENT_NAME: 'pull_request' } })
    expect(run.code).toBe(0)
    expect(obeyedCommands(run.stdout)).toContain(
      '::warning::On pull_request, GITHUB_SHA is a temporary merge commit of the pull request into its base branch: give ref to deploy a commit of the branch'
    )
  })

  it.each(['refs/pull/42/head', 'pull/42/merge'])('refuses the pull request ref %s', async ref => {
    sandbox = await startSandbox()
    const run = await runAction({ env: sandbox.env({ ref }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toMatch(
      /^::error::Input 'ref': ".+" is a pull request ref: its head or merge commit is not a release/
    )
    expect(sandbox.github.requests).toHaveLength(0)
  })
})

describe("what GitHub's archive leaves out", () => {
  it('warns once per problem (submodules, LFS, export-ignore), in the log, the summary and the plan', async () => {
    const repos = defaultRepos()
    repos['acme/shop'].files = {
      '.gitmodules': '[submodule "vendor/lib"]\n\tpath = vendor/lib\n\turl = https://github.com/acme/lib.git\n',
      '.gitattributes': '*.psd filter=lfs diff=lfs merge=lfs -text\n/tests export-ignore\n*.md text\n'
    }
    sandbox = await startSandbox({ github: { repos } })
    const run = await runAction({ env: sandbox.env({ 'dry-run': 'true' }) })
    expect(run.code).toBe(0)
    const warnings = obeyedCommands(run.stdout).filter(l => l.startsWith('::warning'))
    expect(warnings).toEqual([
      "::warning title=GitHub archive::GitHub's archive leaves submodule folders empty: vendor/lib will be deployed empty",
      "::warning title=GitHub archive::Git LFS files (*.psd) are pointer files in GitHub's archive unless the repository includes LFS objects in archives (Settings → Archives)",
      "::warning title=GitHub archive::export-ignore paths are left out of GitHub's archive: /tests"
    ])
    expect(run.summary).toContain('vendor/lib will be deployed empty')
    expect(run.summary).toContain('warning: Git LFS files (*.psd)')
    const contents = sandbox.github.requests.filter(r => r.path.includes('/contents/'))
    expect(contents.map(r => r.path)).toEqual(
      expect.arrayContaining([
        `/repos/acme/shop/contents/.gitmodules?ref=${SHA_MAIN}`,
        `/repos/acme/shop/contents/.gitattributes?ref=${SHA_MAIN}`
      ])
    )
  })
})

describe('artifacts are labelled', () => {
  it('source-url without ref: git_ref <workflow commit>-artifact, the sha output stays the workflow commit', async () => {
    sandbox = await startSandbox()
    const run = await runAction({
      env: sandbox.env({ 'source-url': `${sandbox.github.codeloadUrl}/acme/shop/tar.gz/${SHA_MAIN}` })
    })
    expect(run.code).toBe(0)
    expect(sandbox.scalingo.allDeployments()[0].git_ref).toBe(`${SHA_MAIN}-artifact`)
    expect(run.outputs.sha).toBe(SHA_MAIN)
  })

  it('a ref that is not a commit becomes a Docker-safe git_ref', async () => {
    sandbox = await startSandbox()
    const run = await runAction({
      env: sandbox.env({
        'source-url': `${sandbox.github.codeloadUrl}/acme/shop/tar.gz/${SHA_MAIN}`,
        ref: 'release/1.2+build.7'
      })
    })
    expect(run.code).toBe(0)
    expect(sandbox.scalingo.allDeployments()[0].git_ref).toBe('release-1.2-build.7')
  })

  it('promote-from refuses an app whose live deployment is an artifact, and says what to do', async () => {
    sandbox = await startSandbox({ scalingo: { apps: { 'my-app': {}, 'my-app-staging': {} } } })
    sandbox.scalingo.seedDeployment('my-app-staging', { git_ref: `${SHA_MAIN}-artifact`, status: 'success' })
    const run = await runAction({ env: sandbox.env({ 'promote-from': 'my-app-staging' }) })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toMatch(
      /not a commit SHA: it was deployed from an artifact.*\(deploy the same archive to this app with archive-path or source-url instead\)/
    )
    expect(posts(sandbox)).toBe(0)
  })
})

describe('GitHub Enterprise Server', () => {
  it('auto uploads even a public archive: Scalingo usually cannot reach the server', async () => {
    sandbox = await startSandbox()
    const run = await runAction({ env: { ...sandbox.env(), GITHUB_SERVER_URL: 'https://ghe.example.com' } })
    expect(errorLines(run)).toEqual([])
    expect(run.code).toBe(0)
    expect(sandbox.scalingo.allDeployments()[0].source_url).toMatch(/\/sources-storage\//)
    expect(run.outputs['archive-url']).toBe(`https://ghe.example.com/acme/shop/archive/${SHA_MAIN}.tar.gz`)
  })
})
