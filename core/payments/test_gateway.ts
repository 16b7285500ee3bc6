import { createHmac, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/*
 * A card gateway for tests (`PaymentGateway` in `@oryne/sdk/testing`), over real HTTP on 127.0.0.1: it implements the
 * hosted-checkout pattern the e-store's card provider speaks (POST
 * /v1/checkout/sessions and /v1/refunds with a Bearer API key and an
 * Idempotency-Key) and sends webhooks signed like production gateways do:
 * header `Gateway-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">`. Tests drive the customer's side (`pay`) and can send
 * tampered, stale or replayed deliveries. A browser sees the hosted page
 * (GET /pay/<session>): its **Pay** button completes the session, sends the
 * webhook and sends the payer back to the session's success URL.
 */

export type GatewaySession = {
  id: string
  url: string
  status: 'open' | 'complete' | 'expired'
  amount: number
  currency: string
  reference: string
  successUrl: string
  metadata: Record<string, string>
  refunded: number
}

export type Delivery = { status: number; body: any; raw: string; headers: Record<string, string> }

type Stored = { fingerprint: string; status: number; body: unknown }

export class PaymentGateway {
  readonly apiKey = `sk_test_${randomBytes(8).toString('hex')}`
  readonly webhookSecret = `whsec_${randomBytes(16).toString('hex')}`
  readonly sessions = new Map<string, GatewaySession>()
  /** Every API request the gateway answered: path, Idempotency-Key and the status it gave. */
  readonly requests: Array<{ path: string; key: string | undefined; status: number }> = []
  #server?: Server
  #url = ''
  #idempotency = new Map<string, Stored>()
  #webhook?: { url: string; headers: Record<string, string> }

  get url() {
    return this.#url
  }

  /** Where the gateway posts webhooks (the merchant's endpoint, registered with the account). */
  sendWebhooksTo(url: string, headers: Record<string, string> = {}) {
    this.#webhook = { url, headers }
  }

  async start() {
    this.#server = createServer((req, res) => void this.#handle(req, res))
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve))
    const { port } = this.#server.address() as AddressInfo
    this.#url = `http://127.0.0.1:${port}`
    return this.#url
  }

  async stop() {
    const server = this.#server
    if (!server) return
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    // After close(): keep-alive connections of the app's fetch would hold it open.
    server.closeAllConnections()
    await closed
  }

  signature(rawBody: string, timestamp: number, secret = this.webhookSecret) {
    const v1 = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')
    return `t=${timestamp},v1=${v1}`
  }

  /** An event as the gateway sends it, with a fresh id unless one is given. */
  event(type: string, session: GatewaySession, id = `evt_${randomBytes(8).toString('hex')}`) {
    return {
      id,
      type,
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: session.id, amount: session.amount, metadata: session.metadata } },
    }
  }

  /**
   * Posts a webhook to the registered endpoint. `timestamp` (unix seconds)
   * signs as of another time, `secret` with another key, `tamper` changes the
   * body after signing.
   */
  async deliver(
    event: object,
    options: {
      timestamp?: number
      secret?: string
      tamper?: (raw: string) => string
      signature?: string | null
    } = {}
  ): Promise<Delivery> {
    if (!this.#webhook) throw new Error('No webhook endpoint registered with the gateway')
    const raw = JSON.stringify(event)
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
    const signature =
      options.signature === undefined
        ? this.signature(raw, timestamp, options.secret)
        : options.signature
    const sent = options.tamper ? options.tamper(raw) : raw
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      // No keep-alive socket to the app outlives the test run.
      'connection': 'close',
      ...this.#webhook.headers,
    }
    if (signature !== null) headers['gateway-signature'] = signature
    const response = await fetch(this.#webhook.url, { method: 'POST', headers, body: sent })
    const text = await response.text()
    return { status: response.status, body: JSON.parse(text), raw, headers }
  }

  /** The customer pays on the hosted page: the session completes and the gateway sends the webhook. */
  async pay(sessionId: string) {
    const session = this.#session(sessionId)
    session.status = 'complete'
    const event = this.event('checkout.session.completed', session)
    return { event, delivery: await this.deliver(event) }
  }

  #session(id: string) {
    const session = this.sessions.get(id)
    if (!session) throw new Error(`Unknown session ${id}`)
    return session
  }

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const key = req.headers['idempotency-key'] as string | undefined
    const path = req.url ?? ''
    if (path.startsWith('/pay/')) return this.#hostedPage(req, res, path.slice(5))
    const answer = (status: number, body: unknown) => {
      this.requests.push({ path, key, status })
      res.writeHead(status, { 'content-type': 'application/json', 'connection': 'close' })
      res.end(JSON.stringify(body))
    }
    if (req.method !== 'POST') return answer(404, { error: 'not_found' })
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return answer(401, { error: 'invalid_api_key' })
    }
    if (!key) return answer(400, { error: 'idempotency_key_required' })
    const stored = this.#idempotency.get(`${path}:${key}`)
    if (stored) {
      if (stored.fingerprint !== raw) return answer(409, { error: 'idempotency_key_reused' })
      return answer(stored.status, stored.body)
    }
    const body = raw ? JSON.parse(raw) : {}
    const [status, result] = this.#route(path, body)
    this.#idempotency.set(`${path}:${key}`, { fingerprint: raw, status, body: result })
    answer(status, result)
  }

  /** The hosted checkout page: GET shows the amount and a Pay button, POST pays and goes back. */
  async #hostedPage(req: IncomingMessage, res: ServerResponse, id: string) {
    const session = this.sessions.get(id)
    if (!session) {
      res.writeHead(404, { 'content-type': 'text/plain', 'connection': 'close' })
      return res.end('No such session')
    }
    if (req.method === 'POST') {
      if (session.status === 'open') await this.pay(id)
      res.writeHead(303, { location: session.successUrl, connection: 'close' })
      return res.end()
    }
    const amount = (session.amount / 100).toFixed(2)
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'connection': 'close' })
    res.end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test gateway</title>` +
        `<meta name="viewport" content="width=device-width"></head><body><main>` +
        `<h1>Pay ${amount} ${session.currency}</h1><p>${session.reference}</p>` +
        `<form method="post"><button type="submit">Pay</button></form></main></body></html>`
    )
  }

  #route(path: string, body: any): [number, unknown] {
    if (path === '/v1/checkout/sessions') {
      if (!Number.isSafeInteger(body.amount) || body.amount <= 0) {
        return [400, { error: 'invalid_amount' }]
      }
      const id = `cs_${randomBytes(10).toString('hex')}`
      const session: GatewaySession = {
        id,
        url: `${this.#url}/pay/${id}`,
        status: 'open',
        amount: body.amount,
        currency: body.currency,
        reference: body.reference,
        successUrl: body.success_url,
        metadata: body.metadata ?? {},
        refunded: 0,
      }
      this.sessions.set(id, session)
      return [200, { id, url: session.url, status: session.status, amount: session.amount }]
    }
    if (path === '/v1/refunds') {
      const session = this.sessions.get(body.session)
      if (!session || session.status !== 'complete') return [400, { error: 'not_paid' }]
      if (body.amount > session.amount - session.refunded) return [400, { error: 'over_refund' }]
      session.refunded += body.amount
      return [200, { id: `re_${randomBytes(8).toString('hex')}`, status: 'succeeded' }]
    }
    return [404, { error: 'not_found' }]
  }
}
