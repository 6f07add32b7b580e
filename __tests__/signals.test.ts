import { guardRun } from '../src/report/signals.js'
import { newReport } from '../src/report/report.js'
import { capture } from './helpers-stdout.js'

describe('guardRun', () => {
  afterEach(() => {
    process.exitCode = undefined
  })

  it('turns an unexpected rejection into one clean error line, outputs, and exit 1', async () => {
    const report = { ...newReport(), app: 'my-app', region: 'osc-fr1', stage: 'created' as const, deploymentId: 'd-1' }
    const exits: number[] = []
    let disposed = false
    let stop: () => void = () => undefined
    const out = capture(() => {
      stop = guardRun(
        report,
        {},
        () => {
          disposed = true
        },
        { exit: code => exits.push(code) }
      )
      process.emit('unhandledRejection', new Error('socket hang up\n::warning::pwned'), Promise.resolve())
    })
    stop()
    for (let i = 0; i < 100 && exits.length === 0; i++) await new Promise(resolve => setTimeout(resolve, 10))
    expect(exits).toEqual([1])
    expect(disposed).toBe(true)
    expect(out.split('\n').filter(l => l.startsWith('::error'))).toEqual([
      '::error::unexpected error: socket hang up ::warning::pwned; deployment d-1 was created and keeps running'
    ])
    expect(out).not.toMatch(/^::warning::pwned/m)
  })

  it('says what a cancellation leaves behind, once', async () => {
    const report = { ...newReport(), app: 'my-app', region: 'osc-fr1' }
    const exits: number[] = []
    let stop: () => void = () => undefined
    const out = capture(() => {
      stop = guardRun(report, {}, () => undefined, { exit: code => exits.push(code) })
      process.emit('SIGTERM', 'SIGTERM')
      process.emit('SIGINT', 'SIGINT')
    })
    stop()
    for (let i = 0; i < 100 && exits.length === 0; i++) await new Promise(resolve => setTimeout(resolve, 10))
    expect(exits).toEqual([1])
    expect(out).toContain('::error::cancelled (SIGTERM) before any deployment was created')
    expect(out).not.toContain('SIGINT')
  })
})
