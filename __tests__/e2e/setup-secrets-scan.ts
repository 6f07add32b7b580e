/**
 * Runs after every test file (a no-op where the action never ran): each run of the action in that
 * file (all with debug output on) is scanned for every secret any sandbox
 * handed out and every token given as input, whole or in part: 12
 * consecutive characters of one are a leak (a secret cut short is still
 * one). The messages posted to the chat's webhook are scanned the same
 * way. Zero hits, or the file fails.
 */
import { afterAll, expect } from '@jest/globals'
import { allSandboxes, recordedRuns, sandboxSecrets } from '../../sandbox/index.js'
import { partialLeaks, readable } from '../helpers.js'

afterAll(() => {
  if (recordedRuns.length === 0) return // a unit-test file: nothing ran
  const secrets = new Set<string>()
  for (const sb of allSandboxes) for (const s of sandboxSecrets(sb)) secrets.add(s)
  for (const { env } of recordedRuns) {
    for (const key of ['INPUT_API-TOKEN', 'INPUT_GITHUB-TOKEN', 'INPUT_PROMOTE-FROM-API-TOKEN'])
      if (env[key] && env[key].length >= 8) secrets.add(env[key])
    const api = env['INPUT_API-TOKEN']
    if (api) secrets.add(Buffer.from(`:${api}`).toString('base64'))
    const src = env['INPUT_SOURCE-URL']
    // The query is what is secret in a URL: its path is shown as the archive.
    if (src && new URL(src).search) secrets.add(new URL(src).search.slice(1))
  }
  const hits: string[] = []
  for (const { run } of recordedRuns) {
    const text = readable(run)
    for (const hit of partialLeaks(text, [...secrets])) hits.push(`${hit} in a run that exited ${run.code}`)
  }
  for (const sb of allSandboxes)
    for (const post of sb.webhook.posts)
      for (const hit of partialLeaks(post.body, [...secrets])) hits.push(`${hit} in a message posted to the chat`)
  // A suite-wide check after each file's tests, not a test of its own.
  // eslint-disable-next-line jest/no-standalone-expect
  expect(hits).toEqual([])
})
