import type { ApplicationService } from '@adonisjs/core/types'
import { APP_ROOT, bootApp } from '#core/runtime/ignite'
import { storageDir } from '#core/runtime/environment'
import { startServices, type RuntimeServices } from '#core/runtime/services'

export type Runtime = { app: ApplicationService; services: RuntimeServices; close(): Promise<void> }

/**
 * Starts what a command needs: PostgreSQL and Redis (external, or Oryne's own
 * under storage/ outside production), then the application. `close()` shuts
 * the application down first (draining requests and jobs), then the services
 * this process started.
 */
export async function openRuntime(environment: 'console' | 'web' = 'console'): Promise<Runtime> {
  const services = await startServices({
    storageDir: storageDir(APP_ROOT),
    warn: (message) => process.stderr.write(`Warning: ${message}\n`),
  })
  let app: ApplicationService
  try {
    app = await bootApp(environment)
  } catch (error) {
    await services.stop()
    throw error
  }
  let closing: Promise<void> | undefined
  return {
    app,
    services,
    close() {
      closing ??= (async () => {
        await app.terminate()
        await services.stop()
      })()
      return closing
    },
  }
}

/**
 * Keeps a long-running command (serve, worker, up) alive until SIGINT or
 * SIGTERM, then closes the runtime once; a second signal forces the exit.
 */
export function closeOnSignal(runtime: Runtime) {
  return new Promise<void>((resolve) => {
    let signalled = false
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) process.exit(130)
      signalled = true
      process.stderr.write(`\n${signal} received: draining requests and jobs, then stopping.\n`)
      // Whatever a library leaves open must not keep a stopped process alive.
      const close = runtime.close().finally(() => setTimeout(() => process.exit(), 5000).unref())
      close.then(resolve, (error) => {
        process.stderr.write(`Shutdown failed: ${error?.message ?? error}\n`)
        process.exitCode = 1
        resolve()
      })
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}

/** Runs a short command inside a runtime that is closed whatever happens. */
export async function withRuntime<T>(fn: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime('console')
  try {
    return await fn(runtime)
  } finally {
    await runtime.close()
  }
}
