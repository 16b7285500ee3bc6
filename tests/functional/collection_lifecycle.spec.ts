import { test } from '@japa/runner'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import tenancy from '#core/services/tenancy'
import type { Tenant } from '#core/tenancy/types'
import { runOryne } from '#tests/support/cli'
import { uniqueSlug } from '#tests/support/tenants'
import {
  addPerson,
  created,
  ok,
  refused,
  tenantApi,
  testTenant,
  type Person,
} from '@oryne/sdk/testing'

/*
 * Collections travel with their institution like a plugin's resources do: a
 * backup holds their design and records and a restore or clone brings them
 * back working (tables no migration builds, rebuilt from their definitions);
 * a person's export and erasure cover the fields flagged personal; and
 * `oryne migrate` sees no drift in a tenant that has collections.
 */

const ADMIN = '/admin/collections'
const BACKUPS = await mkdtemp(join(tmpdir(), 'oryne-collection-backups-'))
const env = { ORYNE_BACKUP_DIR: BACKUPS }

async function oryne(args: string[]) {
  const result = await runOryne(args, env, 120_000)
  if (result.code !== 0)
    throw new Error(`oryne ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`)
  return JSON.parse(result.stdout)
}

/** A lab's kit register and its loans: records, a view, a form, an automation, changes, a deleted collection. */
async function labWithCollections(http: ApiClient, tenant: Tenant, pupil: Person) {
  const api = tenantApi(http, tenant)
  await created(
    api.post(ADMIN, {
      name: 'lab_kit',
      label: 'Lab equipment',
      definition: {
        fields: {
          item: { type: 'string', required: true, unique: true, max: 80, search: true },
          kind: { type: 'enum', values: ['optics', 'glass', 'electronics'] },
          cost: { type: 'decimal' },
          bought_on: { type: 'date' },
          borrower_id: { type: 'reference', target: 'core.users', personal: 'subject' },
          note: { type: 'text', personal: true },
        },
        title: 'item',
      },
    })
  )
  await created(
    api.post(ADMIN, {
      name: 'lab_loans',
      definition: {
        fields: {
          kit_id: { type: 'reference', target: 'collections.lab_kit', required: true },
          due_on: { type: 'date' },
        },
      },
    })
  )
  const microscope = await created(
    api.post('/collections/lab_kit', {
      item: 'Microscope',
      kind: 'optics',
      cost: '249.90',
      bought_on: '2026-02-01',
      borrower_id: pupil.id,
      note: 'Scratched lens, told by the pupil',
    })
  )
  const beaker = await created(api.post('/collections/lab_kit', { item: 'Beaker', kind: 'glass' }))
  const spare = await created(api.post('/collections/lab_kit', { item: 'Spare', kind: 'glass' }))
  await ok(api.delete(`/collections/lab_kit/${spare.id}`))
  await created(api.post('/collections/lab_loans', { kit_id: microscope.id, due_on: '2026-03-01' }))
  await created(
    api.post(`${ADMIN}/lab_kit/views`, {
      name: 'By kind',
      kind: 'board',
      config: { group_by: 'kind' },
    })
  )
  await created(
    api.post(`${ADMIN}/lab_kit/forms`, {
      slug: 'report-kit',
      title: 'Report a piece of kit',
      sections: [{ title: 'Kit', fields: [{ name: 'item' }, { name: 'kind' }] }],
    })
  )
  // Disabled: it travels as design, and runs nothing while the test compares tables.
  await created(
    api.post(`${ADMIN}/lab_kit/automations`, {
      name: 'Tell the admins',
      enabled: false,
      trigger: { on: 'create' },
      action: {
        type: 'notify',
        to: { role: 'TenantAdmin' },
        title: 'New kit',
        body: '{{item}}',
      },
    })
  )
  // Changed after it was made: a field renamed, one removed (its values copied to colbak_lab_kit_v<n>).
  await ok(
    api.post(`${ADMIN}/lab_kit/changes`, {
      changes: [
        { op: 'rename_field', from: 'bought_on', to: 'purchased_on' },
        { op: 'remove_field', name: 'cost' },
        { op: 'add_field', name: 'serial', field: { type: 'string', max: 40 } },
      ],
      confirm: true,
    })
  )
  // A deleted collection leaves its table behind as a backup (colbak_...): it travels too.
  await created(
    api.post(ADMIN, { name: 'old_stock', definition: { fields: { what: { type: 'string' } } } })
  )
  await created(api.post('/collections/old_stock', { what: 'Bunsen burner' }))
  const deleted = await ok(api.delete(`${ADMIN}/old_stock?confirm=old_stock`))
  return { api, microscope, beaker, backupTable: deleted.backup_table as string }
}

/**
 * Row count and md5 of the collection tables (col_*, colbak_*) and design tables of a schema,
 * rows read as JSON: a rebuilt table may order its columns otherwise.
 */
async function collectionContent(schema: string) {
  const { rows: tables } = await db.rawQuery(
    `SELECT tablename FROM pg_tables WHERE schemaname = ?
        AND (tablename LIKE 'col\\_%' OR tablename LIKE 'colbak\\_%' OR tablename LIKE 'collection%')
      ORDER BY tablename`,
    [schema]
  )
  const content: Record<string, { rows: number; md5: string | null }> = {}
  for (const { tablename: table } of tables) {
    const { rows } = await db.rawQuery(
      `SELECT count(*)::int AS rows, md5(string_agg(r, E'\\n' ORDER BY r)) AS md5
         FROM (SELECT to_jsonb(t)::text AS r FROM "${schema}"."${table}" t) AS rows`
    )
    content[table] = rows[0]
  }
  return content
}

/** The indexes of a schema's collection tables (unique, search, foreign-key lookups), schema left out. */
async function collectionIndexes(schema: string) {
  const { rows } = await db.rawQuery(
    `SELECT indexname, replace(indexdef, ?, '<schema>') AS definition FROM pg_indexes
      WHERE schemaname = ? AND tablename LIKE 'col\\_%' ORDER BY indexname`,
    [schema, schema]
  )
  return rows
}

test.group('Collections: backup, restore, clone, personal data, migrate', (group) => {
  group.teardown(async () => {
    await rm(BACKUPS, { recursive: true, force: true })
  })

  test('a backup brings back collections, their records and design; a restore serves them again', async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant()
    const pupil = await addPerson(tenant, { email: 'pupil@lab.example', roles: 'Student' })
    const { api, microscope, beaker, backupTable } = await labWithCollections(client, tenant, pupil)
    const before = await collectionContent(tenant.schema_name)
    const indexes = await collectionIndexes(tenant.schema_name)
    assert.isNotEmpty(indexes)
    assert.includeMembers(Object.keys(before), ['col_lab_kit', 'col_lab_loans', backupTable])
    // The removed field's values, kept by the change: a table built from column types at restore.
    assert.isTrue(Object.keys(before).some((table) => table.startsWith('colbak_lab_kit_v')))
    const records = await ok(api.get('/collections/lab_kit?sort=id'))
    const template = await ok(api.get(`${ADMIN}/lab_kit/template`))
    assert.deepEqual(
      [template.views.length, template.forms.length, template.automations.length],
      [1, 1, 1]
    )

    const backup = await oryne(['backup', 'create', tenant.slug, '--json'])
    const { readManifest } = await import('#core/backup/restore')
    const manifest = await readManifest(backup.path)
    const names = manifest.tables.map((t) => t.name)
    // The definitions load before the tables built from them.
    assert.isBelow(names.indexOf('collections'), names.indexOf('col_lab_kit'))
    assert.isBelow(names.indexOf('col_lab_kit'), names.indexOf('col_lab_loans'))

    // Everything changes after the backup...
    await ok(api.delete(`/collections/lab_kit/${beaker.id}`))
    await created(api.post('/collections/lab_kit', { item: 'Oscilloscope', kind: 'electronics' }))
    const views = await ok(api.get(`${ADMIN}/lab_kit/views`))
    await ok(api.delete(`${ADMIN}/lab_kit/views/${views[0].id}`))
    const forms = await ok(api.get(`${ADMIN}/lab_kit/forms`))
    await ok(api.delete(`${ADMIN}/lab_kit/forms/${forms[0].id}`))
    const automations = await ok(api.get(`${ADMIN}/lab_kit/automations`))
    await ok(api.delete(`${ADMIN}/lab_kit/automations/${automations[0].id}`))
    await ok(api.delete(`${ADMIN}/lab_loans?confirm=lab_loans`))
    assert.notDeepEqual(await collectionContent(tenant.schema_name), before)

    // ...and the restore puts it back as it was, served by the API at once.
    const restored = await oryne(['backup', 'restore', backup.path, '--yes', '--json'])
    assert.include(restored, { tenant: tenant.slug, mode: 'replaced' })
    const back = (await tenancy.registry.find(tenant.slug))!
    assert.deepEqual(await collectionContent(back.schema_name), before)
    assert.deepEqual(await collectionIndexes(back.schema_name), indexes)
    assert.deepEqual(await ok(api.get('/collections/lab_kit?sort=id')), records)
    assert.deepEqual(await ok(api.get(`${ADMIN}/lab_kit/template`)), template)
    const loans = await ok(api.get('/collections/lab_loans?include=kit'))
    assert.lengthOf(loans, 1)
    assert.equal(loans[0].kit_id, microscope.id)
    // Constraints and sequences came back too: a unique item is still unique, new ids go on.
    await refused(api.post('/collections/lab_kit', { item: 'Microscope' }), 409, 'ERR_CONFLICT')
    const next = await created(api.post('/collections/lab_kit', { item: 'Pipette' }))
    assert.isAbove(Number(next.id), Number(beaker.id) + 1)
    await refused(api.post('/collections/lab_loans', { kit_id: '999999' }), 400, 'ERR_VALIDATION')
  }).timeout(180_000)

  test('column types an archive records are never run as SQL: a tampered one is refused, nothing restored', async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant()
    const pupil = await addPerson(tenant, { email: 'pupil@tamper.example', roles: 'Student' })
    const { backupTable } = await labWithCollections(client, tenant, pupil)
    const backup = await oryne(['backup', 'create', tenant.slug, '--json'])
    const { addEntry, readAll, readArchive, writeArchive } = await import('#core/backup/archive')
    const entries: Array<[string, Buffer]> = []
    await readArchive(backup.path, async (name, body) => {
      entries.push([name, await readAll(body)])
    })
    const tampered = join(BACKUPS, 'tampered.tar.gz')
    await writeArchive(tampered, {}, async (pack) => {
      for (const [name, content] of entries) {
        if (name !== 'manifest.json') {
          await addEntry(pack, name, content)
          continue
        }
        const manifest = JSON.parse(content.toString('utf8'))
        const table = manifest.tables.find((t: any) => t.name === backupTable)
        table.types[0] = 'text); DROP TABLE users; --'
        await addEntry(pack, name, JSON.stringify(manifest))
      }
    })
    const slug = uniqueSlug('lab-tampered')
    const refusal = await runOryne(['backup', 'restore', tampered, '--as', slug, '--json'], env)
    assert.equal(refusal.code, 1)
    const error = JSON.parse(refusal.stdout).error
    assert.equal(error.code, 'ERR_BACKUP_INCOMPATIBLE')
    assert.include(error.message, backupTable)
    assert.isNull(await tenancy.registry.find(slug))
    const { rows } = await db.rawQuery(
      `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 't_restore_%'`
    )
    assert.equal(rows[0].n, 0)
  }).timeout(180_000)

  test('a clone carries the collections and is independent of its source', async ({
    client,
    assert,
  }) => {
    const source = await testTenant()
    const pupil = await addPerson(source, { email: 'pupil@clone.example', roles: 'Student' })
    const { api } = await labWithCollections(client, source, pupil)
    const slug = uniqueSlug('lab-copy')
    const cloned = await oryne(['tenant', 'clone', source.slug, slug, '--json'])
    assert.equal(cloned.tenant, slug)
    const copy = (await tenancy.registry.find(slug))!
    const there = tenantApi(client, copy)

    const items = (rows: any[]) => rows.map((row) => row.item)
    assert.deepEqual(items(await ok(there.get('/collections/lab_kit?sort=id'))), [
      'Microscope',
      'Beaker',
    ])
    assert.lengthOf(await ok(there.get(`${ADMIN}/lab_kit/views`)), 1)
    assert.lengthOf(await ok(there.get(`${ADMIN}/lab_kit/forms`)), 1)
    assert.lengthOf(await ok(there.get(`${ADMIN}/lab_kit/automations`)), 1)
    await created(there.post('/collections/lab_kit', { item: 'Only in the copy' }))
    await created(api.post('/collections/lab_kit', { item: 'Only in the source' }))
    await created(
      there.post(ADMIN, { name: 'copy_only', definition: { fields: { x: { type: 'string' } } } })
    )
    assert.deepEqual(items(await ok(there.get('/collections/lab_kit?sort=id'))), [
      'Microscope',
      'Beaker',
      'Only in the copy',
    ])
    assert.deepEqual(items(await ok(api.get('/collections/lab_kit?sort=id'))), [
      'Microscope',
      'Beaker',
      'Only in the source',
    ])
    await refused(api.get(`${ADMIN}/copy_only`), 404, 'ERR_COLLECTION_NOT_FOUND')
  }).timeout(180_000)

  test('a person’s export holds their collection records; erasure redacts or deletes as declared', async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant()
    const api = tenantApi(client, tenant)
    const ada = await addPerson(tenant, { email: 'ada@privacy.example', roles: 'Student' })
    const bob = await addPerson(tenant, { email: 'bob@privacy.example', roles: 'Student' })
    await created(
      api.post(ADMIN, {
        name: 'counselling_notes',
        definition: {
          fields: {
            student_id: {
              type: 'reference',
              target: 'core.users',
              personal: 'subject',
              required: true,
            },
            topic: { type: 'string', required: true, personal: true },
            notes: { type: 'text', personal: true },
            room: { type: 'string' },
          },
        },
      })
    )
    await created(
      api.post(ADMIN, {
        name: 'trip_consents',
        definition: {
          fields: {
            child_id: { type: 'reference', target: 'core.users', personal: 'subject' },
            trip: { type: 'string' },
          },
          privacy: { erase: 'delete' },
        },
      })
    )
    const first = await created(
      api.post('/collections/counselling_notes', {
        student_id: ada.id,
        topic: 'Exam stress',
        notes: 'Sleeps badly',
        room: 'B2',
      })
    )
    await created(
      api.post('/collections/counselling_notes', {
        student_id: bob.id,
        topic: 'Homesick',
        notes: 'Misses his dog',
        room: 'B3',
      })
    )
    await created(api.post('/collections/trip_consents', { child_id: ada.id, trip: 'Museum' }))
    await created(api.post('/collections/trip_consents', { child_id: bob.id, trip: 'Zoo' }))

    const exported = await ok(api.get(`/admin/users/${ada.id}/export`))
    const mine = exported.plugins.collections
    assert.deepEqual(Object.keys(mine).sort(), ['counselling_notes', 'trip_consents'])
    assert.deepEqual(
      mine.counselling_notes.map((r: any) => [r.id, r.topic, r.notes, r.room]),
      [[first.id, 'Exam stress', 'Sleeps badly', 'B2']]
    )
    assert.deepEqual(
      mine.trip_consents.map((r: any) => r.trip),
      ['Museum']
    )
    assert.notInclude(JSON.stringify(mine), 'Homesick')

    const erased = await ok(api.post(`/admin/users/${ada.id}/erase`))
    assert.deepEqual(erased.plugins.collections, {
      trip_consents_erased: 1,
      counselling_notes_redacted: 1,
    })
    const notes = await ok(api.get('/collections/counselling_notes?sort=id'))
    assert.deepEqual(
      notes.map((r: any) => [r.student_id, r.topic, r.notes, r.room]),
      [
        [ada.id, '(erased)', null, 'B2'],
        [bob.id, 'Homesick', 'Misses his dog', 'B3'],
      ]
    )
    assert.deepEqual(
      (await ok(api.get('/collections/trip_consents'))).map((r: any) => r.trip),
      ['Zoo']
    )
    const again = await ok(api.post(`/admin/users/${ada.id}/erase`))
    assert.deepEqual(again.plugins.collections, {
      trip_consents_erased: 0,
      counselling_notes_redacted: 0,
    })
  })

  test('oryne migrate sees no drift in a tenant with collections; prepared schemas hold none', async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant()
    const pupil = await addPerson(tenant, { email: 'pupil@migrate.example', roles: 'Student' })
    await labWithCollections(client, tenant, pupil)

    const run = await oryne(['migrate', '--tenant', tenant.slug, '--full', '--json'])
    const outcome = run.tenants.find((t: any) => t.tenant === tenant.slug)
    assert.equal(run.counts.failed, 0, JSON.stringify(run))
    assert.deepEqual(outcome?.applied ?? [], [])
    const status = await oryne(['migrate', 'status', '--tenant', tenant.slug, '--json'])
    assert.include(status, { up_to_date: true, fingerprint_matches: true })
    assert.deepEqual(
      status.owners.flatMap((o: any) => o.pending),
      []
    )
    // The collections still serve after the run.
    assert.lengthOf(await ok(tenantApi(client, tenant).get('/collections/lab_kit')), 2)

    // A prepared schema has the design tables of migration 0013, and no collection's table.
    const templates = tenancy.provisioner.templates
    await templates.replenish(tenancy.provisioner.schemaPlan([]))
    const prepared = await templates.list()
    assert.isNotEmpty(prepared)
    try {
      for (const schema of prepared) {
        const { rows } = await db.rawQuery(
          `SELECT tablename FROM pg_tables WHERE schemaname = ?
              AND (tablename LIKE 'col%') ORDER BY tablename`,
          [schema]
        )
        const tables = rows.map((row: any) => row.tablename)
        assert.includeMembers(tables, [
          'collections',
          'collection_changes',
          'collection_views',
          'collection_forms',
          'collection_automations',
          'collection_automation_runs',
        ])
        assert.isEmpty(tables.filter((name: string) => /^col(bak)?_/.test(name)))
      }
    } finally {
      await templates.settled()
      for (const schema of await templates.list())
        await db.rawQuery(`DROP SCHEMA "${schema}" CASCADE`)
    }
  }).timeout(180_000)
})
