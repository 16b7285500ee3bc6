import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export type FaultProxy = {
  /** host:port of the proxy, to put in a connection URL instead of the server's. */
  address: string
  /** The server goes away: open connections are reset, new ones refused. */
  cut(): Promise<void>
  /** The server is back: connections are accepted and piped again, on the same address. */
  restore(): Promise<void>
  close(): Promise<void>
}

/**
 * A TCP proxy in front of a real server (PostgreSQL, Redis) that a test can
 * cut and restore, the way Toxiproxy injects faults: to the clients behind
 * it, a cut looks like the server crashing and restarting — established
 * connections reset, new ones refused until it is back on the same address.
 */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const sockets = new Set<Socket>()
  let server: Server | null = null
  let port = 0

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host)
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on('close', () => sockets.delete(socket))
          socket.on('error', () => {
            client.destroy()
            upstream.destroy()
          })
        }
        client.pipe(upstream)
        upstream.pipe(client)
      })
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port
        resolve()
      })
    })

  const stop = async () => {
    if (!server) return
    const closing = new Promise<void>((resolve) => server!.close(() => resolve()))
    for (const socket of sockets) socket.resetAndDestroy()
    sockets.clear()
    server = null
    await closing
  }

  await listen()
  return {
    address: `127.0.0.1:${port}`,
    cut: stop,
    restore: listen,
    close: stop,
  }
}
