import type { ApplicationService } from '@adonisjs/core/types'
import type { BootOptions } from '#core/runtime/ignite'
import type { RuntimeServices } from '#core/runtime/services'

export type Runtime = { app: ApplicationService; services: RuntimeServices; close(): Promise<void> }

/**
 * Starts what a command needs: PostgreSQL and Redis (external, or Oryne's own
 * under storage/ outside production), then the application. `close()` shuts
 * the application down first (draining requests and jobs), then the services
 * this process started.
 */
export async function openRuntime(
  environment: 'console' | 'web' = 'console',
  options: BootOptions = {}
): Promise<Runtime> {
  const running = await runningRuntime(options)
  if (running) return running
  const created = await createdApp(environment)
  // Imported here, not at the top: `--help` and usage errors load none of this.
  const [{ APP_ROOT, bootApp }, { storageDir }, { startServices }] = await Promise.all([
    import('#core/runtime/ignite'),
    import('#core/runtime/environment'),
    import('#core/runtime/services'),
  ])
  const services = await startServices({
    storageDir: storageDir(APP_ROOT),
    warn: (message) => process.stderr.write(`Warning: ${message}\n`),
  })
  let app: ApplicationService
  try {
    app = await bootApp(environment, { ...options, created })
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
 * The application this process already booted, when it is ready: a command
 * run inside the test runner uses the runner's (same DATABASE_URL and
 * REDIS_URL) rather than booting a second one, which would take over the
 * process-wide app service under the first. Its services and its shutdown
 * belong to whoever started them, so `close()` leaves both alone. The plugin
 * host is made as bootApp would have made it.
 */
async function runningRuntime(options: BootOptions): Promise<Runtime | undefined> {
  const { default: app } = await import('@adonisjs/core/services/app')
  if (!app?.isReady) return undefined
  if (options.plugins !== false) await app.container.make('oryne.plugins')
  const redisUrl = process.env.REDIS_URL || null
  return {
    app,
    services: {
      databaseUrl: process.env.DATABASE_URL ?? '',
      database: 'external',
      redisUrl,
      redis: redisUrl ? 'external' : 'inline',
      async stop() {},
    },
    async close() {},
  }
}

/**
 * The application this process created without booting it, to read plugin
 * manifests (cli/plugin_commands.ts): booting another would leave the boot
 * hooks their modules registered unrun.
 */
async function createdApp(environment: 'console' | 'web') {
  const { default: app } = await import('@adonisjs/core/services/app')
  if (app?.getState() === 'created' && app.getEnvironment() === environment) return app
  return undefined
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

/**
 * Runs a short command inside a runtime that is closed whatever happens.
 * `{ plugins: false }` is for commands that only read the platform tables.
 */
export async function withRuntime<T>(
  fn: (runtime: Runtime) => Promise<T>,
  options: BootOptions = {}
): Promise<T> {
  const runtime = await openRuntime('console', options)
  try {
    return await fn(runtime)
  } finally {
    await runtime.close()
  }
}
