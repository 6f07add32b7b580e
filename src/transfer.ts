import * as core from '@actions/core'
import { statSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspectArchive, saveTo } from './archive.js'
import { ActionError, HttpError, describeError } from './errors.js'
import { type GitHubApi, type Source, signedTarballUrl } from './github.js'
import type { Http } from './http.js'
import type { Settings } from './inputs.js'
import type { ScalingoClient } from './scalingo.js'

/**
 * How Scalingo gets the archive: by URL, or uploaded through its sources
 * API (a local archive, or GitHub's tarball downloaded in the runner).
 */

/** `archive-transfer: auto`: public archives by URL; private ones uploaded (GitHub's signed URL expires in minutes). */
export function chooseTransfer(setting: Settings['archiveTransfer'], visibility: Source['visibility']): 'url' | 'upload' {
  if (setting === 'url' || setting === 'upload') return setting
  return visibility === 'private' || visibility === 'internal' ? 'upload' : 'url'
}

/** A HEAD proves GitHub serves the archive (public); a signed URL was already handed out (private). */
export async function checkArchive(http: Http, source: Source): Promise<void> {
  if (source.visibility !== 'public') return
  const res = await http.request({
    method: 'HEAD',
    url: source.sourceUrl,
    retry: 'idempotent',
    accept: [301, 302, 303, 307, 308, 404, 403]
  })
  if (res.status >= 400) throw new ActionError(`GitHub does not serve the archive ${source.archiveUrl} (${res.status})`)
}

/**
 * Uploads an archive through Scalingo's sources API and returns its signed
 * download URL: the local file, or GitHub's tarball downloaded to the
 * runner first. Streams both ways. Returns undefined when `auto` may fall
 * back to handing Scalingo the URL (the sources API is not there).
 */
export async function uploadThroughSources(opts: {
  http: Http
  client: ScalingoClient
  githubApi: GitHubApi
  settings: Settings
  source: Source
  localPath?: string
  fallbackToUrl: boolean
  onUploaded?: (bytes: number) => void
}): Promise<string | undefined> {
  const { http, client, settings, source } = opts
  try {
    // The upload target first: without a sources API there is nothing to download for.
    const target = await client.createSource()
    const path = opts.localPath ?? (await downloadArchive(http, opts.githubApi, settings, source))
    const size = statSync(path).size
    await http.putFile(target.uploadUrl, path, size, 'application/x-gzip')
    core.info(`Uploaded the archive (${size} bytes) through Scalingo's sources API`)
    opts.onUploaded?.(size)
    return target.downloadUrl
  } catch (err) {
    if (!opts.fallbackToUrl) throw err instanceof HttpError ? client.explain(err) : err
    // auto: the upload is an improvement, not a requirement.
    const missing = err instanceof HttpError && (err.status === 404 || err.status === 405 || err.status === 501)
    const why = missing
      ? `Scalingo's sources API is not available (${(err as HttpError).status})`
      : `the upload failed (${describeError(err)})`
    core.warning(`${why}: handing Scalingo the signed archive URL instead, which expires in minutes`)
    return undefined
  }
}

/** GitHub's tarball of the commit, streamed to a file in the runner's temp dir and checked. */
export async function downloadArchive(http: Http, githubApi: GitHubApi, settings: Settings, source: Source): Promise<string> {
  const location = source.visibility === 'public' ? await signedTarballUrl(githubApi, settings.repository, source.sha) : source.sourceUrl
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'scalingo-archive-'))
  const path = join(dir, `${source.sha}.tar.gz`)
  const body = await http.open({ method: 'GET', url: location, headers: { Accept: 'application/octet-stream' } })
  if ((body.statusCode ?? 0) !== 200) {
    body.resume()
    throw new ActionError(`downloading the archive of ${source.sha} from GitHub failed (${body.statusCode})`)
  }
  const bytes = await saveTo(body, path)
  await inspectArchive(path, 'archive')
  core.info(`Downloaded the archive of ${source.sha} (${bytes} bytes) to upload it`)
  return path
}
