import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createProxyServer } from 'http-proxy-3'

export type LoadBalancer = {
  url: string
  /** How many requests each backend was given, in backend order. */
  served: number[]
  close(): Promise<void>
}

/**
 * A round-robin HTTP load balancer (http-proxy-3) in front of `backends`, as
 * a deployment puts one in front of its `oryne serve` processes: each request
 * goes to the next backend, streams (SSE) included, and carries
 * `X-Forwarded-*` headers. Its answer names the backend in `x-backend`.
 */
export async function startLoadBalancer(backends: string[]): Promise<LoadBalancer> {
  const proxy = createProxyServer({ xfwd: true })
  const served = backends.map(() => 0)
  let next = 0
  proxy.on('error', (_error, _req, res) => {
    if (res && 'writeHead' in res && !res.headersSent) res.writeHead(502).end()
  })
  const server = createServer((req, res) => {
    const index = next++ % backends.length
    served[index]++
    res.setHeader('x-backend', String(index))
    proxy.web(req, res, { target: backends[index] })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      proxy.close()
    },
  }
}
