import { healthTarget, healthUrl } from '../../src/stages/health.js'
import type { App } from '../../src/scalingo/client.js'

const app = (over: Partial<App>): App => ({ name: 'my-app', ...over }) as App

describe('healthUrl', () => {
  it('a full URL is checked as given', () => {
    expect(healthUrl({ url: 'https://status.example.com/ready?k=1' }, app({}))).toBe(
      'https://status.example.com/ready?k=1'
    )
  })

  it("a path goes on the app's origin (its url, else base_url)", () => {
    expect(healthUrl({ path: '/health' }, app({ url: 'https://my-app.osc-fr1.scalingo.io/some/where' }))).toBe(
      'https://my-app.osc-fr1.scalingo.io/health'
    )
    expect(healthUrl({ path: '/health' }, app({ base_url: 'https://my-app.example.com' }))).toBe(
      'https://my-app.example.com/health'
    )
    expect(healthUrl({ path: '/health' }, app({ url: 'http://127.0.0.1:8080' }))).toBe('http://127.0.0.1:8080/health')
  })

  it.each([
    ['no URL at all', {}],
    ['plain http off loopback', { url: 'http://my-app.osc-fr1.scalingo.io' }],
    ['credentials in it', { url: 'https://user:pw@my-app.osc-fr1.scalingo.io' }],
    ['not a URL', { url: 'my-app' }]
  ])('an app URL with %s is not checked', (_n, over) => {
    expect(healthUrl({ path: '/health' }, app(over))).toBeUndefined()
  })
})

describe('healthTarget', () => {
  it('shows the path, or the URL without its query', () => {
    expect(healthTarget({ path: '/health' })).toBe('/health')
    expect(healthTarget({ url: 'https://status.example.com/ready?key=s3cret' })).toBe(
      'https://status.example.com/ready'
    )
  })
})
