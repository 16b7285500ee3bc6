import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ApplicationService } from '@adonisjs/core/types'
import { startServices } from '#core/runtime/services'
import { bootApp } from '#core/runtime/ignite'

export type BootedOryne = { app: ApplicationService; stop(): Promise<void> }

export type StartOryneOptions = {
  /**
   * PostgreSQL with fsync on, as in production. The throwaway cluster runs
   * with fsync off, which hides the cost of commits: benchmarks that write
   * ask for a durable one (in a temporary directory, removed on stop).
   */
  durable?: boolean
}

/**
 * Boots Oryne in this process on its own PostgreSQL and Redis, with the
 * platform schema migrated, for benchmarks that touch the database.
 * `stop()` terminates the application and removes the services.
 */
export async function startOryne(
  environment: 'console' | 'web',
  options: StartOryneOptions = {}
): Promise<BootedOryne> {
  const storageDir = options.durable ? await mkdtemp(join(tmpdir(), 'oryne-bench-')) : undefined
  const services = await startServices({ storageDir, warn: (message) => console.warn(message) })
  const cleanUp = async () => {
    await services.stop()
    if (storageDir) await rm(storageDir, { recursive: true, force: true })
  }
  try {
    const app = await bootApp(environment)
    // Imports the database service, which only resolves once the application has booted.
    const { runPlatformMigrations } = await import('#core/database/platform_migrations')
    await runPlatformMigrations(app)
    return {
      app,
      async stop() {
        await app.terminate()
        await cleanUp()
      },
    }
  } catch (error) {
    await cleanUp()
    throw error
  }
}
