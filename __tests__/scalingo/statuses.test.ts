import { describeStatus, hasFailed, isFinished, isRunning, isSuccess, statusHint } from '../../src/scalingo/statuses.js'

describe('statuses (as go-scalingo)', () => {
  it.each(['queued', 'building', 'pushing', 'starting'])('%s is running', s => {
    expect(isRunning(s)).toBe(true)
    expect(isFinished(s)).toBe(false)
    expect(hasFailed(s)).toBe(false)
  })
  it('success is finished and not failed', () => {
    expect(isFinished('success')).toBe(true)
    expect(hasFailed('success')).toBe(false)
    expect(isSuccess('success')).toBe(true)
  })
  it.each(['build-error', 'crashed-error', 'timeout-error', 'hook-error', 'aborted', 'some-new-error', ''])(
    '%s is a failure',
    s => {
      expect(isFinished(s)).toBe(true)
      expect(hasFailed(s)).toBe(true)
    }
  )
  it.each([
    ['queued', /waiting for a deployment slot/],
    ['building', /buildpack is building/],
    ['pushing', /pushed to the registry/],
    ['starting', /containers are starting/],
    ['success', /new version is running/],
    ['build-error', /build failed/],
    ['crashed-error', /crashed at boot/],
    ['timeout-error', /\$PORT/],
    ['aborted', /aborted/]
  ])('says %s in plain words', (status, words) => {
    expect(describeStatus(status)).toMatch(words)
  })
  it.each([
    ['build-error', /end of the build output/],
    ['crashed-error', /Procfile command and the app logs/],
    ['timeout-error', /listen on \$PORT/],
    ['hook-error', /postdeploy command/],
    ['aborted', /run the workflow again/]
  ])('hints what to check first for %s', (status, hint) => {
    expect(statusHint(status)).toMatch(hint)
  })
  it.each(['queued', 'building', 'success', 'mystery'])('has no hint for %s', status => {
    expect(statusHint(status)).toBeUndefined()
  })
  it('says every status in plain words, and admits an unknown one', () => {
    expect(describeStatus('hook-error')).toMatch(/postdeploy hook failed/)
    expect(describeStatus('mystery')).toBe('unknown status "mystery", treated as a failure')
    expect(statusHint('timeout-error')).toMatch(/\$PORT/)
    expect(statusHint('success')).toBeUndefined()
  })
})

describe('a failure says each thing once', () => {
  it.each(['build-error', 'crashed-error', 'timeout-error', 'hook-error', 'aborted'])(
    '%s: the hint adds to the words, never repeats them',
    status => {
      const words = describeStatus(status)
      const hint = statusHint(status) ?? ''
      expect(hint).not.toBe('')
      for (const clause of words.split(/[;,] /)) expect(hint).not.toContain(clause)
    }
  )
})
