import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** One call the fake GNS received. */
export type GnsRequest = {
  method: string
  path: string
  authorization: string | undefined
  body: Record<string, any>
  answered: number
}

/** How the fake answers the next call: a status, after a delay (longer than the client's timeout = a timeout). */
export type GnsAnswer = { status: number; delayMs?: number }

/**
 * A real local HTTP server implementing the GNS contract (POST
 * /api/notifications/send with a bearer key): it records every call and
 * answers 200 `{id}` unless told to fail the next calls.
 */
export class FakeGns {
  readonly requests: GnsRequest[] = []
  #plan: GnsAnswer[] = []
  #server: Server
  #sequence = 0

  private constructor(server: Server) {
    this.#server = server
  }

  static async start(expectedKey: string) {
    const gns: FakeGns = new FakeGns(
      createServer((req, res) => void gns.#handle(req, res, expectedKey))
    )
    await new Promise<void>((resolve) => gns.#server.listen(0, '127.0.0.1', resolve))
    return gns
  }

  get url() {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  /** The next calls get these answers, in order; then 200 again. */
  answerNext(...answers: GnsAnswer[]) {
    this.#plan.push(...answers)
  }

  /** Calls for one template (optionally one user). */
  sent(template: string, userId?: string) {
    return this.requests.filter(
      (request) =>
        request.body.template === template && (!userId || request.body.user_id === userId)
    )
  }

  async #handle(req: IncomingMessage, res: import('node:http').ServerResponse, key: string) {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const answer = this.#plan.shift() ?? { status: 200 }
    const request: GnsRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      body: text ? JSON.parse(text) : {},
      answered: answer.status,
    }
    this.requests.push(request)
    if (answer.delayMs) await sleep(answer.delayMs)
    if (req.method !== 'POST' || req.url !== '/api/notifications/send') {
      res.writeHead(404).end()
    } else if (req.headers.authorization !== `Bearer ${key}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad key"}')
    } else {
      res
        .writeHead(answer.status, { 'content-type': 'application/json' })
        .end(
          JSON.stringify(
            answer.status < 300 ? { id: `gns-${++this.#sequence}` } : { error: 'boom' }
          )
        )
    }
  }

  async close() {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}
