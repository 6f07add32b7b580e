import { decide, type DecisionInput } from '../../src/stages/decide.js'

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
const OTHER = '0f1e2d3c4b5a69788796a5b4c3d2e1f001234567'
const live = { id: 'live-1', status: 'success', git_ref: SHA, created_at: '2026-11-30T10:00:00Z' }
const base: DecisionInput = { force: false, kind: 'github', sha: SHA, live, inFlight: [], changedVariables: [] }

describe('decide: skip only what is truly live', () => {
  it('skips a GitHub archive whose commit runs, with nothing on its way and no variable to change', () => {
    expect(decide(base)).toEqual({ deploy: false })
  })

  it('deploys with force', () => {
    expect(decide({ ...base, force: true })).toEqual({ deploy: true })
  })

  it.each(['url', 'local'] as const)('never skips a %s artifact: it may differ while the commit is the same', kind => {
    expect(decide({ ...base, kind })).toEqual({ deploy: true })
  })

  it('deploys when another commit runs, or nothing does', () => {
    expect(decide({ ...base, live: { ...live, git_ref: OTHER } })).toEqual({ deploy: true })
    expect(decide({ ...base, live: undefined })).toEqual({ deploy: true })
    expect(decide({ ...base, sha: '' })).toEqual({ deploy: true })
  })

  it('deploys when it cannot tell whether another deployment is on its way', () => {
    expect(decide({ ...base, inFlight: undefined })).toEqual({
      deploy: true,
      why: 'cannot tell whether another deployment is on its way'
    })
  })

  it('deploys when a deployment of another commit is queued or running, and says which', () => {
    const d = decide({ ...base, inFlight: [{ id: 'next', status: 'building', git_ref: OTHER }] })
    expect(d).toEqual({
      deploy: true,
      why: `${SHA} is live, but deployment next (${OTHER}) is building and will replace it`
    })
  })

  it('names an archive deployment on its way (no git ref) as another archive', () => {
    expect(decide({ ...base, inFlight: [{ id: 'up', status: 'queued' }] })).toEqual({
      deploy: true,
      why: `${SHA} is live, but deployment up (another archive) is queued and will replace it`
    })
  })

  it('still skips when the deployment on its way is of this same commit', () => {
    expect(decide({ ...base, inFlight: [{ id: 'again', status: 'queued', git_ref: SHA }] })).toEqual({ deploy: false })
  })

  it('deploys when a variable changes, naming it', () => {
    const d = decide({ ...base, changedVariables: ['SECRET_KEY', 'MODE'] })
    expect(d).toEqual({
      deploy: true,
      why: `${SHA} is live, but variables change (SECRET_KEY, MODE): deploying again so they take effect`
    })
  })
})
