/*
 * What tenancy costs on a tenant-scoped list endpoint: the same handler and the
 * same SQL (a tenant's users with their role names), measured side by side in
 * one process, every variant behind the same platform-token check:
 * - "Tenant": the tenant resolved from X-Tenant-ID (registry cache), the
 *   request run in its context, the read schema-qualified outside a
 *   transaction (readTenantDb) — how Oryne's list endpoints and resources read;
 * - "Tenant, in a transaction": the same, but through withTenantDb (BEGIN,
 *   SET LOCAL search_path, query, COMMIT) — how writes run;
 * - "No tenancy": no resolution, no context, the schema named in the handler.
 * CPU per request of the server thread and of PostgreSQL shows on which side
 * of the connection the time goes. The rate limiter is off for the run (its
 * Redis round trip would be added to every variant alike).
 */
process.env.LOG_LEVEL ??= 'warn'
process.env.ORYNE_RATE_LIMIT_ADMIN ??= 'off'

import { setTimeout } from 'node:timers/promises'
import type { HttpContext } from '@adonisjs/core/http'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { listen } from '#core/http/listen'
import { respond } from '#core/http/envelope'
import { benchDuration } from './support/load.js'
import { loadAverage, printLoadTable } from './support/report.js'
import { postmasterOf } from './support/cpu.js'
import { startOryne } from './support/oryne.js'
import { measureRoute, printCpuTable, type Measurement } from './support/measured.js'

const CONNECTIONS = 50
const USERS = 20
const TENANT_PATH = '/bench/users-tenant'
const TRANSACTION_PATH = '/bench/users-tenant-transaction'
const NO_TENANCY_PATH = '/bench/users-no-tenancy'
const duration = benchDuration()

/**
 * The query of core's UsersController.index, with the tables optionally
 * qualified by `schema`: users with their role names, ordered by email.
 */
function usersWithRoles(client: QueryClientContract, schema?: string | ((name: string) => string)) {
  const table = (name: string) =>
    typeof schema === 'function' ? schema(name) : schema ? `${schema}.${name}` : name
  return client
    .from(table('users'))
    .leftJoin(table('user_roles'), 'user_roles.user_id', 'users.id')
    .leftJoin(table('roles'), 'roles.id', 'user_roles.role_id')
    .groupBy('users.id')
    .orderBy('users.email')
    .select(
      'users.id',
      'users.email',
      'users.name',
      'users.status',
      'users.created_at',
      client.raw(
        `coalesce(array_agg(roles.name ORDER BY roles.name) FILTER (WHERE roles.name IS NOT NULL), '{}') AS roles`
      )
    )
}

const oryne = await startOryne('web')

try {
  // These services resolve from the booted application, so they are imported after boot.
  const { default: tenancy } = await import('#core/services/tenancy')
  const { default: router } = await import('@adonisjs/core/services/router')
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb, readTenantDb } = await import('#core/tenancy/tenant_db')
  const { middleware } = await import('#start/kernel')

  // One tenant: its invited admin plus users, every one of them with a role.
  const slug = `bench-overhead-${Date.now().toString(36)}`
  const created = await tenancy.registry.create(
    { slug, name: `Bench ${slug}`, adminEmail: `admin@${slug}.example` },
    'bench'
  )
  const { tenant } = await tenancy.provisionNow(created.id, 'bench')
  await tenantContext.run(tenant, () =>
    withTenantDb(async (trx) => {
      const rows = Array.from({ length: USERS - 1 }, (_, i) => ({
        email: `user${String(i).padStart(2, '0')}@${slug}.example`,
        name: `User ${i}`,
      }))
      await trx.insertQuery().table('users').multiInsert(rows)
      await trx.rawQuery(
        `INSERT INTO user_roles (user_id, role_id)
         SELECT users.id, roles.id FROM users JOIN roles
           ON roles.name = CASE WHEN users.name LIKE '%0' THEN 'Teacher' ELSE 'Student' END
         WHERE users.email LIKE 'user%'`
      )
    })
  )

  // Routes are committed when listen() boots the server, so these come first.
  router
    .get(TENANT_PATH, async (ctx: HttpContext) => {
      respond(ctx, await readTenantDb((client, table) => usersWithRoles(client, table)))
    })
    .use([middleware.tenant(), middleware.platformToken()])
  router
    .get(TRANSACTION_PATH, async (ctx: HttpContext) => {
      respond(ctx, await withTenantDb((trx) => usersWithRoles(trx)))
    })
    .use([middleware.tenant(), middleware.platformToken()])
  router
    .get(NO_TENANCY_PATH, async (ctx: HttpContext) => {
      respond(ctx, await usersWithRoles(db.connection(), tenant.schema_name))
    })
    .use(middleware.platformToken())

  const server = await listen(oryne.app, { host: '127.0.0.1', port: 0 })
  // Every variant gets the same headers, so request parsing costs the same.
  const headers = {
    'x-tenant-id': slug,
    'authorization': `Bearer ${process.env.ORYNE_PLATFORM_TOKEN}`,
  }
  const variants = [
    { label: 'Tenant', path: TENANT_PATH },
    { label: 'Tenant, in a transaction', path: TRANSACTION_PATH },
    { label: 'No tenancy', path: NO_TENANCY_PATH },
  ]

  // Refuse to compare unless every variant answers 200 with the same users.
  const bodies = await Promise.all(
    variants.map(async ({ label, path }) => {
      const response = await fetch(server.url + path, { headers })
      const body = (await response.json()) as { data: unknown }
      if (response.status !== 200) {
        throw new Error(`${label} answered ${response.status}: ${JSON.stringify(body)}`)
      }
      return JSON.stringify(body.data)
    })
  )
  if (new Set(bodies).size !== 1) {
    throw new Error(`The variants answer differently:\n${bodies.join('\n')}`)
  }
  const users = JSON.parse(bodies[0]) as Array<{ roles: string[] }>
  console.log(
    `${users.length} users, ${users.filter((user) => user.roles.length).length} with a role; ` +
      `${Buffer.byteLength(bodies[0])} bytes of data`
  )
  console.log(
    `NODE_ENV=${process.env.NODE_ENV}, LOG_LEVEL=${process.env.LOG_LEVEL}, ` +
      `database pool max ${process.env.DATABASE_POOL_MAX ?? 10}`
  )
  console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)

  const { rows: backend } = await db.rawQuery('SELECT pg_backend_pid() AS pid')
  const postmasterPid = await postmasterOf(backend[0].pid)

  const measurements: Measurement[] = []
  for (const { label, path } of variants) {
    measurements.push(
      await measureRoute(label, server.url + path, {
        headers,
        postmasterPid,
        connections: CONNECTIONS,
        duration,
      })
    )
  }

  const [tenantResult, transactionResult, baselineResult] = measurements.map((m) => m.result)
  printLoadTable(
    `A tenant's ${USERS} users with their roles, through tenancy and without it, ${CONNECTIONS} connections, ${duration} s`,
    [
      { label: 'Tenant', result: tenantResult },
      { label: 'Tenant, in a transaction', result: transactionResult },
    ],
    { label: 'No tenancy', result: baselineResult }
  )
  // Where the time goes: CPU per request on each side of the connection, and how busy each side was.
  printCpuTable(
    variants.map(({ label }) => label),
    measurements
  )
  console.log(`\nLoad average (1 / 5 / 15 min) after: ${loadAverage()}`)
  // Requests autocannon gave up on may still wait for a pooled connection: let them finish first.
  await setTimeout(1000)
} finally {
  await oryne.stop()
}
