/**
 * scrub with many secrets (a review app masks its parent's variables): the
 * indexed path gives what trying each secret gives, and its cost does not
 * grow with the number of secrets. Its own file: the registry is global.
 */
import { registerSecrets, scrub, scrubCut } from '../../src/lib/secrets.js'
import { capture } from '../helpers-stdout.js'

/** The plain algorithm: every form, longest first, replaced where it occurs. */
function naive(text: string, forms: string[]): string {
  let out = text
  for (const s of [...forms].sort((a, b) => b.length - a.length)) if (out.includes(s)) out = out.split(s).join('***')
  return out
}

let seed = 7
const rand = (n: number): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed % n
}
const word = (len: number): string => Array.from({ length: len }, () => 'abcdefghij-_/:@'[rand(15)]).join('')

const secrets = Array.from({ length: 400 }, (_, i) => `${word(4 + rand(30))}${i}`)
// A secret inside a longer one, and two sharing a prefix.
secrets.push('postgres://u:pw-shared-prefix-1@db', 'pw-shared-prefix-1', 'postgres://u:pw-shared-prefix-2@db')
capture(() => registerSecrets(secrets))

describe('scrub with hundreds of secrets', () => {
  it('gives what trying every secret gives, on texts with secrets apart', () => {
    for (let n = 0; n < 300; n++) {
      const parts = Array.from({ length: 6 }, () => (rand(3) === 0 ? secrets[rand(secrets.length)] : word(rand(20))))
      const text = parts.join(' | ')
      expect(scrub(text)).toBe(naive(text, secrets))
    }
  })

  it('a secret inside a longer one, overlapping or adjacent ones: every character of every one covered', () => {
    expect(scrub('url postgres://u:pw-shared-prefix-1@db end')).toBe('url *** end')
    expect(scrub('x pw-shared-prefix-1 y postgres://u:pw-shared-prefix-2@db z')).toBe('x *** y *** z')
    const a = secrets[0]
    const b = secrets[1]
    expect(scrub(`${a}${b}`)).toBe('***')
  })

  it('scrubCut still scrubs before it cuts', () => {
    const s = secrets[5]
    const text = `${'x'.repeat(50)}${s}`
    expect(scrubCut(text, 50 + Math.floor(s.length / 2))).not.toContain(s.slice(0, 4))
  })
})
