import * as log from '../lib/log.js'
import { statSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GitHubClient, Repository } from '../github/client.js'
import { type Clock, beforeDeadline } from '../lib/clock.js'
import { ActionError, HttpError, describeError } from '../lib/errors.js'
import type { Http } from '../lib/http.js'
import { isLoopbackHost } from '../lib/urls.js'
import { inspectArchive, saveTo } from '../lib/tar.js'
import type { ScalingoClient } from '../scalingo/client.js'
import type { ArchiveTransfer } from '../settings/settings.js'
import type { Source } from './source.js'

/**
 * How Scalingo gets the archive: by URL, or uploaded through its sources
 * API (a local archive, or GitHub's tarball downloaded in the runner).
 * Every URL that expires is minted (or created) just before it is used.
 */

export type Transfer = 'url' | 'upload'

/**
 * `archive-transfer: auto`: public archives on github.com by URL; private
 * ones uploaded (GitHub's signed URL expires in 5 minutes, a queued
 * deployment can wait longer), and everything from GitHub Enterprise Server
 * (Scalingo usually cannot reach it).
 */
export function chooseTransfer(
  settings: { archiveTransfer: ArchiveTransfer; githubServerUrl: string },
  source: Source
): Transfer {
  if (source.kind === 'local') return 'upload'
  if (source.kind === 'url') return 'url'
  const setting = settings.archiveTransfer
  if (setting === 'url' || setting === 'upload') return setting
  return source.visibility !== 'public' || !scalingoReaches(settings.githubServerUrl) ? 'upload' : 'url'
}

/**
 * Whether what Scalingo gets expires: a signed GitHub URL (5 minutes) or a
 * Scalingo source (10 minutes, then deleted). It must then be handed over
 * when the app is free to start the build.
 */
export function sourceExpires(source: Source, transfer: Transfer): boolean {
  if (source.kind === 'url') return false
  return transfer === 'upload' || source.visibility !== 'public'
}

/**
 * Whether Scalingo can fetch archives from this GitHub: github.com, not a
 * GitHub Enterprise Server (usually private to its network). A loopback
 * GitHub (the sandbox) is reachable by the loopback Scalingo beside it.
 */
export function scalingoReaches(githubServerUrl: string): boolean {
  const host = new URL(githubServerUrl).hostname
  return host === 'github.com' || isLoopbackHost(host)
}

/**
 * How the archive reaches Scalingo, in one sentence: the same words in the
 * log, the dry-run plan and the docs.
 */
export function howTheArchiveTravels(source: Source, transfer: Transfer): string {
  if (source.kind === 'local') return 'uploaded through Scalingo’s sources API once the app is free'
  if (source.kind === 'url') return 'fetched by Scalingo from the URL given'
  const signed = source.visibility !== 'public'
  if (transfer === 'upload') {
    return `downloaded in the runner${signed ? ' through a signed, short-lived GitHub URL (masked)' : ''}, then uploaded through Scalingo’s sources API once the app is free`
  }
  return signed
    ? 'fetched by Scalingo through a signed, short-lived GitHub URL (masked), minted once the app is free'
    : 'fetched by Scalingo from its public URL'
}

/** A HEAD proves GitHub serves the public archive (dry run). */
export async function checkArchiveServed(http: Http, source: Source): Promise<void> {
  if (source.kind !== 'github' || source.visibility !== 'public') return
  const res = await http.request({
    method: 'HEAD',
    url: source.archiveUrl,
    retry: 'idempotent',
    accept: [301, 302, 303, 307, 308, 404, 403]
  })
  if (res.status >= 400) throw new ActionError(`GitHub does not serve the archive ${source.archiveUrl} (${res.status})`)
}

export interface Uploaded {
  /** The signed download URL Scalingo fetches (a secret). */
  downloadUrl: string
  bytes: number
}

interface Bounds {
  clock: Clock
  /** ms since epoch: downloads and uploads end by the run's timeout. */
  deadline: number
}

function timedOut(what: string): never {
  throw new ActionError(`${what} did not finish before the timeout; nothing was created`)
}

/**
 * GitHub's tarball of the commit, from a freshly minted signed URL,
 * streamed to a file in the runner's temp dir and checked. Never held in memory.
 */
export async function downloadArchive(
  http: Http,
  github: GitHubClient,
  repo: Repository,
  sha: string,
  tempDir: string,
  bounds: Bounds
): Promise<{ path: string; bytes: number }> {
  const location = await github.signedTarballUrl(repo, sha)
  const dir = await mkdtemp(join(tempDir || tmpdir(), 'scalingo-archive-'))
  const path = join(dir, `${sha}.tar.gz`)
  const body = await beforeDeadline(
    http.raw({ method: 'GET', url: location, headers: { Accept: 'application/octet-stream' } }),
    bounds.deadline,
    bounds.clock,
    () => timedOut(`downloading the archive of ${sha}`)
  )
  if ((body.statusCode ?? 0) !== 200) {
    body.resume()
    throw new ActionError(`downloading the archive of ${sha} from GitHub failed (${body.statusCode})`)
  }
  const bytes = await beforeDeadline(saveTo(body, path), bounds.deadline, bounds.clock, () => {
    body.destroy()
    return timedOut(`downloading the archive of ${sha}`)
  })
  await inspectArchive(path, 'archive', bounds.deadline)
  log.info(`Downloaded the archive of ${sha} (${bytes} bytes) to upload it`)
  return { path, bytes }
}

/**
 * Creates a Scalingo source (its 10 minutes start now) and streams the
 * archive to its signed upload URL; returns the signed download URL.
 */
export async function uploadArchive(
  http: Http,
  client: ScalingoClient,
  path: string,
  bounds: Bounds
): Promise<Uploaded> {
  const target = await client.createSource()
  const bytes = statSync(path).size
  await beforeDeadline(
    http.putFile(target.uploadUrl, path, bytes, 'application/x-gzip'),
    bounds.deadline,
    bounds.clock,
    () => timedOut('uploading the archive')
  )
  log.info(`Uploaded the archive (${bytes} bytes) through Scalingo's sources API`)
  return { downloadUrl: target.downloadUrl, bytes }
}

/** Why `auto` gave up the upload, for the warning that says it hands Scalingo a signed URL instead. */
export function uploadFailure(err: unknown): string {
  const missing = err instanceof HttpError && (err.status === 404 || err.status === 405 || err.status === 501)
  return missing
    ? `Scalingo's sources API is not available (${err.status})`
    : `the upload failed (${describeError(err)})`
}
