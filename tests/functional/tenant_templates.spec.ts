import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import tenancy from '#core/services/tenancy'
import type { MigrationMethod } from '#core/tenancy/migrations/tenant_migrator'
import type { SchemaPlan } from '#core/tenancy/schema_templates'
import type { Tenant } from '#core/tenancy/types'
import { uniqueSlug } from '#tests/support/tenants'

/*
 * Prepared schemas (method `template`): a tenant provisioned from one must be
 * the tenant a migration replay builds, down to the catalog: tables, columns,
 * defaults, indexes, constraints, sequences, views, privileges, the ledger,
 * the roles and the plugins' grant records.
 */

const PLUGINS = ['library', 'lms', 'events']

async function provision(method: MigrationMethod, plugins = PLUGINS): Promise<Tenant> {
  const slug = uniqueSlug(`tpl-${method}`)
  // Registered without queueing its provisioning, so that nothing but this call provisions it.
  const created = await tenancy.registry.create(
    { slug, name: `School ${slug}`, adminEmail: `admin@${slug}.example`, plugins },
    'test'
  )
  const { tenant } = await tenancy.provisionNow(created.id, 'test', method)
  return tenant
}

/** Everything a schema is made of, with its own name taken out so two schemas compare. */
async function catalogOf(schema: string) {
  const query = async (sql: string) => {
    const { rows } = await db.rawQuery(
      sql,
      Array.from(sql.matchAll(/\?/g), () => schema)
    )
    return JSON.parse(JSON.stringify(rows).replaceAll(schema, '<schema>'))
  }
  return {
    relations: await query(
      `SELECT c.relname, c.relkind, c.relpersistence, c.reloptions FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? ORDER BY c.relname`
    ),
    columns: await query(
      `SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable,
         column_default, character_maximum_length, numeric_precision, numeric_scale,
         is_identity, is_generated, generation_expression
       FROM information_schema.columns WHERE table_schema = ? ORDER BY table_name, ordinal_position`
    ),
    indexes: await query(
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = ? ORDER BY indexname`
    ),
    constraints: await query(
      `SELECT cl.relname, co.conname, co.contype, co.convalidated, co.condeferrable,
         pg_get_constraintdef(co.oid) AS definition
       FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
       JOIN pg_namespace n ON n.oid = co.connamespace WHERE n.nspname = ? ORDER BY cl.relname, co.conname`
    ),
    triggers: await query(
      `SELECT cl.relname, t.tgname, pg_get_triggerdef(t.oid) AS definition FROM pg_trigger t
       JOIN pg_class cl ON cl.oid = t.tgrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
       WHERE n.nspname = ? AND NOT t.tgisinternal ORDER BY cl.relname, t.tgname`
    ),
    sequences: await query(
      `SELECT sequencename, data_type, start_value, increment_by, max_value, last_value
       FROM pg_sequences WHERE schemaname = ? ORDER BY sequencename`
    ),
    views: await query(
      `SELECT viewname, definition FROM pg_views WHERE schemaname = ? ORDER BY viewname`
    ),
    functions: await query(
      `SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS arguments FROM pg_proc p
       JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ? ORDER BY 1, 2`
    ),
    privileges: await query(
      `SELECT table_name, grantee, privilege_type FROM information_schema.table_privileges
       WHERE table_schema = ? ORDER BY table_name, grantee, privilege_type`
    ),
    schemaPrivileges: await query(
      `SELECT nspacl, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = ?`
    ),
    ledger: await query(
      `SELECT owner, name, checksum FROM "${schema}".oryne_migrations ORDER BY owner, name`
    ),
    roles: await query(`SELECT name, builtin, permissions FROM "${schema}".roles ORDER BY name`),
    grantRecords: await query(
      `SELECT plugin, version, grants, digest FROM "${schema}".plugin_grants ORDER BY plugin`
    ),
  }
}

async function tenantPlugins(tenant: Tenant) {
  return db
    .from('tenant_plugins')
    .where('tenant_id', tenant.id)
    .orderBy('plugin')
    .select('plugin', 'version', 'status')
}

async function preparedSchemas() {
  return tenancy.provisioner.templates.list()
}

test.group('Tenant provisioning from a prepared schema', (group) => {
  group.each.teardown(async () => {
    const templates = tenancy.provisioner.templates
    await templates.settled()
    for (const schema of await templates.list())
      await db.rawQuery(`DROP SCHEMA "${schema}" CASCADE`)
  })

  test('a tenant provisioned from a prepared schema is the tenant a migration replay builds', async ({
    assert,
  }) => {
    const templates = tenancy.provisioner.templates
    const plan = tenancy.provisioner.schemaPlan(PLUGINS)
    await templates.replenish(plan)
    const prepared = await preparedSchemas()
    assert.lengthOf(prepared, 2)

    const fromTemplate = await provision('template')
    assert.equal(fromTemplate.provisioning.method, 'template')
    assert.notInclude(await preparedSchemas(), fromTemplate.schema_name)
    const replayed = await provision('replay')
    assert.equal(replayed.provisioning.method, 'replay')
    const scripted = await provision('clone')

    const expected = await catalogOf(replayed.schema_name)
    assert.isAbove(expected.relations.length, 50)
    assert.includeMembers(
      expected.grantRecords.map((row: { plugin: string }) => row.plugin),
      PLUGINS
    )
    for (const tenant of [fromTemplate, scripted]) {
      const actual = await catalogOf(tenant.schema_name)
      for (const [part, rows] of Object.entries(expected))
        assert.deepEqual(
          actual[part as keyof typeof actual],
          rows,
          `${tenant.provisioning.method}: ${part}`
        )
    }
    assert.deepEqual(await tenantPlugins(fromTemplate), await tenantPlugins(replayed))

    // The admin was invited into the tenant's own schema, not the prepared one's next taker.
    const admins = await db.from(`${fromTemplate.schema_name}.users`).select('email', 'status')
    assert.deepEqual(admins, [{ email: fromTemplate.admin_email, status: 'invited' }])

    // The prepared schema it took was replaced after the commit.
    await templates.settled()
    const after = await preparedSchemas()
    assert.lengthOf(after, 2)
    assert.notDeepEqual(after, prepared)
  })

  test('with no prepared schema ready, the whole script runs instead', async ({ assert }) => {
    assert.deepEqual(await preparedSchemas(), [])
    const tenant = await provision('template', ['library'])
    assert.equal(tenant.provisioning.method, 'clone')
    const tables = await db
      .from('information_schema.tables')
      .where('table_schema', tenant.schema_name)
      .where('table_name', 'like', 'library_%')
      .count('* as n')
    assert.isAbove(Number(tables[0].n), 3)
    // And it prepares one for the next tenant asking for the same plugins.
    await tenancy.provisioner.templates.settled()
    assert.lengthOf(await preparedSchemas(), 2)
    assert.equal((await provision('template', ['library'])).provisioning.method, 'template')
  })

  test('a new plugin version gets new prepared schemas, and the old ones are dropped', async ({
    assert,
  }) => {
    const templates = tenancy.provisioner.templates
    const plan = tenancy.provisioner.schemaPlan(['library'])
    await templates.replenish(plan)
    const before = await preparedSchemas()
    assert.lengthOf(before, 2)

    const upgraded: SchemaPlan = {
      ...plan,
      plugins: plan.plugins.map((p) => (p.name === 'library' ? { ...p, version: '99.0.0' } : p)),
    }
    assert.notEqual(templates.names(upgraded).exact, templates.names(plan).exact)
    assert.equal(templates.names(upgraded).set, templates.names(plan).set)
    await templates.replenish(upgraded)
    const after = await preparedSchemas()
    assert.lengthOf(after, 2)
    assert.isTrue(after.every((schema) => schema.startsWith(templates.names(upgraded).exact)))

    // A changed migration changes the fingerprint too; another set of plugins keeps its own.
    const core = plan.sets[0]
    const changed: SchemaPlan = {
      ...plan,
      sets: [{ ...core, migrations: core.migrations.slice(0, -1) }, ...plan.sets.slice(1)],
    }
    assert.notEqual(templates.names(changed).exact, templates.names(plan).exact)
    assert.notEqual(
      templates.names(tenancy.provisioner.schemaPlan(['lms'])).set,
      templates.names(plan).set
    )
  })

  test('two tenants provisioned at once never take the same prepared schema', async ({
    assert,
  }) => {
    const plan = tenancy.provisioner.schemaPlan(['library'])
    await tenancy.provisioner.templates.replenish(plan)
    const tenants = await Promise.all([
      provision('template', ['library']),
      provision('template', ['library']),
      provision('template', ['library']),
    ])
    // Two prepared schemas: two tenants take one each, the third runs the script
    // (unless a replacement was ready by then); each schema is its own.
    const methods = tenants.map((tenant) => tenant.provisioning.method)
    assert.isAtLeast(methods.filter((method) => method === 'template').length, 2)
    assert.lengthOf(new Set(tenants.map((tenant) => tenant.schema_name)), 3)
    for (const tenant of tenants) {
      const ledger = await db.from(`${tenant.schema_name}.oryne_migrations`).count('* as n')
      assert.isAbove(Number(ledger[0].n), 5)
    }
  })
})
