import { jest } from '@jest/globals'

/** What a function writes to stdout (where @actions/core prints), captured. */
export function capture(fn: () => void): string {
  let out = ''
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk)
    return true
  })
  try {
    fn()
  } finally {
    spy.mockRestore()
  }
  return out
}

/** The lines the runner would show, without our command markers. */
export function shownLines(out: string): string[] {
  return out.split('\n').filter(l => l !== '' && !l.startsWith('::'))
}
