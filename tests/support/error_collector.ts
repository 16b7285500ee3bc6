import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

export type CollectedEvent = {
  event_id: string
  level?: string
  release?: string
  environment?: string
  tags?: Record<string, string>
  user?: { id?: string }
  request?: unknown
  exception?: {
    values: Array<{ type: string; value: string; stacktrace?: { frames: unknown[] } }>
  }
}

export type ErrorCollector = {
  /** A DSN pointing at this collector (project 42, public key `oryneTest`). */
  dsn: string
  events: CollectedEvent[]
  /** Every request body as received, to check what left the process. */
  raw: string[]
  /** The X-Sentry-Auth header of each request. */
  auth: string[]
  waitFor(
    predicate: (event: CollectedEvent) => boolean,
    timeoutMs?: number
  ): Promise<CollectedEvent>
  close(): Promise<void>
}

async function bodyOf(request: IncomingMessage) {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks)
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body
}

/**
 * A stand-in for Sentry's ingestion endpoint speaking its envelope protocol
 * (a header line, then item header / payload line pairs), as a self-hosted
 * collector would: what Oryne sends is read back exactly as sent.
 */
export async function startErrorCollector(): Promise<ErrorCollector> {
  const events: CollectedEvent[] = []
  const raw: string[] = []
  const auth: string[] = []
  const server = createServer(async (request, response) => {
    const body = (await bodyOf(request)).toString('utf8')
    if (request.method !== 'POST' || request.url?.split('?')[0] !== '/api/42/envelope/') {
      response.writeHead(404).end()
      return
    }
    raw.push(body)
    auth.push(String(request.headers['x-sentry-auth'] ?? new URL(request.url, 'http://x').search))
    const lines = body.split('\n').filter(Boolean)
    for (let i = 1; i + 1 < lines.length; i += 2) {
      const header = JSON.parse(lines[i]) as { type: string }
      if (header.type === 'event') events.push(JSON.parse(lines[i + 1]) as CollectedEvent)
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    dsn: `http://oryneTest@127.0.0.1:${port}/42`,
    events,
    raw,
    auth,
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        const found = events.find(predicate)
        if (found) return found
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      throw new Error(`no matching error report within ${timeoutMs} ms (got ${events.length})`)
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
