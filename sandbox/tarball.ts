import { gzipSync } from 'node:zlib'

/**
 * A real gzip'd tar with one folder at its root, as GitHub serves archives
 * and as Scalingo requires them.
 */

/** One ustar header block, checksum right: `0` a file, `5` a folder, `x` a pax header, `L` a long name. */
export function tarHeader(name: string, size: number, type: '0' | '5' | 'x' | 'L', mtime = 1_700_000_000): Buffer {
  const h = Buffer.alloc(512)
  const put = (value: string, offset: number, length: number): void => {
    h.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8')
  }
  const octal = (n: number, length: number): string => n.toString(8).padStart(length - 1, '0') + '\0'
  put(name, 0, 100)
  put(octal(type === '5' ? 0o755 : 0o644, 8), 100, 8)
  put(octal(0, 8), 108, 8)
  put(octal(0, 8), 116, 8)
  put(octal(size, 12), 124, 12)
  put(octal(mtime, 12), 136, 12)
  h.fill(' ', 148, 156)
  put(type, 156, 1)
  put('ustar\0', 257, 6)
  put('00', 263, 2)
  let sum = 0
  for (const byte of h) sum += byte
  put(octal(sum, 7) + ' ', 148, 8)
  return h
}

export function makeTarGz(root: string, files: Record<string, string>, mtime = 1_700_000_000): Buffer {
  const parts: Buffer[] = [tarHeader(`${root}/`, 0, '5', mtime)]
  for (const [path, content] of Object.entries(files)) {
    const data = Buffer.from(content, 'utf8')
    parts.push(tarHeader(`${root}/${path}`, data.length, '0', mtime))
    parts.push(data)
    const pad = (512 - (data.length % 512)) % 512
    if (pad) parts.push(Buffer.alloc(pad))
  }
  parts.push(Buffer.alloc(1024))
  return gzipSync(Buffer.concat(parts))
}
