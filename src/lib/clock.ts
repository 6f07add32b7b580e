/** Time, injectable so follow and retry logic test in milliseconds. */
export interface Clock {
  now(): number
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise(resolve => {
      if (signal?.aborted) return resolve()
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, ms))
      signal?.addEventListener('abort', done, { once: true })
    })
}

/** `90s`, `15m`, `1h`, `1h30m`, `2m30s`: human durations in messages. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000)
  if (total < 60) return `${total}s`
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s'
}

/**
 * Settles with `p`, or with `onExpiry()` once `deadline` (ms since epoch) has
 * passed: a hung request never holds the run. `onExpiry` may throw.
 */
export async function beforeDeadline<T, E>(
  p: Promise<T>,
  deadline: number,
  clock: Clock,
  onExpiry: () => E
): Promise<T | E> {
  if (deadline === Infinity) return p
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<E>((resolve, reject) => {
    timer = setTimeout(
      () => {
        try {
          resolve(onExpiry())
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)))
        }
      },
      Math.max(0, deadline - clock.now())
    )
  })
  try {
    return await Promise.race([p, expired])
  } finally {
    clearTimeout(timer)
  }
}
