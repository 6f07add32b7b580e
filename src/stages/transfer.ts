import * as core from '@actions/core'
import { statSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GitHubClient, Repository } from '../github/client.js'
import { ActionError, HttpError, describeError } from '../lib/errors.js'
import type { Http } from '../lib/http.js'
import { inspectArchive, saveTo } from '../lib/tar.js'
import type { ScalingoClient } from '../scalingo/client.js'
import type { ArchiveTransfer } from '../settings/settings.js'
import type { Source } from './source.js'

/**
 * How Scalingo gets the archive: by URL, or uploaded through its sources
 * API (a local archive, or GitHub's tarball downloaded in the runner).
 */

/** `archive-transfer: auto`: public archives by URL; private ones uploaded (GitHub's signed URL expires in minutes). */
export function chooseTransfer(setting: ArchiveTransfer, visibility: Source['visibility']): 'url' | 'upload' {
  if (setting === 'url' || setting === 'upload') return setting
  return visibility === 'private' || visibility === 'internal' ? 'upload' : 'url'
}

/** A HEAD proves GitHub serves the archive (public); a signed URL was already handed out (private). */
export async function checkArchiveServed(http: Http, source: Source): Promise<void> {
  if (source.visibility !== 'public') return
  const res = await http.request({
    method: 'HEAD',
    url: source.sourceUrl,
    retry: 'idempotent',
    accept: [301, 302, 303, 307, 308, 404, 403]
  })
  if (res.status >= 400) throw new ActionError(`GitHub does not serve the archive ${source.archiveUrl} (${res.status})`)
}

/** Where an archive to upload comes from: a file already here, or a GitHub commit to download first. */
export type ArchiveOrigin =
  | { kind: 'file'; path: string }
  | { kind: 'github'; github: GitHubClient; repo: Repository; source: Source; tempDir: string }

export interface Uploaded {
  /** The signed download URL Scalingo fetches (a secret). */
  downloadUrl: string
  bytes: number
}

/**
 * Uploads an archive through Scalingo's sources API and returns its signed
 * download URL. Streams both ways: the archive is never held in memory.
 */
export async function uploadThroughSources(
  http: Http,
  client: ScalingoClient,
  origin: ArchiveOrigin
): Promise<Uploaded> {
  // The upload target first: without a sources API there is nothing to download for.
  const target = await client.createSource()
  const path = origin.kind === 'file' ? origin.path : await downloadArchive(http, origin)
  const bytes = statSync(path).size
  await http.putFile(target.uploadUrl, path, bytes, 'application/x-gzip')
  core.info(`Uploaded the archive (${bytes} bytes) through Scalingo's sources API`)
  return { downloadUrl: target.downloadUrl, bytes }
}

/** Why `auto` gave up the upload, for the warning that says it hands Scalingo the URL instead. */
export function uploadFailure(err: unknown): string {
  const missing = err instanceof HttpError && (err.status === 404 || err.status === 405 || err.status === 501)
  return missing
    ? `Scalingo's sources API is not available (${err.status})`
    : `the upload failed (${describeError(err)})`
}

/** GitHub's tarball of the commit, streamed to a file in the runner's temp dir and checked. */
async function downloadArchive(http: Http, origin: Extract<ArchiveOrigin, { kind: 'github' }>): Promise<string> {
  const { source } = origin
  const location =
    source.visibility === 'public' ? await origin.github.signedTarballUrl(origin.repo, source.sha) : source.sourceUrl
  const dir = await mkdtemp(join(origin.tempDir || tmpdir(), 'scalingo-archive-'))
  const path = join(dir, `${source.sha}.tar.gz`)
  const body = await http.raw({ method: 'GET', url: location, headers: { Accept: 'application/octet-stream' } })
  if ((body.statusCode ?? 0) !== 200) {
    body.resume()
    throw new ActionError(`downloading the archive of ${source.sha} from GitHub failed (${body.statusCode})`)
  }
  const bytes = await saveTo(body, path)
  await inspectArchive(path, 'archive')
  core.info(`Downloaded the archive of ${source.sha} (${bytes} bytes) to upload it`)
  return path
}
