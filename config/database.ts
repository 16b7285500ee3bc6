import env from '#start/env'
import { defineConfig } from '@adonisjs/lucid'

/**
 * One shared pool for the whole platform, whatever the number of tenants.
 * DATABASE_URL is filled in by core/runtime before the app boots when Oryne
 * runs its embedded PostgreSQL (development and tests).
 */
const dbConfig = defineConfig({
  connection: 'pg',
  prettyPrintDebugQueries: false,
  connections: {
    pg: {
      client: 'pg',
      connection: {
        connectionString: env.get('DATABASE_URL'),
        // A server that does not answer fails a request in seconds (503), not after minutes:
        // node-postgres's own option, which Lucid passes through but does not type.
        ...{ connectionTimeoutMillis: 5000 },
      },
      pool: {
        min: 0,
        max: env.get('DATABASE_POOL_MAX', 10),
        // Waiting for a free connection is bounded too: an exhausted pool answers 503, not a hang.
        acquireTimeoutMillis: 10_000,
      },
      migrations: {
        naturalSort: true,
        paths: ['database/migrations'],
        tableName: 'platform_migrations',
      },
    },
  },
})

export default dbConfig
