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
      },
      pool: {
        min: 0,
        max: env.get('DATABASE_POOL_MAX', 10),
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
