import { test } from '@japa/runner'
import type { Tenant } from '#core/tenancy/types'
import {
  api,
  inTenant,
  libraryTenant,
  signIn,
  type SignedIn,
} from '#tests/fixtures/plugins/library-lite/testing'

/*
 * Tenant collections (docs/collections.md): a tenant admin defines one through
 * the API; its table is created and its records are served by the resource
 * engine like a plugin resource's.
 */

const ADMIN = 'admin/collections'
type Detail = { field: string; rule: string }
const rules = (response: any): string[] =>
  (response.body().error?.details ?? []).map((d: Detail) => `${d.field}:${d.rule}`)

const EQUIPMENT = {
  name: 'lab_equipment',
  label: 'Lab equipment',
  description: 'What the science labs hold',
  definition: {
    fields: {
      name: { type: 'string', required: true, max: 80, search: true },
      serial: { type: 'string', unique: true },
      room: { type: 'enum', values: ['lab1', 'lab2'], default: 'lab1' },
      quantity: { type: 'integer', min: 0, default: 1 },
      price: { type: 'decimal', min: 0 },
      working: { type: 'boolean', default: true },
      bought_on: { type: 'date' },
      checked_at: { type: 'datetime' },
      notes: { type: 'text' },
      specs: { type: 'json' },
      manual: { type: 'file' },
      keeper_id: { type: 'reference', target: 'core.users', on_delete: 'set null' },
    },
    title: 'name',
  },
}

test.group('Collections: define and serve', (group) => {
  let tenant: Tenant
  let admin: SignedIn
  group.setup(async () => {
    tenant = await libraryTenant()
    const { ApiClient } = await import('@japa/api-client')
    const client = new ApiClient(`http://${process.env.HOST}:${process.env.PORT}`)
    admin = await signIn(client, tenant, 'TenantAdmin')
  })

  test('a tenant admin creates a collection: its definition row and its table, then CRUD of records', async ({
    client,
    assert,
  }) => {
    const adminApi = api(client, tenant, admin.token)
    const created = await adminApi.post(ADMIN, EQUIPMENT)
    created.assertStatus(201)
    assert.equal(created.header('location'), '/api/v1/admin/collections/lab_equipment')
    assert.deepInclude(created.body().data, {
      name: 'lab_equipment',
      label: 'Lab equipment',
      table_name: 'col_lab_equipment',
      version: 1,
    })
    const columns = await inTenant(tenant, async (trx) =>
      (
        await trx.rawQuery(
          `SELECT column_name, data_type, is_nullable FROM information_schema.columns
            WHERE table_schema = ? AND table_name = 'col_lab_equipment' ORDER BY ordinal_position`,
          [tenant.schema_name]
        )
      ).rows.map((row: any) => `${row.column_name}:${row.data_type}:${row.is_nullable}`)
    )
    assert.includeMembers(columns, [
      'id:bigint:NO',
      'name:character varying:NO',
      'quantity:integer:YES',
      'price:numeric:YES',
      'working:boolean:YES',
      'bought_on:date:YES',
      'checked_at:timestamp with time zone:YES',
      'specs:jsonb:YES',
      'keeper_id:uuid:YES',
      'custom:jsonb:NO',
      'created_at:timestamp with time zone:NO',
    ])

    const listed = await adminApi.get(ADMIN)
    listed.assertStatus(200)
    assert.deepEqual(
      listed.body().data.map((c: { name: string }) => c.name),
      ['lab_equipment']
    )

    const records = 'collections/lab_equipment'
    const microscope = await adminApi.post(records, {
      name: 'Microscope',
      serial: 'M-1',
      price: 120.5,
      bought_on: '2026-09-01',
      specs: { zoom: [10, 40] },
      keeper_id: admin.id,
    })
    microscope.assertStatus(201)
    const id = microscope.body().data.id
    assert.equal(microscope.header('location'), `/api/v1/collections/lab_equipment/${id}`)
    assert.deepInclude(microscope.body().data, {
      name: 'Microscope',
      room: 'lab1',
      quantity: 1,
      working: true,
      bought_on: '2026-09-01',
      specs: { zoom: [10, 40] },
      keeper_id: admin.id,
    })
    await adminApi.post(records, { name: 'Burner', serial: 'B-1', room: 'lab2' }).then((r) => {
      r.assertStatus(201)
    })

    const shown = await adminApi.get(`${records}/${id}?include=keeper`)
    shown.assertStatus(200)
    assert.equal(shown.body().data.keeper.id, admin.id)

    const filtered = await adminApi.get(`${records}?filter[room]=lab2&sort=-name`)
    filtered.assertStatus(200)
    assert.deepEqual(
      filtered.body().data.map((r: { name: string }) => r.name),
      ['Burner']
    )
    assert.equal(filtered.body().meta.pagination.total, 1)

    const changed = await adminApi.patch(`${records}/${id}`, { quantity: 3, working: false })
    changed.assertStatus(200)
    assert.deepInclude(changed.body().data, { quantity: 3, working: false })

    const bad = await adminApi.post(records, { name: 'x'.repeat(81), quantity: -1, colour: 'red' })
    bad.assertStatus(400)
    assert.deepInclude(rules(bad), 'colour:unknown_field')
    const typed = await adminApi.post(records, { name: 'x'.repeat(81), quantity: -1, room: 'lab9' })
    assert.includeMembers(rules(typed), ['name:maxLength', 'quantity:min', 'room:enum'])
    const duplicate = await adminApi.post(records, { name: 'Another', serial: 'M-1' })
    duplicate.assertStatus(409)
    assert.equal(duplicate.body().error.code, 'ERR_CONFLICT')

    const deleted = await adminApi.delete(`${records}/${id}`)
    deleted.assertStatus(200)
    assert.deepEqual(deleted.body().data, { id, deleted: true })
    const gone = await adminApi.get(`${records}/${id}`)
    gone.assertStatus(404)
    assert.equal(gone.body().error.code, 'ERR_RECORD_NOT_FOUND')

    const missing = await adminApi.get('collections/no_such_thing')
    missing.assertStatus(404)
    assert.equal(missing.body().error.code, 'ERR_COLLECTION_NOT_FOUND')
  })
})
