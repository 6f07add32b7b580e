/**
 * Scalingo's deployment statuses, mirroring go-scalingo: a deployment is
 * finished when it is none of queued/building/pushing/starting, and failed
 * when finished and not `success`. Unknown statuses count as failed.
 */

export const RUNNING_STATUSES = ['queued', 'building', 'pushing', 'starting'] as const

const MEANING: Record<string, string> = {
  queued: 'waiting for a deployment slot',
  building: 'the buildpack is building the app',
  pushing: 'the image is being pushed to the registry',
  starting: 'the new containers are starting',
  success: 'the new version is running',
  'build-error': 'the build failed',
  'crashed-error': 'the app crashed at boot',
  'timeout-error': 'the app did not listen on $PORT in time (60 s)',
  'hook-error': 'the postdeploy hook failed; the previous version keeps running',
  aborted: 'the deployment was aborted (cancelled, or Scalingo lost the connection)'
}

export function isRunning(status: string): boolean {
  return (RUNNING_STATUSES as readonly string[]).includes(status)
}

export function isFinished(status: string): boolean {
  return !isRunning(status)
}

export function isSuccess(status: string): boolean {
  return status === 'success'
}

export function hasFailed(status: string): boolean {
  return isFinished(status) && !isSuccess(status)
}

/** Plain words for a status; unknown statuses say so rather than guess. */
export function describeStatus(status: string): string {
  return MEANING[status] ?? `unknown status ${status.startsWith('"') ? status : `"${status}"`}, treated as a failure`
}

/** What to check first, by status: printed with a failure. */
export function statusHint(status: string): string | undefined {
  switch (status) {
    case 'build-error':
      return 'read the end of the build output above: a buildpack or dependency step failed'
    case 'crashed-error':
      return 'the app exited at boot: check the Procfile command and the app logs (scalingo logs)'
    case 'timeout-error':
      return 'the web process must listen on $PORT within 60 s of starting'
    case 'hook-error':
      return 'read the output of the postdeploy command (Procfile) above; fix it, or run it by hand with scalingo run'
    case 'aborted':
      return 'the deployment was cancelled or interrupted; run the workflow again'
    default:
      return undefined
  }
}
