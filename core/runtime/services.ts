import { join } from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { EmbeddedPostgres } from './embedded_postgres.js'
import { LocalRedis, findRedisServer } from './local_redis.js'
import { isProduction } from './environment.js'
import { E_CONFIG_MISSING } from '../errors.js'

export type ServiceSource = 'external' | 'embedded' | 'inline'

/** The PostgreSQL and Redis an Oryne process talks to, and who started them. */
export type RuntimeServices = {
  databaseUrl: string
  database: ServiceSource
  redisUrl: string | null
  redis: ServiceSource
  stop(): Promise<void>
}

export type StartServicesOptions = {
  /** storage/ for a persistent cluster; omitted for a throwaway one (tests, benchmarks). */
  storageDir?: string
  /** Called once with a warning a person should read (e.g. jobs running inline). */
  warn?: (message: string) => void
}

/**
 * Decides where PostgreSQL and Redis come from and starts the local ones:
 * DATABASE_URL and REDIS_URL win; outside production Oryne falls back to its
 * embedded PostgreSQL and to `redis-server` from PATH, or to inline jobs when
 * there is no Redis at all. The chosen URLs are written back to the
 * environment so that the application config reads them.
 */
export async function startServices(options: StartServicesOptions = {}): Promise<RuntimeServices> {
  if (isProduction()) {
    const missing = ['DATABASE_URL', 'REDIS_URL'].filter((name) => !process.env[name])
    if (missing.length) {
      throw new E_CONFIG_MISSING([
        `${missing.join(' and ')} must be set when NODE_ENV=production: Oryne starts no embedded services in production.`,
      ])
    }
  }

  const ephemeralRoot = options.storageDir ? null : await mkdtemp(join(tmpdir(), 'oryne-services-'))
  const root = options.storageDir ?? ephemeralRoot!
  const stops: Array<() => Promise<void>> = []

  let database: ServiceSource = 'external'
  if (!process.env.DATABASE_URL) {
    const server = new EmbeddedPostgres({
      dataDir: join(root, 'postgres'),
      ephemeral: !options.storageDir,
      logFile: options.storageDir ? join(root, 'postgres.log') : undefined,
    })
    process.env.DATABASE_URL = await server.start()
    stops.push(() => server.stop())
    database = 'embedded'
  }

  let redis: ServiceSource = 'external'
  if (!process.env.REDIS_URL) {
    const binary = await findRedisServer()
    if (binary) {
      const server = new LocalRedis({ dir: join(root, 'redis'), ephemeral: !options.storageDir })
      process.env.REDIS_URL = await server.start(binary)
      stops.push(() => server.stop())
      redis = 'embedded'
    } else {
      redis = 'inline'
      options.warn?.(
        'No REDIS_URL and no redis-server on PATH: jobs run inline in this process (no retries across restarts, no separate workers). Install Redis 7 or set REDIS_URL.'
      )
    }
  }

  return {
    databaseUrl: process.env.DATABASE_URL!,
    database,
    redisUrl: process.env.REDIS_URL ?? null,
    redis,
    async stop() {
      for (const stop of stops.reverse()) await stop()
      if (ephemeralRoot) await rm(ephemeralRoot, { recursive: true, force: true })
    },
  }
}
