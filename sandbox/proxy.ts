import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer as createHttpServer, request, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * An HTTPS_PROXY for tests: a CONNECT proxy on loopback that tunnels to a
 * local TLS front serving `*.sandbox.test` with a throwaway certificate and
 * forwarding to the sandbox's plain-http servers by host name. The action
 * sees real https hosts that only the proxy can reach, so a request that
 * bypasses the proxy fails (ENOTFOUND) and one that uses it is recorded.
 */

export interface TestProxy {
  url: string
  /** `host:port` of every CONNECT, in order. */
  connects: string[]
  /** PEM of the CA the action must trust (NODE_EXTRA_CA_CERTS). */
  caFile: string
  close(): Promise<void>
}

/** A self-signed certificate for *.sandbox.test (openssl, as on every Debian machine). */
function makeCertificate(): { key: string; cert: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-tls-'))
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=sandbox.test',
      '-addext',
      'subjectAltName=DNS:*.sandbox.test,DNS:sandbox.test'
    ],
    { stdio: 'ignore' }
  )
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), file: cert }
}

/** `routes`: host name (e.g. api.sandbox.test) → upstream base URL (http://127.0.0.1:port). */
export async function startProxy(routes: Record<string, string>): Promise<TestProxy> {
  const tls = makeCertificate()
  const front = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const host = (req.headers.host ?? '').split(':')[0]
    const upstream = routes[host]
    if (!upstream) {
      res.writeHead(502).end('unknown host')
      return
    }
    const u = new URL(req.url ?? '/', upstream)
    const fwd = request(u, { method: req.method, headers: { ...req.headers, host: u.host } }, up => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    })
    fwd.on('error', () => res.destroy())
    req.pipe(fwd)
  })
  await new Promise<void>(r => front.listen(0, '127.0.0.1', r))
  const frontPort = (front.address() as AddressInfo).port

  const connects: string[] = []
  const sockets = new Set<Socket>()
  const proxy: Server = createHttpServer((_req, res) => res.writeHead(405).end())
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '')
    sockets.add(client)
    const [host] = (req.url ?? '').split(':')
    if (!routes[host]) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
      return
    }
    const upstream = connect(frontPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>(r => proxy.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    connects,
    caFile: tls.file,
    async close() {
      for (const s of sockets) s.destroy()
      await Promise.all([new Promise(r => proxy.close(r)), new Promise(r => front.close(r))])
    }
  }
}
