import { isLoopbackHost, mayCarrySecrets } from '../../src/lib/urls.js'

describe('URL policy', () => {
  it('lets a secret travel over https/wss, or plain http/ws to loopback only', () => {
    expect(
      ['https://a.example', 'wss://a.example', 'http://127.0.0.1:1', 'ws://localhost:2'].map(mayCarrySecrets)
    ).toEqual([true, true, true, true])
    expect(['http://a.example', 'ws://a.example', 'ftp://127.0.0.1', 'not a url'].map(mayCarrySecrets)).toEqual([
      false,
      false,
      false,
      false
    ])
  })

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.3.2.1')).toBe(true)
    expect(isLoopbackHost('[::1]')).toBe(true)
    expect(isLoopbackHost('localhost.example.com')).toBe(false)
  })
})
