import { canonicalRef, namesTag, refFormatProblem } from '../../src/lib/refs.js'

describe('refFormatProblem: git check-ref-format --allow-onelevel', () => {
  it.each(['main', 'v1.2.0', 'release/1.x', 'refs/tags/v1.2.0', 'feature/a-b_c', 'a1b2c3d', 'x@y', 'a.b/c.d'])(
    'accepts %j',
    ref => {
      expect(refFormatProblem(ref)).toBeUndefined()
    }
  )

  it.each([
    ['', 'it is empty'],
    ['refs/./pull/42/head', 'a path component starts with "."'],
    ['.x', 'a path component starts with "."'],
    ['a.lock/b', 'a path component ends with ".lock"'],
    ['a..b', 'it holds ".."'],
    ['a//b', 'it has an empty path component'],
    ['/a', 'it has an empty path component'],
    ['a/', 'it has an empty path component'],
    ['a.', 'it ends with "."'],
    ['a@{1}', 'it holds "@{"'],
    ['@', 'it is "@"'],
    ['a\tb', 'it holds a space, a control character or one of ~^:?*[\\'],
    ['a\\b', 'it holds a space, a control character or one of ~^:?*[\\'],
    ['-x', 'it starts with "-"'],
    ['x'.repeat(256), 'it is longer than 255 characters']
  ])('refuses %j: %s', (ref, why) => {
    expect(refFormatProblem(ref)).toBe(why)
  })
})

describe('canonicalRef: what a ref names, however written', () => {
  it.each([
    ['refs/heads/main', 'branch', 'main'],
    ['heads/main', 'branch', 'main'],
    ['refs/tags/v1', 'tag', 'v1'],
    ['tags/v1', 'tag', 'v1'],
    ['refs/pull/42/head', 'pull', '42/head'],
    ['pull/42/merge', 'pull', '42/merge'],
    ['REFS/PULL/42/head', 'pull', '42/head'],
    ['v1', 'bare', 'v1'],
    ['feature/pull/x', 'bare', 'feature/pull/x']
  ])('%j is a %s named %j', (ref, kind, name) => {
    expect(canonicalRef(ref)).toEqual({ kind, name })
  })

  it('names a tag as the tag, never as a branch', () => {
    expect(namesTag('v1.2.0', 'v1.2.0')).toBe(true)
    expect(namesTag('tags/v1.2.0', 'v1.2.0')).toBe(true)
    expect(namesTag('refs/tags/v1.2.0', 'v1.2.0')).toBe(true)
    expect(namesTag('refs/heads/v1.2.0', 'v1.2.0')).toBe(false)
    expect(namesTag('refs/tags/v1.2.1', 'v1.2.0')).toBe(false)
  })
})
