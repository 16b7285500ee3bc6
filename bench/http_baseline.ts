/*
 * How much Oryne's HTTP stack costs over bare node:http on its cheapest route,
 * GET /health/live. Both servers run in this process, one after the other, and
 * answer with the same envelope bytes and comparable headers, so the gap is
 * AdonisJS routing plus Oryne's own middleware and nothing else.
 */
process.env.LOG_LEVEL ??= 'warn'

import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startServices } from '#core/runtime/services'
import { bootApp } from '#core/runtime/ignite'
import { listen } from '#core/http/listen'
import { benchDuration, load, warmUp, type LoadResult } from './support/load.js'
import { printComparison } from './support/report.js'

const PATH = '/health/live'
const CONNECTIONS = 50
const duration = benchDuration()

/** The envelope GET /health/live answers with; timestamp and request id are fresh per request. */
function liveBody(requestId: string) {
  return JSON.stringify({
    success: true,
    data: { status: 'ok' },
    meta: { timestamp: new Date().toISOString(), request_id: requestId },
    error: null,
  })
}

/** Everything but the per-request values, to check that both servers send the same thing. */
function shapeOf(body: string) {
  return body
    .replace(/"timestamp":"[^"]+"/, '"timestamp":"<t>"')
    .replace(/"request_id":"[^"]+"/, '"request_id":"<id>"')
}

async function startBare(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== PATH) {
      response.writeHead(404).end()
      return
    }
    const requestId = randomUUID()
    const body = liveBody(requestId)
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-request-id': requestId,
    })
    response.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${port}` }
}

async function sample(url: string) {
  const response = await fetch(url)
  return { status: response.status, headers: response.headers, body: await response.text() }
}

async function measure(label: string, url: string): Promise<LoadResult> {
  console.log(`${label}: warming up 2 s, then ${CONNECTIONS} connections for ${duration} s`)
  await warmUp(url)
  return load(url, { connections: CONNECTIONS, duration })
}

const services = await startServices({ warn: (message) => console.warn(message) })
const app = await bootApp('web')
const bare = await startBare()

try {
  const oryne = await listen(app, { host: '127.0.0.1', port: 0 })
  const oryneUrl = oryne.url + PATH
  const bareUrl = bare.url + PATH

  // Refuse to compare unless both answer 200 with the same body shape and length.
  const oryneSample = await sample(oryneUrl)
  const bareSample = await sample(bareUrl)
  console.log(`Oryne ${PATH}: ${oryneSample.status} ${oryneSample.body}`)
  console.log(`Oryne headers: ${JSON.stringify(Object.fromEntries(oryneSample.headers))}`)
  console.log(`Bare headers:  ${JSON.stringify(Object.fromEntries(bareSample.headers))}`)
  if (
    oryneSample.status !== 200 ||
    shapeOf(oryneSample.body) !== shapeOf(bareSample.body) ||
    oryneSample.body.length !== bareSample.body.length
  ) {
    throw new Error(`The bare server does not mirror Oryne's response:\n${bareSample.body}`)
  }

  console.log(`NODE_ENV=${process.env.NODE_ENV}, LOG_LEVEL=${process.env.LOG_LEVEL}`)
  const oryneResult = await measure('Oryne', oryneUrl)
  const bareResult = await measure('node:http', bareUrl)

  printComparison(
    `GET ${PATH}, ${CONNECTIONS} connections, ${duration} s`,
    { label: 'Oryne', result: oryneResult },
    { label: 'node:http', result: bareResult }
  )
} finally {
  await new Promise((resolve) => bare.server.close(resolve))
  await app.terminate()
  await services.stop()
}
