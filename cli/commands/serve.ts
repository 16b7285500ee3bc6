import type { Command } from 'commander'
import { closeOnSignal, openRuntime } from '../runtime.js'

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('serve the HTTP API only (run workers with `oryne worker`)')
    .option('-p, --port <port>', 'port to listen on (default: PORT or 3333)')
    .option('--host <host>', 'address to bind (default: HOST or 0.0.0.0)')
    .action(async (options: { port?: string; host?: string }) => {
      if (options.port) process.env.PORT = options.port
      if (options.host) process.env.HOST = options.host
      const runtime = await openRuntime('web')
      const stopped = closeOnSignal(runtime)
      try {
        // node:http is imported here: importing it loads undici, which no other command needs.
        const { listen } = await import('#core/http/listen')
        const http = await listen(runtime.app, {
          host: process.env.HOST!,
          port: Number(process.env.PORT),
        })
        process.stdout.write(`Oryne API listening on ${http.url}\n`)
      } catch (error) {
        await runtime.close()
        throw error
      }
      await stopped
    })
}
