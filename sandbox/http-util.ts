import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** What a sandbox server saw: for assertions and for secret scans. */
export interface RecordedRequest {
  server: string
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  body: string
  at: number
}

/** A scripted misbehaviour: matched by method and path, used `times` times. */
export interface Fault {
  method?: string
  /** A substring or pattern of the path (with query). */
  path: string | RegExp
  /** How many matching requests to spoil; default 1. */
  times?: number
  /** Let this many matching requests through first. */
  skip?: number
  /**
   * - `respond`: answer with status/headers/body instead of the real handler;
   * - `reset`: destroy the connection without an answer;
   * - `hang`: never answer;
   * - `process-then-reset`: run the real handler, then drop the connection
   *   before the answer is written (an ambiguous POST);
   * - `cut-body`: answer status and headers (with the full Content-Length)
   *   and half of `body`, then drop the connection;
   * - `process-then-cut-body`: run the real handler, send its status,
   *   headers and half of its body, then drop the connection;
   * - `process-then-respond`: run the real handler, then answer with
   *   status/headers/body instead of what it answered (a 502 from a proxy
   *   after the work was done);
   * - `delay`: wait `delayMs`, then run the real handler;
   * - `trickle`: answer `status` (200) and headers, then one byte of `body`
   *   every `delayMs`, never ending (a stuck proxy).
   */
  action?:
    | 'respond'
    | 'reset'
    | 'hang'
    | 'process-then-reset'
    | 'cut-body'
    | 'process-then-cut-body'
    | 'process-then-respond'
    | 'delay'
    | 'trickle'
  /** With `delay`: how long; with `trickle`: between two bytes. */
  delayMs?: number
  status?: number
  headers?: Record<string, string>
  body?: string | Buffer
}

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  url: URL,
  raw: Buffer
) => void | Promise<void>

export interface SandboxServer {
  server: Server
  url: string
  close(): Promise<void>
}

/** A JSON value as the string a server would see (strings as they are). */
export function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? fallback : JSON.stringify(v)
}

export function json(res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(data)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers
  })
  res.end(body)
}

/**
 * One page of a list, as the APIs paginate: `page` and `per_page` from the
 * query (per_page 30 by default, at most `maxPerPage`), and Scalingo's
 * `meta.pagination` for it (GitHub says the same with a Link header).
 */
export function paginate<T>(
  all: T[],
  url: URL,
  maxPerPage: number
): {
  items: T[]
  page: number
  perPage: number
  totalPages: number
  meta: { pagination: Record<string, number | null> }
} {
  const perPage = Math.min(Math.max(parseInt(url.searchParams.get('per_page') ?? '30', 10) || 30, 1), maxPerPage)
  const page = Math.max(parseInt(url.searchParams.get('page') ?? '1', 10) || 1, 1)
  const totalPages = Math.max(1, Math.ceil(all.length / perPage))
  return {
    items: all.slice((page - 1) * perPage, page * perPage),
    page,
    perPage,
    totalPages,
    meta: {
      pagination: {
        prev_page: page > 1 ? page - 1 : null,
        current_page: page,
        next_page: page < totalPages ? page + 1 : null,
        total_pages: totalPages,
        total_count: all.length
      }
    }
  }
}

export function text(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8'
): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

/** Status, headers with the whole body's length, half of the body, then a dropped connection. */
function cutBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  data: Buffer
): void {
  res.writeHead(status, { ...headers, 'Content-Length': String(Math.max(data.length, 2)) })
  res.write(data.subarray(0, Math.floor(data.length / 2)))
  setTimeout(() => req.socket.destroy(), 20)
}

function matches(f: Fault, method: string, path: string): boolean {
  if (f.method && f.method !== method) return false
  return typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path)
}

/**
 * A loopback HTTP server that records every request and applies faults
 * before the real handler runs.
 */
export async function startServer(
  name: string,
  handler: Handler,
  log: RecordedRequest[],
  faults: () => Fault[],
  counters: Map<Fault, number>
): Promise<SandboxServer> {
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const body = raw.length > 1_000_000 ? '' : raw.toString('utf8')
      const url = new URL(req.url ?? '/', 'http://sandbox.local')
      const method = req.method ?? 'GET'
      const path = `${url.pathname}${url.search}`
      log.push({ server: name, method, path, headers: req.headers, body, at: Date.now() })
      // Every matching fault counts this request, so `skip` means "the
      // n-th matching request" whatever other faults did with it.
      let fault: Fault | undefined
      for (const f of faults()) {
        if (!matches(f, method, path)) continue
        const seen = counters.get(f) ?? 0
        counters.set(f, seen + 1)
        const skip = f.skip ?? 0
        if (!fault && seen >= skip && seen < skip + (f.times ?? 1)) fault = f
      }
      const run = async (): Promise<void> => {
        if (fault) {
          const action = fault.action ?? 'respond'
          if (action === 'reset') return void req.socket.destroy()
          if (action === 'hang') return
          if (action === 'respond') {
            res.writeHead(fault.status ?? 503, fault.headers ?? { 'Content-Type': 'text/plain' })
            res.end(fault.body ?? '')
            return
          }
          if (action === 'process-then-reset') {
            // Run the handler against a response that is never sent.
            const fake = Object.create(res) as ServerResponse
            fake.writeHead = () => fake
            fake.end = () => {
              req.socket.destroy()
              return fake
            }
            await handler(req, fake, body, url, raw)
            return
          }
          if (action === 'cut-body') {
            const data = Buffer.from(fault.body ?? '')
            return cutBody(req, res, fault.status ?? 200, fault.headers ?? {}, data)
          }
          if (action === 'trickle') {
            res.writeHead(fault.status ?? 200, fault.headers ?? { 'Content-Type': 'text/plain' })
            const data = Buffer.from(fault.body ?? 'x')
            let i = 0
            const timer = setInterval(() => {
              if (res.destroyed) return clearInterval(timer)
              res.write(data.subarray(i % data.length, (i % data.length) + 1))
              i++
            }, fault.delayMs ?? 500)
            res.on('close', () => clearInterval(timer))
            return
          }
          if (action === 'delay') {
            await new Promise(resolve => setTimeout(resolve, fault.delayMs ?? 1000))
            if (req.socket.destroyed) return
            return void (await handler(req, res, body, url, raw))
          }
          if (action === 'process-then-respond') {
            const fake = Object.create(res) as ServerResponse
            fake.writeHead = () => fake
            fake.end = () => {
              res.writeHead(fault.status ?? 502, fault.headers ?? { 'Content-Type': 'text/plain' })
              res.end(fault.body ?? '')
              return fake
            }
            await handler(req, fake, body, url, raw)
            return
          }
          if (action === 'process-then-cut-body') {
            // Run the handler, then send only half of what it answered.
            const fake = Object.create(res) as ServerResponse
            let status = 200
            let headers: Record<string, string> = {}
            fake.writeHead = ((code: number, h?: Record<string, string>) => {
              status = code
              headers = h ?? {}
              return fake
            }) as ServerResponse['writeHead']
            fake.end = ((chunk?: string | Buffer) => {
              cutBody(req, res, status, headers, Buffer.from(chunk ?? ''))
              return fake
            }) as ServerResponse['end']
            await handler(req, fake, body, url, raw)
            return
          }
        }
        await handler(req, res, body, url, raw)
      }
      run().catch(err => {
        if (!res.headersSent) json(res, 500, { error: `sandbox error: ${String(err)}` })
        else res.destroy()
      })
    })
  })
  server.on('connection', s => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>(resolve => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}
