import db from '@adonisjs/lucid/services/db'
import { MigrationRunner } from '@adonisjs/lucid/migration'
import type { ApplicationService } from '@adonisjs/core/types'

export type PlatformMigrationState = { name: string; status: string; batch?: number }

/** The platform (public schema) migrations in database/migrations and their state. */
export async function platformMigrationStatus(
  app: ApplicationService
): Promise<PlatformMigrationState[]> {
  // runner.close() would close the shared pool, so it is not called.
  const runner = new MigrationRunner(db, app, { direction: 'up', dryRun: true })
  const list = await runner.getList()
  return list.map(({ name, status, batch }) => ({ name, status, batch }))
}

/**
 * Applies pending platform migrations. Lucid takes a PostgreSQL advisory lock,
 * so two processes starting at once do not both migrate.
 */
export async function runPlatformMigrations(app: ApplicationService): Promise<string[]> {
  const runner = new MigrationRunner(db, app, { direction: 'up' })
  await runner.run()
  if (runner.error) throw runner.error
  return Object.values(runner.migratedFiles).map((file) => file.file.name)
}
