import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import type { ApplicationService } from '@adonisjs/core/types'
import type { RuntimeServices } from '../runtime/services.js'
import { platformMigrationStatus } from '../database/platform_migrations.js'
import { buildCatalog } from '../plugins/catalog.js'
import { discoverPlugins } from '../plugins/discovery.js'
import {
  describeProblem,
  pluginHealth,
  unavailablePlugins,
  type PluginProblem,
} from '../plugins/plugin_health.js'
import { withTimeout } from '../utils/with_timeout.js'

const exec = promisify(execFile)
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))

export type DoctorCheck = {
  name: string
  /** A failed required check makes `oryne doctor` exit 1; optional ones only warn. */
  required: boolean
  status: 'ok' | 'warn' | 'fail'
  message: string
  meta?: Record<string, unknown>
}

type Probe = Omit<DoctorCheck, 'name' | 'required'>

const MIN_NODE = 24
const MIN_POSTGRES = 15

/**
 * Plugins that cannot load: failing when a tenant has one enabled (its school
 * runs without it), a warning when none has.
 */
async function pluginsProbe(app: ApplicationService): Promise<Probe> {
  const catalog = await buildCatalog(await discoverPlugins(app.appRoot), pkg.version)
  let problems: PluginProblem[]
  let tenantsUnknown = ''
  try {
    const health = await withTimeout(pluginHealth(catalog.values()), 3000, 'PostgreSQL')
    problems = health.problems
  } catch (error) {
    // PostgreSQL is its own check: still list what does not load.
    tenantsUnknown = ` (could not read which tenants enable them: ${(error as Error).message})`
    problems = unavailablePlugins(catalog.values()).map((entry) => ({
      name: entry.name,
      source: entry.source,
      reasons: entry.reasons,
      enabled_for: [],
    }))
  }
  const meta = { unavailable: problems }
  const inUse = problems.filter((problem) => problem.enabled_for.length)
  if (inUse.length)
    return {
      status: 'fail',
      message: `enabled for a tenant but cannot load: ${inUse
        .map((problem) => `${describeProblem(problem)} [${problem.enabled_for.join(', ')}]`)
        .join('; ')}`,
      meta,
    }
  if (problems.length)
    return {
      status: 'warn',
      message: `unavailable, enabled for no tenant${tenantsUnknown}: ${problems.map(describeProblem).join('; ')}`,
      meta,
    }
  return { status: 'ok', message: `${catalog.size} plugin(s), all loaded`, meta }
}

async function probe(
  name: string,
  required: boolean,
  fn: () => Promise<Probe>
): Promise<DoctorCheck> {
  try {
    return { name, required, ...(await fn()) }
  } catch (error) {
    return { name, required, status: required ? 'fail' : 'warn', message: (error as Error).message }
  }
}

/** Everything `oryne doctor` looks at, in the order it prints them. */
export async function runDoctor(
  app: ApplicationService,
  services: RuntimeServices,
  storage: string
) {
  return Promise.all([
    probe('node', true, async () => {
      const major = Number(process.versions.node.split('.')[0])
      return major >= MIN_NODE
        ? { status: 'ok', message: `Node.js ${process.version}` }
        : {
            status: 'fail',
            message: `Node.js ${process.version}; Oryne needs ${MIN_NODE} or newer`,
          }
    }),

    probe('postgresql', true, async () => {
      const client = new pg.Client({
        connectionString: services.databaseUrl,
        connectionTimeoutMillis: 3000,
      })
      client.on('error', () => {})
      try {
        await client.connect()
        const { rows } = await client.query('SHOW server_version_num')
        const num = Number(rows[0].server_version_num)
        const version = `${Math.floor(num / 10000)}.${num % 10000}`
        const meta = { version, source: services.database }
        return num >= MIN_POSTGRES * 10000
          ? { status: 'ok', message: `PostgreSQL ${version} (${services.database})`, meta }
          : {
              status: 'fail',
              message: `PostgreSQL ${version}; Oryne needs ${MIN_POSTGRES} or newer`,
              meta,
            }
      } finally {
        await client.end().catch(() => {})
      }
    }),

    probe('redis', services.redis !== 'inline', async () => {
      const redis = await app.container.make('oryne.redis')
      if (!redis.configured) {
        return {
          status: 'warn',
          message: 'No Redis: jobs run inline in each process',
          meta: { source: 'inline' },
        }
      }
      const info = await withTimeout(redis.shared().info('server'), 3000, 'Redis')
      const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown'
      return {
        status: 'ok',
        message: `Redis ${version} (${services.redis})`,
        meta: { version, source: services.redis },
      }
    }),

    probe('storage', true, async () => {
      await mkdir(storage, { recursive: true })
      const file = join(storage, `.doctor-${randomBytes(4).toString('hex')}`)
      await writeFile(file, 'ok')
      await rm(file)
      return { status: 'ok', message: `${storage} is writable` }
    }),

    probe('migrations', false, async () => {
      const list = await platformMigrationStatus(app)
      const pending = list.filter((m) => m.status === 'pending').map((m) => m.name)
      return pending.length
        ? {
            status: 'warn',
            message: `${pending.length} platform migration(s) pending: run \`oryne migrate\``,
            meta: { pending },
          }
        : {
            status: 'ok',
            message: `${list.length} platform migration(s), none pending`,
            meta: { pending },
          }
    }),

    probe('plugins', true, () => pluginsProbe(app)),

    probe('pg_dump', false, async () => {
      const { stdout } = await exec('pg_dump', ['--version'])
      return { status: 'ok', message: stdout.trim() }
    }).then((check) =>
      check.status === 'ok'
        ? check
        : {
            ...check,
            message:
              'pg_dump is not on PATH: tenant backups need it (apt-get install postgresql-client)',
          }
    ),
  ])
}
