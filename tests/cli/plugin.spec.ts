import { existsSync } from 'node:fs'
import { test } from '@japa/runner'
import getPort from 'get-port'
import { runOryne, runOryneProcess, startOryne } from '#tests/support/cli'
import { activeTenant } from '#tests/support/tenants'

const services = () => ({
  DATABASE_URL: process.env.DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL,
})

/**
 * The value `read` gives once it equals `expected`, or its last value after 3 s:
 * another process's change reaches a running server over Redis pub/sub, which
 * a loaded machine may deliver a moment after the command has exited.
 */
async function within<T>(read: () => Promise<T>, expected: T, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms
  let value = await read()
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    value = await read()
  }
  return value
}

test.group('oryne plugin', () => {
  test('enable and disable take effect at once in a server that was already running', async ({
    assert,
    cleanup,
  }) => {
    const tenant = await activeTenant()
    const port = await getPort()
    const server = startOryne(['serve', '--port', String(port), '--host', '127.0.0.1'], services())
    cleanup(async () => void (await server.stop('SIGKILL')))
    await server.waitFor(/listening on/)
    const notes = () =>
      fetch(`http://127.0.0.1:${port}/api/v1/notes/notes`, {
        headers: { 'x-tenant-id': tenant.slug },
      })

    const before = await notes()
    assert.equal(before.status, 404)
    assert.equal(((await before.json()) as any).error.code, 'ERR_PLUGIN_DISABLED')

    // a real process: the plugin family through the installed binary, beside a running server
    const enabled = await runOryneProcess(
      ['plugin', 'enable', 'notes', '--tenant', tenant.slug, '--json'],
      services()
    )
    assert.equal(enabled.code, 0, enabled.stderr)
    assert.deepEqual(JSON.parse(enabled.stdout).enabled, ['notes'])
    assert.equal(await within(async () => (await notes()).status, 200), 200)

    const disabled = await runOryne(
      ['plugin', 'disable', 'notes', '--tenant', tenant.slug],
      services()
    )
    assert.equal(disabled.code, 0, disabled.stderr)
    assert.match(disabled.stdout, /its data is kept/)
    assert.equal(await within(async () => (await notes()).status, 404), 404)

    // Settings changed by another process reach the running server's cache at once (change bus).
    const greet = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/greetings/hello/Ada`, {
        method: 'POST',
        headers: { 'x-tenant-id': tenant.slug },
      })
      const body = (await response.json()) as any
      return body.data?.greeting ?? body.error?.code
    }
    await runOryne(['plugin', 'enable', 'greetings', '--tenant', tenant.slug], services())
    // The server hears of the change on the change bus, a message after the command returns.
    assert.equal(await within(greet, 'Hello, Ada.'), 'Hello, Ada.')
    const set = await runOryne(
      ['plugin', 'settings', 'greetings', '--tenant', tenant.slug, '--set', 'salutation=Hi'],
      services()
    )
    assert.equal(set.code, 0, set.stderr)
    assert.equal(await within(greet, 'Hi, Ada.'), 'Hi, Ada.')
    assert.equal(await server.stop('SIGTERM'), 0)
  }).timeout(120_000)

  test('list shows availability with reasons, and the state for a tenant', async ({ assert }) => {
    const tenant = await activeTenant()
    const all = await runOryne(['plugin', 'list', '--json'], services())
    assert.equal(all.code, 0, all.stderr)
    const byName = Object.fromEntries(
      JSON.parse(all.stdout).map((p: { name: string }) => [p.name, p])
    )
    assert.isTrue(byName.notes.available)
    assert.isFalse(byName.broken.available)
    assert.match(byName.broken.reasons[0], /^version: /)

    await runOryne(['plugin', 'enable', 'notes-tags', '--tenant', tenant.slug], services())
    const forTenant = await runOryne(
      ['plugin', 'list', '--tenant', tenant.slug, '--json'],
      services()
    )
    const states = Object.fromEntries(
      JSON.parse(forTenant.stdout).map((p: { name: string; status: string }) => [p.name, p.status])
    )
    assert.equal(states.notes, 'enabled')
    assert.equal(states['notes-tags'], 'enabled')
    assert.equal(states.future, 'not_installed')
  })

  test('--no-deps refuses and names the missing dependencies; errors exit 1 with their codes', async ({
    assert,
  }) => {
    const tenant = await activeTenant()
    const refused = await runOryne(
      ['plugin', 'enable', 'notes-tags', '--tenant', tenant.slug, '--no-deps', '--json'],
      services()
    )
    assert.equal(refused.code, 1)
    const body = JSON.parse(refused.stdout)
    assert.equal(body.error.code, 'ERR_PLUGIN_DEPENDENCIES_MISSING')
    assert.deepEqual(body.error.details.missing, ['notes'])

    const unknown = await runOryne(
      ['plugin', 'enable', 'ghost', '--tenant', tenant.slug],
      services()
    )
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /ERR_PLUGIN_NOT_FOUND/)

    const usage = await runOryne(['plugin', 'enable', 'notes'], services())
    assert.equal(usage.code, 2)
  })

  test('settings are shown with their defaults, and changed only with valid values', async ({
    assert,
  }) => {
    const tenant = await activeTenant()
    await runOryne(['plugin', 'enable', 'journal', '--tenant', tenant.slug], services())
    const settings = (...args: string[]) =>
      runOryne(
        ['plugin', 'settings', 'journal', '--tenant', tenant.slug, ...args, '--json'],
        services()
      )

    const shown = await settings()
    assert.equal(shown.code, 0, shown.stderr)
    assert.deepEqual(JSON.parse(shown.stdout).values, { max_entries: 100, visibility: 'private' })

    const invalid = await settings('--set', 'max_entries=many', '--set', 'visibility=school')
    assert.equal(invalid.code, 1)
    const error = JSON.parse(invalid.stdout).error
    assert.equal(error.code, 'ERR_VALIDATION')
    assert.deepEqual(
      error.details.map((d: { field: string }) => d.field),
      ['max_entries']
    )

    const changed = await settings('--set', 'max_entries=12', '--set', 'visibility=school')
    assert.equal(changed.code, 0, changed.stdout)
    assert.deepEqual(JSON.parse(changed.stdout).values, { max_entries: 12, visibility: 'school' })
    assert.deepEqual(JSON.parse((await settings()).stdout).set, {
      max_entries: 12,
      visibility: 'school',
    })
  })

  test('--all-tenants enables for every active tenant; the tenant is required one way or the other', async ({
    assert,
  }) => {
    const [a, b] = [await activeTenant(), await activeTenant()]
    await runOryne(['plugin', 'enable', 'notes', '--tenant', b.slug], services())
    const all = await runOryne(
      ['plugin', 'enable', 'notes-tags', '--all-tenants', '--json'],
      services()
    )
    assert.equal(all.code, 0, all.stdout + all.stderr)
    const byTenant = Object.fromEntries(
      JSON.parse(all.stdout).tenants.map((t: { tenant: string; enabled: string[] }) => [
        t.tenant,
        t.enabled,
      ])
    )
    assert.deepEqual(byTenant[a.slug], ['notes', 'notes-tags'])
    assert.deepEqual(byTenant[b.slug], ['notes-tags'])

    assert.equal((await runOryne(['plugin', 'enable', 'notes'], services())).code, 2)
    assert.equal(
      (
        await runOryne(
          ['plugin', 'enable', 'notes', '--tenant', a.slug, '--all-tenants'],
          services()
        )
      ).code,
      2
    )
  })

  test('uninstall: the dry run counts the rows; the real run backs up first or refuses', async ({
    assert,
  }) => {
    const tenant = await activeTenant()
    await runOryne(['plugin', 'enable', 'greetings', '--tenant', tenant.slug], services())
    const { tenantContext } = await import('#core/tenancy/context')
    const { withTenantDb } = await import('#core/tenancy/tenant_db')
    const visits = () =>
      tenantContext.run(tenant, () =>
        withTenantDb(async (trx) => {
          const exists = await trx.rawQuery(`SELECT to_regclass('greetings_visits') AS t`)
          return exists.rows[0].t
            ? Number((await trx.from('greetings_visits').count('* as n'))[0].n)
            : null
        })
      )
    await tenantContext.run(tenant, () =>
      withTenantDb((trx) =>
        trx
          .insertQuery()
          .table('greetings_visits')
          .multiInsert([{ name: 'Ada' }, { name: 'Bob' }])
      )
    )

    // Without --yes (and no terminal to type the name at) nothing is dropped.
    const unconfirmed = await runOryne(
      ['plugin', 'uninstall', 'greetings', '--tenant', tenant.slug, '--json'],
      services()
    )
    assert.equal(unconfirmed.code, 1)
    assert.equal(JSON.parse(unconfirmed.stdout).error.code, 'ERR_CONFIRMATION_REQUIRED')
    assert.equal(await visits(), 2)

    const dryRun = await runOryne(
      ['plugin', 'uninstall', 'greetings', '--tenant', tenant.slug, '--dry-run', '--json'],
      services()
    )
    assert.equal(dryRun.code, 0, dryRun.stderr)
    assert.deepEqual(JSON.parse(dryRun.stdout).tables, [{ table: 'greetings_visits', rows: 2 }])
    const table = await runOryne(
      ['plugin', 'uninstall', 'greetings', '--tenant', tenant.slug, '--dry-run'],
      services()
    )
    assert.match(table.stdout, /greetings_visits\s*│\s*table\s*│\s*2/)
    assert.equal(await visits(), 2)

    const real = await runOryne(
      ['plugin', 'uninstall', 'greetings', '--tenant', tenant.slug, '--yes', '--json'],
      services()
    )
    if (existsSync(new URL('../../core/backup/index.ts', import.meta.url))) {
      assert.equal(real.code, 0, real.stdout + real.stderr)
      assert.isNotNull(JSON.parse(real.stdout).backup)
      assert.isNull(await visits())
    } else {
      assert.equal(real.code, 1)
      assert.equal(JSON.parse(real.stdout).error.code, 'ERR_BACKUP_UNAVAILABLE')
      assert.equal(await visits(), 2)
    }
  })

  test("uninstall --yes drops a plugin's views with its tables, and never what it did not create", async ({
    assert,
  }) => {
    const [school, other] = [await activeTenant(), await activeTenant()]
    for (const tenant of [school, other]) {
      const enabled = await runOryne(
        ['plugin', 'enable', 'hostel', '--tenant', tenant.slug],
        services()
      )
      assert.equal(enabled.code, 0, enabled.stderr)
    }
    const { tenantContext } = await import('#core/tenancy/context')
    const { withTenantDb } = await import('#core/tenancy/tenant_db')
    const sql = (tenant: typeof school, statement: string, bindings: unknown[] = []) =>
      tenantContext.run(tenant, () =>
        withTenantDb(async (trx) => (await trx.rawQuery(statement, bindings as any)).rows)
      )
    // Every table and view (materialized or not) of the tenant's schema.
    const relations = async (tenant: typeof school) =>
      (
        await sql(
          tenant,
          `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY c.relname COLLATE "C"`,
          [tenant.schema_name]
        )
      ).map((row: { relname: string }) => row.relname)
    const before = await relations(school)
    assert.includeMembers(before, ['hostel_room_residents', 'hostel_rooms', 'erp_students'])
    const otherBefore = await relations(other)
    const purge = (...flags: string[]) =>
      runOryne(
        ['plugin', 'uninstall', 'hostel', '--tenant', school.slug, '--yes', '--json', ...flags],
        services()
      )

    const dryRun = await purge('--dry-run')
    assert.equal(dryRun.code, 0, dryRun.stderr)
    assert.deepEqual(JSON.parse(dryRun.stdout).views, [
      { view: 'hostel_room_residents', materialized: false },
    ])
    assert.includeMembers(
      JSON.parse(dryRun.stdout).tables.map((t: { table: string }) => t.table),
      ['hostel_rooms', 'hostel_allocations', 'hostel_term_charges']
    )
    const shown = await runOryne(
      ['plugin', 'uninstall', 'hostel', '--tenant', school.slug, '--dry-run'],
      services()
    )
    assert.match(shown.stdout, /would drop 1 view\(s\) and \d+ table\(s\)/)
    assert.match(shown.stdout, /hostel_room_residents\s*│\s*view\s*│/)

    // A view the plugin did not create reads its table: purge names it and drops nothing.
    await sql(school, 'CREATE VIEW room_report AS SELECT id, number FROM hostel_rooms')
    const blocked = await purge()
    assert.equal(blocked.code, 1, blocked.stderr)
    const error = JSON.parse(blocked.stdout).error
    assert.equal(error.code, 'ERR_PLUGIN_PURGE_BLOCKED')
    assert.deepEqual(error.details.dependents, ['view room_report'])
    assert.deepEqual(await relations(school), [...before, 'room_report'].sort())

    await sql(school, 'DROP VIEW room_report')
    const real = await purge()
    assert.equal(real.code, 0, real.stdout + real.stderr)
    assert.deepEqual(JSON.parse(real.stdout).views, [
      { view: 'hostel_room_residents', materialized: false },
    ])
    const after = await relations(school)
    assert.deepEqual(
      after.filter((relation: string) => relation.startsWith('hostel_')),
      []
    )
    assert.deepEqual(
      after,
      before.filter((relation: string) => !relation.startsWith('hostel_'))
    )
    // The other tenant keeps its hostel, view included, and the view still answers.
    assert.deepEqual(await relations(other), otherBefore)
    assert.includeMembers(otherBefore, ['hostel_room_residents'])
    assert.deepEqual(await sql(other, 'SELECT count(*)::int AS n FROM hostel_room_residents'), [
      { n: 0 },
    ])
  }).timeout(180_000)
})
