import { randomBytes } from 'node:crypto'
import pg from 'pg'
import getPort from 'get-port'
import { startServices } from './services.js'

/*
 * The services of one test run, shared by `npm test` (bin/test.ts) and
 * `oryne plugin test` (core/plugins/test_runner.ts): core never imports tests/.
 */

export type TestServices = { databaseUrl: string; redisUrl: string; stop(): Promise<void> }

/** Replaces the database name of a PostgreSQL URL. */
export function withDatabase(url: string, database: string) {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/**
 * Real services for a test run: PostgreSQL (DATABASE_URL, or Oryne's embedded
 * server on a free port) with a fresh database for this run, and Redis
 * (REDIS_URL, or `redis-server` on a free port) with a key prefix of its own.
 * HOST and PORT name a free address for the API under test. Everything is
 * dropped or stopped afterwards.
 */
export async function startTestServices(): Promise<TestServices> {
  const services = await startServices()
  if (services.redis === 'inline') {
    await services.stop()
    throw new Error('The test suite needs a real Redis: install redis-server or set REDIS_URL.')
  }
  const serverUrl = services.databaseUrl
  const database = `oryne_test_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${database}`)
  await admin.end()

  process.env.DATABASE_URL = withDatabase(serverUrl, database)
  process.env.ORYNE_REDIS_PREFIX = `oryne-test-${randomBytes(4).toString('hex')}`
  process.env.HOST = '127.0.0.1'
  process.env.PORT = String(await getPort())

  let stopped = false
  return {
    databaseUrl: process.env.DATABASE_URL,
    redisUrl: services.redisUrl!,
    async stop() {
      if (stopped) return
      stopped = true
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
      await client.end()
      await services.stop()
    },
  }
}
