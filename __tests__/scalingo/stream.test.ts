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
  it('sends the bearer over wss, or ws to loopback only', () => {
    expect(streamUrlAllowed('wss://deployments.osc-fr1.scalingo.com/apps/x')).toBe(true)
    expect(streamUrlAllowed('ws://127.0.0.1:9/apps/x')).toBe(true)
    expect(streamUrlAllowed('ws://deployments.example.com/apps/x')).toBe(false)
    expect(streamUrlAllowed('https://x')).toBe(false)
  })
})
