import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import pg from 'pg'
import { runOryne } from '#tests/support/cli'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'
import { DEMO_PASSWORD } from '#core/plugins/demo'

/*
 * What Citus schema-based sharding asks of Oryne's queries (docs/operations.md,
 * "Scaling out"): each tenant schema becomes a distributed schema that lives
 * on one worker node, so a statement may name the tables of one tenant schema
 * only, plus `public` tables Citus copies to every node (reference tables);
 * any other `public` table lives on the coordinator alone and cannot be
 * joined with a tenant's tables. The workload below (a demo school seeded
 * through every demo plugin, then every list endpoint of the API read as each
 * demo role) is recorded statement by statement; PostgreSQL's own planner
 * (EXPLAIN VERBOSE, with the statement's search_path) says which tables each
 * one touches.
 */

/**
 * The platform tables a tenant's statements may name, which a Citus deployment
 * makes reference tables. None today: no tenant statement names a `public` table.
 */
const REFERENCE_TABLES: string[] = []

type Recorded = { sql: string; bindings: unknown[]; searchPath: string | null }

/** Every relation (schema, table) a plan node names, recursively. */
function relationsOf(plan: any, found = new Set<string>()) {
  if (plan['Relation Name']) found.add(`${plan['Schema']}.${plan['Relation Name']}`)
  for (const child of plan['Plans'] ?? []) relationsOf(child, found)
  return found
}

/** `?` placeholders (knex) as `$n` (PostgreSQL), leaving `\?` (a literal question mark) alone. */
function positional(sql: string) {
  let index = 0
  return sql.replace(/\\\?|\?/g, (match) => (match === '\\?' ? '?' : `$${++index}`))
}

/** The tables a statement touches (by PostgreSQL's plan) and whether Citus could run it on one node. */
async function judge(client: pg.Client, entry: Recorded) {
  await client.query('BEGIN')
  let rows: any[]
  try {
    if (entry.searchPath)
      await client.query(`SELECT set_config('search_path', $1, true)`, [entry.searchPath])
    ;({ rows } = await client.query(
      `EXPLAIN (VERBOSE, FORMAT JSON) ${positional(entry.sql)}`,
      entry.bindings as any[]
    ))
  } finally {
    await client.query('ROLLBACK')
  }
  const relations = [...relationsOf(rows[0]['QUERY PLAN'][0].Plan)]
  const tenantSchemas = new Set(
    relations
      .map((relation) => relation.split('.')[0])
      .filter((schema) => !['public', 'pg_catalog', 'information_schema'].includes(schema))
  )
  const platform = relations
    .filter((relation) => relation.startsWith('public.'))
    .map((relation) => relation.slice('public.'.length))
  const coordinatorOnly = platform.filter((table) => !REFERENCE_TABLES.includes(table))
  return {
    relations,
    platform: tenantSchemas.size === 1 ? platform : [],
    offends: tenantSchemas.size > 1 || (tenantSchemas.size === 1 && coordinatorOnly.length > 0),
  }
}

test.group('Citus schema-based sharding', () => {
  test('no statement names two tenant schemas, or a tenant schema with a coordinator-only table', async ({
    assert,
  }) => {
    const recorded: Recorded[] = []
    const pathOfTransaction = new Map<string, string>()
    const knex = db.connection().getWriteClient()
    const listener = (query: any) => {
      const sql: string = query.sql ?? ''
      if (/set_config\('search_path'/.test(sql)) {
        pathOfTransaction.set(query.__knexTxId, String(query.bindings?.[0]))
        return
      }
      if (!/^\s*(select|insert|update|delete|with)\b/i.test(sql)) return
      recorded.push({
        sql,
        bindings: query.bindings ?? [],
        searchPath: (query.__knexTxId && pathOfTransaction.get(query.__knexTxId)) ?? null,
      })
    }
    knex.on('query', listener)
    try {
      const tenant = await activeTenant()
      const seeded = await runOryne(['tenant', 'seed-demo', tenant.slug, '--json'], {}, 180_000)
      assert.equal(seeded.code, 0, seeded.stderr)
      const accounts = JSON.parse(seeded.stdout).accounts.filter(
        (account: { password: string | null }) => account.password
      )
      // Citus co-locates a distributed schema's foreign keys only within it (or to reference tables).
      const { rows: outward } = await db.rawQuery(
        `SELECT c.conname, c.confrelid::regclass::text AS target
           FROM pg_constraint c
           JOIN pg_class t ON t.oid = c.conrelid
           JOIN pg_class f ON f.oid = c.confrelid
          WHERE c.contype = 'f' AND t.relnamespace = ?::regnamespace
            AND f.relnamespace <> t.relnamespace`,
        [tenant.schema_name]
      )
      assert.deepEqual(outward, [], 'tenant tables reference only their own schema')
      const { rows: tables } = await db.rawQuery(
        `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = ?`,
        [tenant.schema_name]
      )
      assert.isAbove(tables[0].n, 30, 'the demo plugins built their tables')

      const base = `http://${process.env.HOST}:${process.env.PORT}/api/v1`
      const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as any
      const lists = Object.entries(openapi.paths as Record<string, any>)
        .filter(
          ([path, item]) => item.get && !path.includes('{') && !/openapi|stream|export/.test(path)
        )
        .map(([path]) => path.replace(/^\/api\/v1/, ''))
      const tokens = [PLATFORM_TOKEN()]
      for (const account of accounts) {
        const response = await fetch(`${base}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-tenant-id': tenant.slug },
          body: JSON.stringify({ email: account.email, password: DEMO_PASSWORD }),
        })
        tokens.push(((await response.json()) as any).data.access_token)
      }
      for (const token of tokens)
        for (const path of lists)
          await fetch(`${base}${path}`, {
            headers: { 'x-tenant-id': tenant.slug, 'authorization': `Bearer ${token}` },
          })
    } finally {
      knex.off('query', listener)
    }

    const unique = new Map(recorded.map((entry) => [`${entry.searchPath}|${entry.sql}`, entry]))
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await client.connect()
    const offending: string[] = []
    let explained = 0
    const joinedWithTenant = new Set<string>()
    try {
      for (const entry of unique.values()) {
        try {
          const verdict = await judge(client, entry)
          explained++
          verdict.platform.forEach((table) => joinedWithTenant.add(table))
          if (verdict.offends)
            offending.push(`${verdict.relations.join(', ')}: ${entry.sql.slice(0, 200)}`)
        } catch {
          // A statement whose parameters PostgreSQL cannot type without its context: not counted.
        }
      }
    } finally {
      await client.end()
    }
    process.stdout.write(
      `  sharding check: ${recorded.length} statements recorded, ${unique.size} distinct, ${explained} explained; platform tables beside a tenant's: ${[...joinedWithTenant].sort().join(', ')}\n`
    )
    assert.isAbove(explained, 200, 'the workload reached the tenant tables')
    assert.deepEqual(offending, [])
  }).timeout(300_000)

  test('the check itself flags a statement across two tenants and one beside a coordinator table', async ({
    assert,
  }) => {
    const [a, b] = [await activeTenant(), await activeTenant()]
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await client.connect()
    try {
      const across = await judge(client, {
        sql: `SELECT * FROM "${a.schema_name}".users x JOIN "${b.schema_name}".users y ON x.email = y.email`,
        bindings: [],
        searchPath: null,
      })
      assert.isTrue(across.offends)
      const beside = await judge(client, {
        sql: 'SELECT * FROM users JOIN public.tenants t ON t.slug = ?',
        bindings: [a.slug],
        searchPath: `"${a.schema_name}", public`,
      })
      assert.isTrue(beside.offends)
      const alone = await judge(client, {
        sql: 'SELECT count(*) FROM users WHERE email = ?',
        bindings: ['x@example.org'],
        searchPath: `"${a.schema_name}", public`,
      })
      assert.isFalse(alone.offends)
    } finally {
      await client.end()
    }
  })
})
