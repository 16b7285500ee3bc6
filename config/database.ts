import env from '#start/env'
import { defineConfig } from '@adonisjs/lucid'
import pg from 'pg'

const DATE = pg.types.builtins.DATE
const DATE_ARRAY = 1182
const TEXT_ARRAY = 1009 as typeof DATE

/**
 * A DATE column is a day, not an instant: node-postgres would make it a JS Date
 * at local midnight, which JSON shows as a timestamp and a zone shifts to the
 * day before. Every connection (HTTP, CLI, worker: they all boot this config)
 * reads it as the `YYYY-MM-DD` text PostgreSQL sends (docs/api.md, "Dates").
 */
const types = {
  getTypeParser: ((oid: typeof DATE, format?: 'text' | 'binary') => {
    if (oid === DATE) return (value: string) => value
    if (Number(oid) === DATE_ARRAY) return pg.types.getTypeParser(TEXT_ARRAY, format)
    return pg.types.getTypeParser(oid, format)
  }) as typeof pg.types.getTypeParser,
}

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
        ...{ connectionTimeoutMillis: 5000, types },
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
