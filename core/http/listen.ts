import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ApplicationService } from '@adonisjs/core/types'
import { answerClientErrors } from './client_errors.js'

export type Listening = { server: Server; host: string; port: number; url: string }

/**
 * Serves the booted application over HTTP. On terminate the server stops
 * accepting, lets in-flight requests finish (up to `drainMs`), then cuts what
 * is left so shutdown never hangs on a slow client.
 */
export async function listen(
  app: ApplicationService,
  options: { host: string; port: number; drainMs?: number }
): Promise<Listening> {
  const adonis = await app.container.make('server')
  await adonis.boot()
  const server = createServer(adonis.handle.bind(adonis))
  adonis.setNodeServer(server)
  answerClientErrors(server)

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })

  app.terminating(async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    const timer = setTimeout(() => server.closeAllConnections(), options.drainMs ?? 10_000)
    await closed
    clearTimeout(timer)
  })

  const { port } = server.address() as AddressInfo
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host
  return { server, host: options.host, port, url: `http://${shownHost}:${port}` }
}
