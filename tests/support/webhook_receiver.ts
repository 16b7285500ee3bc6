import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/*
 * A real local HTTP receiver for outbound webhooks (core webhooks and
 * collection automations), and the signature check docs/webhooks.md tells
 * integrators to make.
 */

export type Received = { path: string; headers: IncomingMessage['headers']; body: string }

/** Records every call and answers what it is told, per path (200 by default; a 3xx redirects). */
export class Receiver {
  readonly calls: Received[] = []
  readonly #plans = new Map<string, number[]>()
  #server: Server

  private constructor() {
    this.#server = createServer((req, res) => {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        const path = req.url ?? '/'
        this.calls.push({ path, headers: req.headers, body })
        const status = this.#plans.get(path)?.shift() ?? 200
        const redirect = status >= 300 && status < 400 ? { location: this.url('/elsewhere') } : {}
        res
          .writeHead(status, { 'content-type': 'text/plain', ...redirect })
          .end(status < 300 ? 'ok' : 'no')
      })
    })
  }

  static async start() {
    const receiver = new Receiver()
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', resolve))
    return receiver
  }

  url(path: string) {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}${path}`
  }

  /** The next calls to `path` get these statuses, in order; then 200 again. */
  answer(path: string, ...statuses: number[]) {
    this.#plans.set(path, [...(this.#plans.get(path) ?? []), ...statuses])
  }

  on(path: string) {
    return this.calls.filter((call) => call.path === path)
  }

  close() {
    return new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}

/** What an integrator does: HMAC-SHA256 of `<t>.<raw body>` with the secret, fresh, compared in constant time. */
export function verifiedSignature(secret: string, call: Received) {
  const header = String(call.headers['oryne-signature'] ?? '')
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=')))
  const expected = createHmac('sha256', secret).update(`${parts.t}.${call.body}`).digest('hex')
  const fresh = Math.abs(Date.now() / 1000 - Number(parts.t)) < 300
  return (
    fresh &&
    typeof parts.v1 === 'string' &&
    parts.v1.length === expected.length &&
    timingSafeEqual(Buffer.from(parts.v1), Buffer.from(expected))
  )
}
