import { parseStreamFrame, streamUrlAllowed } from '../../src/scalingo/stream.js'

describe('parseStreamFrame', () => {
  it.each([
    ['{"type":"ping","data":{"ts":1}}', { type: 'ping' }],
    ['{"type":"log","id":"d1","data":{"content":"hello\\n"}}', { type: 'log', id: 'd1', content: 'hello\n' }],
    ['{"type":"status","id":"d1","data":{"status":"pushing"}}', { type: 'status', id: 'd1', status: 'pushing' }],
    ['{"type":"status","id":"d1","data":{"Status":"success"}}', { type: 'status', id: 'd1', status: 'success' }],
    ['{"type":"new","data":{"deployment":{"id":"d2"}}}', { type: 'new', id: 'd2' }],
    ['{"type":"new","data":"d3"}', { type: 'new', id: 'd3' }],
    ['{"type":"new","data":{"deployment":"d4"}}', { type: 'new', id: 'd4' }]
  ])('%s', (frame, event) => {
    expect(parseStreamFrame(frame)).toEqual(event)
  })
  it('ignores what it cannot use', () => {
    expect(parseStreamFrame('not json')).toBeUndefined()
    expect(parseStreamFrame('{"type":"log","data":{}}')).toBeUndefined()
    expect(parseStreamFrame('{"type":"status","id":"x","data":{}}')).toBeUndefined()
    expect(parseStreamFrame('{"type":"weird"}')).toEqual({ type: 'other', raw: '{"type":"weird"}' })
  })
})

describe('streamUrlAllowed', () => {
  const scalingo = 'https://api.osc-fr1.scalingo.com'
  it('sends the bearer over wss to a host of a known region, or to the API host', () => {
    expect(streamUrlAllowed('wss://deployments.osc-fr1.scalingo.com/apps/x', scalingo, true)).toBe(true)
    expect(streamUrlAllowed('wss://api.example.com/apps/x', 'https://api.example.com', false)).toBe(true)
    expect(streamUrlAllowed('ws://127.0.0.1:9/apps/x', 'http://127.0.0.1:8', false)).toBe(true)
  })
  it('never elsewhere: another host, plain ws off loopback, credentials, not a websocket', () => {
    expect(streamUrlAllowed('wss://evil.example.com/apps/x', scalingo, true)).toBe(false)
    expect(streamUrlAllowed('wss://scalingo.com.evil.example/apps/x', scalingo, true)).toBe(false)
    expect(streamUrlAllowed('wss://deployments.osc-fr1.scalingo.com/apps/x', 'https://api.example.com', false)).toBe(
      false
    )
    expect(streamUrlAllowed('ws://deployments.osc-fr1.scalingo.com/apps/x', scalingo, true)).toBe(false)
    expect(streamUrlAllowed('ws://127.0.0.2:9/apps/x', 'http://127.0.0.1:8', false)).toBe(false)
    expect(streamUrlAllowed('wss://u:p@deployments.osc-fr1.scalingo.com/apps/x', scalingo, true)).toBe(false)
    expect(streamUrlAllowed('https://api.osc-fr1.scalingo.com/x', scalingo, true)).toBe(false)
    expect(streamUrlAllowed('not a url', scalingo, true)).toBe(false)
  })
})
