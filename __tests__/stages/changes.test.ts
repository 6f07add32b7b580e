import { type Deployment } from '../../src/scalingo/client.js'
import { MAX_EVENT_PAGES, variableChangesSince } from '../../src/stages/changes.js'
import { sandboxClient } from '../helpers-client.js'

const { setup, sandbox } = sandboxClient()

const HOUR = 3_600_000

/** The live deployment as the API shows it, created `ageMs` ago. */
function live(ageMs: number): Deployment {
  return { id: 'live-1', status: 'success', git_ref: 'abc', created_at: new Date(Date.now() - ageMs).toISOString() }
}

describe('variableChangesSince: from the app events, back to the live deployment', () => {
  it('names every variable changed since, in any event form, never a value', async () => {
    const client = await setup({ events: { order: 'shuffled' } })
    await client.exchange()
    const sb = sandbox()
    sb.recordEvent('my-app', 'new_variable', { name: 'A', value: 'va' }, Date.now() - 3000)
    sb.recordEvent('my-app', 'edit_variable', { name: 'B', value: 'vb' }, Date.now() - 2000)
    sb.recordEvent('my-app', 'delete_variable', { name: 'C', value: 'vc' }, Date.now() - 1500)
    sb.recordEvent(
      'my-app',
      'edit_variables',
      {
        new_vars: [{ name: 'D', value: 'vd' }],
        updated_vars: [{ name: 'E', value: 've' }],
        deleted_vars: [{ name: 'F' }]
      },
      Date.now() - 1000
    )
    sb.recordEvent('my-app', 'restart', { scope: ['web'] }, Date.now() - 500)
    const changes = await variableChangesSince(client, live(HOUR))
    expect(changes).toEqual({ changed: true, names: ['A', 'B', 'C', 'D', 'E', 'F'], latest: expect.any(String) })
    expect(JSON.stringify(changes)).not.toMatch(/"v[a-f]"/)
  })

  it('a change older than the live deployment, or at its very instant, is running', async () => {
    const client = await setup()
    await client.exchange()
    const deployment = live(HOUR)
    sandbox().recordEvent('my-app', 'edit_variable', { name: 'OLD', value: 'x' }, Date.now() - 2 * HOUR)
    sandbox().recordEvent('my-app', 'edit_variable', { name: 'SAME', value: 'x' }, Date.parse(deployment.created_at!))
    expect(await variableChangesSince(client, deployment)).toEqual({ changed: false })
  })

  it('cannot tell without the live deployment’s date, or past the pages it reads', async () => {
    const client = await setup({ events: { maxPerPage: 2 } })
    await client.exchange()
    expect(await variableChangesSince(client, { id: 'x', status: 'success' })).toEqual({
      changed: 'unknown',
      why: 'deployment x has no readable created_at'
    })
    for (let i = 0; i < 2 * MAX_EVENT_PAGES + 2; i++)
      sandbox().recordEvent('my-app', 'restart', {}, Date.now() - 1000 + i)
    const changes = await variableChangesSince(client, live(HOUR))
    expect(changes).toEqual({ changed: 'unknown', why: expect.stringContaining('events since deployment live-1') })
  })

  it('cannot tell when the events cannot be read', async () => {
    const client = await setup({ faults: [{ method: 'GET', path: '/events', times: 10, status: 500 }] })
    await client.exchange()
    const changes = await variableChangesSince(client, live(HOUR))
    expect(changes).toEqual({ changed: 'unknown', why: expect.stringContaining("the app's events could not be read") })
  })
})
