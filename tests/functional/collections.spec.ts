import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { parse } from 'csv-parse/sync'
import { onCoreEvent, type OryneEvent } from '#core/events/events'
import jobs from '#core/services/jobs'
import type { Tenant } from '#core/tenancy/types'
import { eventually, fetchBytes } from '#tests/support/reports_school'
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
    // The fields come back in the admin's order (the form and the list show them so).
    const read = await adminApi.get(`${ADMIN}/lab_equipment`)
    assert.deepEqual(
      Object.keys(read.body().data.definition.fields),
      Object.keys(EQUIPMENT.definition.fields)
    )
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

/** A collection of `fields` in `tenant`, created by its admin (asserts 201). */
async function define(
  client: ApiClient,
  tenant: Tenant,
  token: string,
  name: string,
  definition: Record<string, unknown>
) {
  const created = await api(client, tenant, token).post(ADMIN, { name, definition })
  created.assertStatus(201)
  return created.body().data
}

const seen: OryneEvent[] = []
onCoreEvent(
  (event) => event.name.startsWith('collections.'),
  async (event) => {
    seen.push(event)
  }
)

test.group('Collections: definitions, access, isolation', (group) => {
  let tenant: Tenant
  let other: Tenant
  let admin: SignedIn
  let otherAdmin: SignedIn
  let student: SignedIn
  let student2: SignedIn
  group.setup(async () => {
    await jobs.work(['reports'])
    tenant = await libraryTenant()
    other = await libraryTenant()
    const { ApiClient: Client } = await import('@japa/api-client')
    const client = new Client(`http://${process.env.HOST}:${process.env.PORT}`)
    admin = await signIn(client, tenant, 'TenantAdmin')
    otherAdmin = await signIn(client, other, 'TenantAdmin')
    student = await signIn(client, tenant, 'Student')
    student2 = await signIn(client, tenant, 'Student', `second@${tenant.slug}.example`)
  })

  test('bad definitions are refused path by path with nothing written; names are unique and not reserved', async ({
    client,
    assert,
  }) => {
    const adminApi = api(client, tenant, admin.token)
    const refused = async (body: unknown, status: number, code: string) => {
      const response = await adminApi.post(ADMIN, body)
      response.assertStatus(status)
      assert.equal(response.body().error.code, code)
      return rules(response)
    }
    const field = { title: { type: 'string' } }
    assert.includeMembers(
      await refused({ name: 'Bad-Name', definition: { fields: field } }, 400, 'ERR_VALIDATION'),
      ['name:regex']
    )
    assert.includeMembers(
      await refused({ name: 'views', definition: { fields: field } }, 400, 'ERR_VALIDATION'),
      ['name:reserved']
    )
    assert.includeMembers(
      await refused(
        {
          name: 'broken',
          definition: {
            fields: {
              colour: { type: 'colour' },
              size: { type: 'enum' },
              id: { type: 'string' },
              count: { type: 'integer', min: 5, max: 1, default: 'many' },
              note: { type: 'text', values: ['a'], sensitive: { permission: 'nope' } },
              owner_id: { type: 'reference', target: 'core.users', default: 'x' },
              book_id: { type: 'reference', target: 'erp.students' },
              other_id: { type: 'reference', target: 'collections.nothing_here' },
              flag: { type: 'boolean', search: true, speed: 3 },
              keeper: { type: 'reference', target: 'core.users' },
              note_id: { type: 'reference', target: 'core.users' },
            },
            title: 'missing',
            owner: { field: 'flag', roles: [] },
          },
        },
        400,
        'ERR_VALIDATION'
      ),
      [
        'definition.fields.colour.type:enum',
        'definition.fields.size.values:values',
        'definition.fields.id:reserved',
        'definition.fields.count.max:min',
        'definition.fields.note.values:not_allowed',
        'definition.fields.note.sensitive:sensitive',
        'definition.fields.owner_id.default:not_allowed',
        // erp is available but not enabled in this tenant
        'definition.fields.book_id.target:reference',
        'definition.fields.other_id.target:reference',
        'definition.fields.flag.search:not_allowed',
        'definition.fields.flag.speed:unknown_key',
        'definition.fields.keeper:reference_name',
        'definition.fields.note_id:include_name',
        'definition.title:field',
        'definition.owner.field:owner',
        'definition.owner.roles:roles',
      ]
    )
    assert.includeMembers(
      await refused(
        { name: 'typed', definition: { fields: { n: { type: 'integer', default: 1.5 } } } },
        400,
        'ERR_VALIDATION'
      ),
      ['definition.fields.n.default:default']
    )
    assert.includeMembers(await refused({ name: 'empty' }, 400, 'ERR_VALIDATION'), [
      'definition:required',
    ])
    const nothing = await inTenant(tenant, async (trx) => ({
      rows: (await trx.from('collections').count('* as n'))[0].n,
      tables: (
        await trx.rawQuery(
          `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE 'col!_%' ESCAPE '!'`,
          [tenant.schema_name]
        )
      ).rows[0].n,
    }))
    assert.deepEqual(
      { rows: Number(nothing.rows), tables: Number(nothing.tables) },
      { rows: 0, tables: 0 }
    )

    // A reference to a resource of an enabled module and to another collection.
    await define(client, tenant, admin.token, 'clubs', {
      fields: { name: { type: 'string', required: true } },
    })
    await define(client, tenant, admin.token, 'club_members', {
      fields: {
        club_id: { type: 'reference', target: 'collections.clubs', on_delete: 'cascade' },
        book_id: { type: 'reference', target: 'library-lite.books' },
        member_id: { type: 'reference', target: 'core.users', personal: 'subject' },
      },
    })
    assert.includeMembers(
      await refused({ name: 'clubs', definition: { fields: field } }, 409, 'ERR_COLLECTION_EXISTS'),
      []
    )
    // Long names: index and key names past PostgreSQL's 63 characters stay distinct.
    const long = `a${'b'.repeat(37)}`
    const wide = (suffix: string) => `${'f'.repeat(33)}_${suffix}`
    await define(client, tenant, admin.token, long, {
      fields: {
        [wide('one')]: { type: 'string', unique: true },
        [wide('two')]: { type: 'string', unique: true },
        [wide('ref_id')]: { type: 'reference', target: 'collections.clubs' },
        [wide('who_id')]: { type: 'reference', target: 'core.users' },
      },
    })
    const longApi = `collections/${long}`
    ;(await adminApi.post(longApi, { [wide('one')]: 'x', [wide('two')]: 'x' })).assertStatus(201)
    ;(await adminApi.post(longApi, { [wide('one')]: 'y', [wide('two')]: 'x' })).assertStatus(409)

    const asStudent = await api(client, tenant, student.token).post(ADMIN, {
      name: 'sneaky',
      definition: { fields: field },
    })
    asStudent.assertStatus(403)
  })

  test('a Student needs collections.<name>.<verb>: granted through the roles API, then served', async ({
    client,
    assert,
  }) => {
    await define(client, tenant, admin.token, 'sign_ups', {
      fields: { sport: { type: 'enum', values: ['chess', 'football'], required: true } },
    })
    const mine = api(client, tenant, student.token)
    const denied = await mine.post('collections/sign_ups', { sport: 'chess' })
    denied.assertStatus(403)
    assert.equal(denied.body().error.code, 'ERR_FORBIDDEN')
    ;(await mine.get('collections/sign_ups')).assertStatus(403)

    const adminApi = api(client, tenant, admin.token)
    const known = await adminApi.get('admin/permissions')
    const owned = known.body().data.find((g: { plugin: string }) => g.plugin === 'collections')
    assert.includeMembers(
      owned.permissions.map((p: { name: string }) => p.name),
      ['collections.sign_ups.read', 'collections.sign_ups.create']
    )
    const unknown = await adminApi.patch('admin/roles/Student', {
      permissions: ['collections.no_such.read'],
    })
    unknown.assertStatus(400)
    const role = (await adminApi.get('admin/roles/Student')).body().data
    const granted = await adminApi.patch('admin/roles/Student', {
      permissions: [...role.permissions, 'collections.sign_ups.create'],
    })
    granted.assertStatus(200)
    const created = await mine.post('collections/sign_ups', { sport: 'chess' })
    created.assertStatus(201)
    assert.equal(created.body().data.sport, 'chess')
    // Create does not grant read.
    ;(await mine.get(`collections/sign_ups/${created.body().data.id}`)).assertStatus(403)

    // A partner API key reaches what its scopes name, nothing more.
    const key = await adminApi.post('admin/api-keys', {
      name: 'Sports sync',
      scopes: ['collections.sign_ups.read'],
    })
    key.assertStatus(201)
    const partner = api(client, tenant, key.body().data.key)
    const read = await partner.get('collections/sign_ups')
    read.assertStatus(200)
    assert.equal(read.body().meta.pagination.total, 1)
    ;(await partner.post('collections/sign_ups', { sport: 'football' })).assertStatus(403)
  })

  test('owner only: the roles listed see and change only their own records; the owner is the creator', async ({
    client,
    assert,
  }) => {
    await define(client, tenant, admin.token, 'volunteers', {
      fields: {
        task: { type: 'string', required: true },
        volunteer_id: { type: 'reference', target: 'core.users' },
      },
      owner: { field: 'volunteer_id', roles: ['Student'] },
    })
    const adminApi = api(client, tenant, admin.token)
    const role = (await adminApi.get('admin/roles/Student')).body().data
    ;(
      await adminApi.patch('admin/roles/Student', {
        permissions: [...role.permissions, 'collections.volunteers.*'],
      })
    ).assertStatus(200)
    const first = api(client, tenant, student.token)
    const second = api(client, tenant, student2.token)
    const mine = await first.post('collections/volunteers', { task: 'Bake sale' })
    mine.assertStatus(201)
    assert.equal(mine.body().data.volunteer_id, student.id)
    const theirs = await second.post('collections/volunteers', { task: 'Car park' })
    theirs.assertStatus(201)
    const forged = await second.post('collections/volunteers', {
      task: 'As someone else',
      volunteer_id: student.id,
    })
    forged.assertStatus(403)

    const listed = await first.get('collections/volunteers')
    assert.deepEqual(
      listed.body().data.map((r: { task: string }) => r.task),
      ['Bake sale']
    )
    const hidden = await first.get(`collections/volunteers/${theirs.body().data.id}`)
    hidden.assertStatus(404)
    ;(
      await first.patch(`collections/volunteers/${theirs.body().data.id}`, { task: 'Mine now' })
    ).assertStatus(404)
    ;(await first.delete(`collections/volunteers/${theirs.body().data.id}`)).assertStatus(404)
    const everyone = await adminApi.get('collections/volunteers?sort=id')
    assert.deepEqual(
      everyone.body().data.map((r: { task: string }) => r.task),
      ['Bake sale', 'Car park']
    )
  })

  test('another tenant sees neither the collection nor its records; its own of the same name is separate', async ({
    client,
    assert,
  }) => {
    await define(client, tenant, admin.token, 'lockers', {
      fields: { number: { type: 'integer', required: true } },
    })
    const record = await api(client, tenant, admin.token).post('collections/lockers', {
      number: 7,
    })
    record.assertStatus(201)
    const elsewhere = api(client, other, otherAdmin.token)
    for (const path of [
      `${ADMIN}/lockers`,
      'collections/lockers',
      `collections/lockers/${record.body().data.id}`,
    ]) {
      const response = await elsewhere.get(path)
      response.assertStatus(404)
      assert.equal(response.body().error.code, 'ERR_COLLECTION_NOT_FOUND')
    }
    // The other tenant's admin token does not open this tenant.
    ;(
      await client
        .get('/api/v1/collections/lockers')
        .header('x-tenant-id', tenant.slug)
        .bearerToken(otherAdmin.token)
    ).assertStatus(401)
    await define(client, other, otherAdmin.token, 'lockers', {
      fields: { label: { type: 'string' } },
    })
    const theirs = await elsewhere.get('collections/lockers')
    assert.equal(theirs.body().meta.pagination.total, 0)
  })

  test('records leave audit entries and events; search and CSV exports find them; the tenant document lists the collection', async ({
    client,
    assert,
  }) => {
    await define(client, tenant, admin.token, 'instruments', {
      fields: {
        name: { type: 'string', required: true, search: true },
        maker: { type: 'string', search: true },
        value: {
          type: 'decimal',
          sensitive: { permission: 'collections.instruments.value', mode: 'mask' },
        },
      },
      title: 'name',
    })
    const adminApi = api(client, tenant, admin.token)
    const violin = await adminApi.post('collections/instruments', {
      name: 'Violin',
      maker: 'Stradivarius',
      value: 1000,
    })
    violin.assertStatus(201)
    const id = violin.body().data.id
    ;(await adminApi.patch(`collections/instruments/${id}`, { maker: 'Amati' })).assertStatus(200)
    await adminApi.post('collections/instruments', { name: 'Cello' })

    const audit = await inTenant(tenant, (trx) =>
      trx.from('audit_log').where('subject', `collections.instruments:${id}`).orderBy('id')
    )
    assert.deepEqual(
      audit.map((entry: { action: string }) => entry.action),
      ['collections.instruments.create', 'collections.instruments.update']
    )
    assert.deepEqual(audit[1].data, {
      before: { maker: 'Stradivarius' },
      after: { maker: 'Amati' },
    })
    const events = await eventually(async () => {
      const found = seen.filter(
        (event) =>
          event.tenantId === tenant.id &&
          event.name.startsWith('collections.instruments.') &&
          event.payload.id === id
      )
      return found.length === 2 ? found : null
    })
    // Delivered after each commit, not necessarily in order.
    assert.sameMembers(
      events.map((event) => event.name),
      ['collections.instruments.created', 'collections.instruments.updated']
    )
    const updated = events.find((event) => event.name.endsWith('.updated'))!
    assert.equal((updated.payload as any).record.maker, 'Amati')
    assert.deepEqual((updated.payload as any).changes.after, { maker: 'Amati' })

    const found = await adminApi.get('search?q=amati&types=collections.instruments')
    found.assertStatus(200)
    assert.deepEqual(
      found.body().data.map((hit: { id: string; type: string }) => `${hit.type}:${hit.id}`),
      [`collections.instruments:${id}`]
    )
    const everywhere = await adminApi.get('search?q=cello')
    assert.include(
      everywhere.body().data.map((hit: { type: string }) => hit.type),
      'collections.instruments'
    )
    // Field visibility: without collections.instruments.value the value is masked.
    const shownToAdmin = await adminApi.get(`collections/instruments/${id}`)
    assert.equal(Number(shownToAdmin.body().data.value), 1000)
    const studentRole = (await adminApi.get('admin/roles/Student')).body().data
    ;(
      await adminApi.patch('admin/roles/Student', {
        permissions: [...studentRole.permissions, 'collections.instruments.read'],
      })
    ).assertStatus(200)
    const shownToStudent = await api(client, tenant, student.token).get(
      `collections/instruments/${id}`
    )
    shownToStudent.assertStatus(200)
    assert.equal(shownToStudent.body().data.value, '***')
    ;(
      await adminApi.patch('admin/roles/Student', { permissions: studentRole.permissions })
    ).assertStatus(200)

    // The student may not list instruments: search does not show them either.
    const studentSearch = await api(client, tenant, student.token).get('search?q=cello')
    assert.notInclude(
      (studentSearch.body().data ?? []).map((hit: { type: string }) => hit.type),
      'collections.instruments'
    )

    const started = await adminApi.post('exports', {
      resource: 'collections.instruments',
      format: 'csv',
    })
    started.assertStatus(202)
    const done = await eventually(async () => {
      const status = (await adminApi.get(`exports/${started.body().data.id}`)).body().data
      if (status.status === 'failed') throw new Error(status.error)
      return status.status === 'completed' ? status : null
    })
    const file = await fetchBytes(done.download.url, { 'x-tenant-id': tenant.slug })
    const rows: Array<Record<string, string>> = parse(file.body, {
      columns: true,
      bom: true,
      skip_empty_lines: true,
    })
    assert.sameMembers(
      rows.map((row: Record<string, string>) => row.name),
      ['Violin', 'Cello']
    )

    const document = await client.get('/api/v1/openapi.json').header('x-tenant-id', tenant.slug)
    document.assertStatus(200)
    const paths = Object.keys(document.body().paths)
    assert.includeMembers(paths, [
      '/api/v1/collections/instruments',
      '/api/v1/collections/instruments/{id}',
    ])
    assert.property(document.body().components.schemas, 'CollectionsInstruments')
    assert.deepEqual(document.body().paths['/api/v1/collections/instruments'].get.tags, [
      'Collections',
    ])
    assert.equal(
      document.body().paths['/api/v1/collections/instruments'].post['x-oryne-permission'],
      'collections.instruments.create'
    )
    const generic = await client.get('/api/v1/openapi.json')
    const genericPaths = Object.keys(generic.body().paths)
    assert.include(genericPaths, '/api/v1/collections/{name}')
    assert.notInclude(genericPaths, '/api/v1/collections/instruments')
    const elsewhere = await client.get('/api/v1/openapi.json').header('x-tenant-id', other.slug)
    assert.notInclude(Object.keys(elsewhere.body().paths), '/api/v1/collections/instruments')
  })

  test('quotas: collections per tenant, fields per collection, records per collection', async ({
    client,
    assert,
    cleanup,
  }) => {
    const saved = {
      collections: process.env.ORYNE_COLLECTIONS_MAX,
      fields: process.env.ORYNE_COLLECTION_FIELDS_MAX,
      rows: process.env.ORYNE_COLLECTION_ROWS_MAX,
    }
    cleanup(() => {
      const put = (name: string, value?: string) =>
        value === undefined ? delete process.env[name] : (process.env[name] = value)
      put('ORYNE_COLLECTIONS_MAX', saved.collections)
      put('ORYNE_COLLECTION_FIELDS_MAX', saved.fields)
      put('ORYNE_COLLECTION_ROWS_MAX', saved.rows)
    })
    const adminApi = api(client, other, otherAdmin.token)
    const existing = (await adminApi.get(ADMIN)).body().data.length
    process.env.ORYNE_COLLECTION_FIELDS_MAX = '2'
    const wide = await adminApi.post(ADMIN, {
      name: 'wide',
      definition: {
        fields: { a: { type: 'string' }, b: { type: 'string' }, c: { type: 'string' } },
      },
    })
    wide.assertStatus(422)
    assert.equal(wide.body().error.code, 'ERR_COLLECTION_QUOTA')
    assert.include(wide.body().error.message, 'fields per collection (2)')

    process.env.ORYNE_COLLECTION_ROWS_MAX = '2'
    await define(client, other, otherAdmin.token, 'tiny', { fields: { a: { type: 'string' } } })
    ;(await adminApi.post('collections/tiny', { a: '1' })).assertStatus(201)
    ;(await adminApi.post('collections/tiny', { a: '2' })).assertStatus(201)
    const full = await adminApi.post('collections/tiny', { a: '3' })
    full.assertStatus(422)
    assert.equal(full.body().error.code, 'ERR_COLLECTION_QUOTA')
    assert.include(full.body().error.message, 'records per collection (2)')

    process.env.ORYNE_COLLECTIONS_MAX = String(existing + 1)
    const many = await adminApi.post(ADMIN, {
      name: 'one_too_many',
      definition: { fields: { a: { type: 'string' } } },
    })
    many.assertStatus(422)
    assert.include(many.body().error.message, `collections per institution (${existing + 1})`)
    assert.lengthOf((await adminApi.get(ADMIN)).body().data, existing + 1)
  })

  test('label and description change; delete needs ?confirm=<name> and keeps the table as a backup', async ({
    client,
    assert,
  }) => {
    const adminApi = api(client, tenant, admin.token)
    await define(client, tenant, admin.token, 'trips', {
      fields: { place: { type: 'string', unique: true, search: true } },
    })
    ;(await adminApi.post('collections/trips', { place: 'Museum' })).assertStatus(201)
    const renamed = await adminApi.patch(`${ADMIN}/trips`, {
      label: 'School trips',
      description: 'Where we go',
    })
    renamed.assertStatus(200)
    assert.deepInclude(renamed.body().data, { label: 'School trips', description: 'Where we go' })
    const notFields = await adminApi.patch(`${ADMIN}/trips`, { definition: {} })
    notFields.assertStatus(400)
    assert.deepEqual(rules(notFields), ['definition:read_only'])

    const unconfirmed = await adminApi.delete(`${ADMIN}/trips`)
    unconfirmed.assertStatus(400)
    assert.equal(unconfirmed.body().error.code, 'ERR_COLLECTION_CONFIRM')
    const referenced = await adminApi.delete(`${ADMIN}/clubs?confirm=clubs`)
    referenced.assertStatus(409)
    assert.equal(referenced.body().error.code, 'ERR_COLLECTION_IN_USE')

    // A backup keeps its rows whatever happens to the records they pointed to.
    const club = await adminApi.post('collections/clubs', { name: 'Chess' })
    const member = await adminApi.post('collections/club_members', {
      club_id: club.body().data.id,
      member_id: student.id,
    })
    member.assertStatus(201)
    const membersGone = await adminApi.delete(`${ADMIN}/club_members?confirm=club_members`)
    membersGone.assertStatus(200)
    ;(await adminApi.delete(`collections/clubs/${club.body().data.id}`)).assertStatus(200)
    const members = await inTenant(tenant, (trx) =>
      trx.from(membersGone.body().data.backup_table).select('club_id')
    )
    assert.deepEqual(members, [{ club_id: club.body().data.id }])

    const studentRole = (await adminApi.get('admin/roles/Student')).body().data
    ;(
      await adminApi.patch('admin/roles/Student', {
        permissions: [...studentRole.permissions, 'collections.trips.read'],
      })
    ).assertStatus(200)
    ;(await api(client, tenant, student.token).get('collections/trips')).assertStatus(200)

    const deleted = await adminApi.delete(`${ADMIN}/trips?confirm=trips`)
    deleted.assertStatus(200)
    const backup = deleted.body().data.backup_table
    assert.match(backup, /^colbak_trips_\d+$/)
    const kept = await inTenant(tenant, (trx) => trx.from(backup).select('place'))
    assert.deepEqual(kept, [{ place: 'Museum' }])
    ;(await adminApi.get('collections/trips')).assertStatus(404)
    ;(await adminApi.get(`${ADMIN}/trips`)).assertStatus(404)

    // The name is free again, with a table of its own.
    await define(client, tenant, admin.token, 'trips', {
      fields: { place: { type: 'string', unique: true, search: true } },
    })
    ;(await adminApi.post('collections/trips', { place: 'Museum' })).assertStatus(201)
    // Grants of the deleted collection went with it.
    const role = (await adminApi.get('admin/roles/Student')).body().data
    assert.notInclude(role.permissions, 'collections.trips.read')
    ;(await api(client, tenant, student.token).get('collections/trips')).assertStatus(403)
    const history = await inTenant(tenant, (trx) =>
      trx.from('collection_changes').where('collection', 'trips').select('backup_table')
    )
    assert.deepEqual(history, [{ backup_table: backup }])
    const designAudit = await inTenant(tenant, (trx) =>
      trx.from('audit_log').where('subject', 'collections.trips').orderBy('id').select('action')
    )
    assert.deepEqual(
      designAudit.map((entry: { action: string }) => entry.action),
      [
        'core.collections.create',
        'core.collections.update',
        'core.collections.delete',
        'core.collections.create',
      ]
    )
  })
})
