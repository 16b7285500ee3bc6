import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import type { ResourceModel } from '#core/resources/model'
import { searchDriver, type SearchDriver } from '#core/search/index'
import type { Tenant } from '#core/tenancy/types'
import { activeTenant } from '#tests/support/tenants'
import { api, inTenant, signIn, type SignedIn } from '#tests/fixtures/plugins/library-lite/testing'

/*
 * Changes to a collection's fields (docs/collections.md, "Changing a
 * collection"): planned with the rows they touch counted in the table, shown
 * by a dry run, applied in one transaction with a backup of what a
 * destructive step loses, refused when they cannot apply.
 */

type Detail = { field: string; rule: string }
const rules = (response: any): string[] => {
  const details = response.body().error?.details
  return Array.isArray(details) ? details.map((d: Detail) => `${d.field}:${d.rule}`) : []
}
type Step = {
  op: string
  field: string
  sql_kind: string
  destructive: boolean
  affected_rows: number
  sql: string[]
  problems: Array<{ code: string; rows?: number; blocking: boolean }>
}
const kinds = (steps: Step[]) => steps.map((s) => `${s.op}:${s.field}:${s.sql_kind}`)
const codes = (step: Step) => step.problems.map((p) => p.code)

let counter = 0

test.group('Collections: changes to fields', (group) => {
  let tenant: Tenant
  let admin: SignedIn
  group.setup(async () => {
    tenant = await activeTenant()
    const { ApiClient } = await import('@japa/api-client')
    const client = new ApiClient(`http://${process.env.HOST}:${process.env.PORT}`)
    admin = await signIn(client, tenant, 'TenantAdmin')
  })

  /** A new collection of sign-ups with `records`; its name. */
  async function signups(client: ApiClient, records: Array<Record<string, unknown>>) {
    const name = `signups_${++counter}`
    const created = await api(client, tenant, admin.token).post('admin/collections', {
      name,
      definition: {
        fields: {
          student: { type: 'string', required: true, max: 80 },
          age: { type: 'text' },
          level: { type: 'enum', values: ['beginner', 'club', 'team'] },
          kit: { type: 'string' },
          joined_on: { type: 'text' },
        },
        title: 'student',
      },
    })
    created.assertStatus(201)
    const ids: string[] = []
    for (const record of records) {
      const response = await api(client, tenant, admin.token).post(`collections/${name}`, record)
      response.assertStatus(201)
      ids.push(response.body().data.id)
    }
    return { name, ids }
  }

  const changes = (client: ApiClient, name: string, body: object) =>
    api(client, tenant, admin.token).post(`admin/collections/${name}/changes`, body)
  const collection = async (client: ApiClient, name: string) =>
    (await api(client, tenant, admin.token).get(`admin/collections/${name}`)).body().data
  const record = async (client: ApiClient, name: string, id: string) =>
    (await api(client, tenant, admin.token).get(`collections/${name}/${id}`)).body().data
  const columns = (name: string) =>
    inTenant(tenant, async (trx) =>
      Object.fromEntries(
        (
          await trx.rawQuery(
            `SELECT column_name, data_type, is_nullable FROM information_schema.columns
              WHERE table_schema = ? AND table_name = ?`,
            [tenant.schema_name, `col_${name}`]
          )
        ).rows.map((row: any) => [row.column_name, `${row.data_type}:${row.is_nullable}`])
      )
    )
  const history = (name: string) =>
    inTenant(tenant, (trx) => trx.from('collection_changes').where('collection', name))

  test('add_field: a dry run plans with the rows counted and writes nothing; applying adds the column and the next request serves it', async ({
    client,
    assert,
  }) => {
    const { name, ids } = await signups(client, [{ student: 'Ada' }, { student: 'Ben' }])
    const body = {
      changes: [
        {
          op: 'add_field',
          name: 'paid',
          field: { type: 'boolean', required: true, default: false },
        },
        { op: 'add_field', name: 'fee', field: { type: 'decimal', min: 0 } },
      ],
    }
    const dry = await changes(client, name, { ...body, dry_run: true })
    dry.assertStatus(200)
    const plan = dry.body().data
    assert.deepInclude(plan, {
      applied: false,
      applicable: true,
      destructive: false,
      from_version: 1,
      to_version: 2,
      rows: 2,
    })
    assert.deepEqual(kinds(plan.steps), ['add_field:paid:add_column', 'add_field:fee:add_column'])
    assert.equal(plan.steps[0].affected_rows, 2)
    assert.equal(plan.steps[1].affected_rows, 0)
    assert.match(
      plan.steps[0].sql[0],
      /ADD COLUMN "paid" boolean DEFAULT true|ADD COLUMN "paid" boolean DEFAULT false NOT NULL/
    )
    // Nothing was written: version, table, history and records as they were.
    assert.equal((await collection(client, name)).version, 1)
    assert.notProperty(await columns(name), 'paid')
    assert.lengthOf(await history(name), 0)
    assert.notProperty(await record(client, name, ids[0]), 'paid')

    const applied = await changes(client, name, body)
    applied.assertStatus(200)
    assert.deepInclude(applied.body().data, { applied: true, version: 2, backup_table: null })
    assert.deepInclude(await columns(name), { paid: 'boolean:NO', fee: 'numeric:YES' })
    const stored = await collection(client, name)
    assert.equal(stored.version, 2)
    assert.deepEqual(stored.definition.fields.paid, {
      type: 'boolean',
      required: true,
      default: false,
    })
    // The compiled model was dropped: records carry the new field, and it validates.
    assert.deepInclude(await record(client, name, ids[0]), { paid: false, fee: null })
    const wrong = await api(client, tenant, admin.token).post(`collections/${name}`, {
      student: 'Cy',
      fee: 'much',
    })
    wrong.assertStatus(400)
    assert.deepInclude(rules(wrong), 'fee:number')

    const listed = await api(client, tenant, admin.token).get(`admin/collections/${name}/changes`)
    listed.assertStatus(200)
    assert.lengthOf(listed.body().data, 1)
    assert.deepInclude(listed.body().data[0], {
      from_version: 1,
      to_version: 2,
      destructive: false,
      backup_table: null,
      applied_by: `user:${admin.id}`,
    })
    assert.deepEqual(kinds(listed.body().data[0].plan.steps), kinds(plan.steps))
    assert.equal(listed.body().meta.pagination.total, 1)
    const audited = await inTenant(tenant, (trx) =>
      trx
        .from('audit_log')
        .where('action', 'core.collections.change')
        .where('resource', `collections.${name}`)
    )
    assert.lengthOf(audited, 1)
    assert.equal(audited[0].actor, `user:${admin.id}`)
    assert.deepInclude(audited[0].data, { from_version: 1, to_version: 2, backup_table: null })

    const required = await changes(client, name, {
      changes: [{ op: 'add_field', name: 'coach', field: { type: 'string', required: true } }],
    })
    required.assertStatus(422)
    assert.equal(required.body().error.code, 'ERR_COLLECTION_CHANGE_REFUSED')
    const refused = required.body().error.details.plan.steps[0]
    assert.deepInclude(refused.problems[0], {
      code: 'required_without_default',
      rows: 2,
      blocking: true,
    })
    assert.notProperty(await columns(name), 'coach')
  })

  test('rename_field keeps the values, and the views, forms and automations naming the field follow', async ({
    client,
    assert,
  }) => {
    const { name, ids } = await signups(client, [{ student: 'Ada', kit: 'M' }])
    const design = await inTenant(tenant, async (trx) => {
      const [view] = await trx
        .insertQuery()
        .table('collection_views')
        .insert({
          collection: name,
          name: 'By kit',
          kind: 'list',
          config: JSON.stringify({
            fields: ['student', 'kit'],
            sort: '-kit,student',
            filters: { kit: { eq: 'M' } },
          }),
        })
        .returning('id')
      const [form] = await trx
        .insertQuery()
        .table('collection_forms')
        .insert({
          collection: name,
          slug: `join-${name}`,
          title: 'Join',
          sections: JSON.stringify([
            {
              title: 'You',
              fields: [
                { name: 'student' },
                { name: 'kit', show_if: { field: 'kit', equals: 'M' } },
              ],
            },
          ]),
        })
        .returning('id')
      const [automation] = await trx
        .insertQuery()
        .table('collection_automations')
        .insert({
          collection: name,
          name: 'Tell the coach',
          trigger: JSON.stringify({ on: 'update', field: 'kit' }),
          action: JSON.stringify({
            type: 'notify',
            to: { role: 'Teacher' },
            title: 'Kit {{ kit }}',
            body: '{{student}} needs {{kit}}',
          }),
        })
        .returning('id')
      return {
        view: view.id ?? view,
        form: form.id ?? form,
        automation: automation.id ?? automation,
      }
    })

    const dry = await changes(client, name, {
      changes: [{ op: 'rename_field', from: 'kit', to: 'kit_size' }],
      dry_run: true,
    })
    dry.assertStatus(200)
    assert.deepEqual(kinds(dry.body().data.steps), ['rename_field:kit:rename_column'])
    assert.deepEqual(codes(dry.body().data.steps[0]), ['renamed_in'])
    assert.include(dry.body().data.steps[0].problems[0].message, 'view "By kit"')

    const applied = await changes(client, name, {
      changes: [{ op: 'rename_field', from: 'kit', to: 'kit_size' }],
    })
    applied.assertStatus(200)
    const shown = await record(client, name, ids[0])
    assert.equal(shown.kit_size, 'M')
    assert.notProperty(shown, 'kit')
    const filtered = await api(client, tenant, admin.token).get(
      `collections/${name}?filter[kit_size]=M`
    )
    filtered.assertStatus(200)
    assert.lengthOf(filtered.body().data, 1)
    const stale = await api(client, tenant, admin.token).get(`collections/${name}?filter[kit]=M`)
    stale.assertStatus(400)

    const after = await inTenant(tenant, async (trx) => ({
      view: await trx.from('collection_views').where('id', design.view).first(),
      form: await trx.from('collection_forms').where('id', design.form).first(),
      automation: await trx.from('collection_automations').where('id', design.automation).first(),
    }))
    assert.deepEqual(after.view.config, {
      fields: ['student', 'kit_size'],
      sort: '-kit_size,student',
      filters: { kit_size: { eq: 'M' } },
    })
    assert.deepEqual(after.form.sections[0].fields, [
      { name: 'student' },
      { name: 'kit_size', show_if: { field: 'kit_size', equals: 'M' } },
    ])
    assert.deepEqual(after.automation.trigger, { on: 'update', field: 'kit_size' })
    assert.equal(after.automation.action.title, 'Kit {{kit_size}}')
    assert.equal(after.automation.action.body, '{{student}} needs {{kit_size}}')
  })

  test('remove_field needs confirmation; confirmed, the values are kept in colbak_<name>_v<version> and the change is recorded', async ({
    client,
    assert,
  }) => {
    const { name, ids } = await signups(client, [
      { student: 'Ada', kit: 'M' },
      { student: 'Ben', kit: 'L' },
      { student: 'Cy' },
    ])
    await inTenant(tenant, (trx) =>
      trx
        .insertQuery()
        .table('collection_views')
        .insert({
          collection: name,
          name: 'Kit list',
          kind: 'list',
          config: JSON.stringify({ fields: ['student', 'kit'] }),
        })
    )
    const body = { changes: [{ op: 'remove_field', name: 'kit' }] }
    const unconfirmed = await changes(client, name, body)
    unconfirmed.assertStatus(409)
    assert.equal(unconfirmed.body().error.code, 'ERR_COLLECTION_CHANGE_UNCONFIRMED')
    const step = unconfirmed.body().error.details.plan.steps[0]
    assert.deepInclude(step, {
      op: 'remove_field',
      field: 'kit',
      sql_kind: 'drop_column',
      destructive: true,
      affected_rows: 2,
    })
    assert.deepEqual(codes(step), ['used_by'])
    assert.include(step.problems[0].message, 'view "Kit list"')
    assert.property(await columns(name), 'kit')
    assert.equal((await collection(client, name)).version, 1)

    const confirmed = await changes(client, name, { ...body, confirm: true })
    confirmed.assertStatus(200)
    const backup = `colbak_${name}_v1`
    assert.deepInclude(confirmed.body().data, { applied: true, version: 2, backup_table: backup })
    assert.notProperty(await columns(name), 'kit')
    assert.notProperty((await collection(client, name)).definition.fields, 'kit')
    const kept = await inTenant(
      tenant,
      async (trx) => (await trx.rawQuery(`SELECT * FROM "${backup}" ORDER BY id`)).rows
    )
    assert.deepEqual(
      kept.map((row: any) => ({ ...row, id: String(row.id) })),
      [
        { id: ids[0], kit: 'M' },
        { id: ids[1], kit: 'L' },
        { id: ids[2], kit: null },
      ]
    )
    const [change] = await history(name)
    assert.deepInclude(change, {
      destructive: true,
      backup_table: backup,
      from_version: 1,
      to_version: 2,
    })
    assert.notProperty(await record(client, name, ids[0]), 'kit')
  })

  test('change_field type: values that do not convert are counted and refuse the plan; on_invalid "null" (confirmed) empties them, the backup keeps them', async ({
    client,
    assert,
  }) => {
    const { name, ids } = await signups(client, [
      { student: 'Ada', age: '12' },
      { student: 'Ben', age: '-3' },
      { student: 'Cy', age: 'twelve' },
      { student: 'Di', age: '12.5' },
      { student: 'Ed' },
    ])
    const change = { op: 'change_field', name: 'age', field: { type: 'integer', min: 0 } }
    const refused = await changes(client, name, { changes: [change], confirm: true })
    refused.assertStatus(422)
    assert.equal(refused.body().error.code, 'ERR_COLLECTION_CHANGE_REFUSED')
    const [typeStep] = refused.body().error.details.plan.steps
    assert.deepInclude(typeStep, { sql_kind: 'alter_type', destructive: true, affected_rows: 2 })
    assert.deepInclude(typeStep.problems[0], { code: 'values_do_not_fit', rows: 2, blocking: true })
    assert.equal((await columns(name)).age, 'text:YES')

    const dry = await changes(client, name, {
      changes: [{ ...change, on_invalid: 'null' }],
      dry_run: true,
    })
    dry.assertStatus(200)
    assert.deepInclude(dry.body().data, { applicable: true, destructive: true })
    // The new min bounds the stored -3: kept as it is, and said so.
    assert.deepEqual(kinds(dry.body().data.steps), [
      'change_field:age:alter_type',
      'change_field:age:metadata',
    ])
    assert.deepInclude(dry.body().data.steps[1].problems[0], { code: 'out_of_range', rows: 1 })

    const unconfirmed = await changes(client, name, {
      changes: [{ ...change, on_invalid: 'null' }],
    })
    unconfirmed.assertStatus(409)
    assert.equal(unconfirmed.body().error.code, 'ERR_COLLECTION_CHANGE_UNCONFIRMED')

    const applied = await changes(client, name, {
      changes: [{ ...change, on_invalid: 'null' }],
      confirm: true,
      expected_version: 1,
    })
    applied.assertStatus(200)
    assert.equal((await columns(name)).age, 'integer:YES')
    const ages = []
    for (const id of ids) ages.push((await record(client, name, id)).age)
    assert.deepEqual(ages, [12, -3, null, null, null])
    const kept = await inTenant(
      tenant,
      async (trx) =>
        (
          await trx.rawQuery(
            `SELECT id, age FROM "${applied.body().data.backup_table}" ORDER BY id`
          )
        ).rows
    )
    assert.deepEqual(
      kept.map((row: any) => row.age),
      ['12', '-3', 'twelve', '12.5', null]
    )
  })

  test('required, unique and enum values: NULLs, duplicates and used values are counted; a default resolves NULLs; metadata changes touch no table', async ({
    client,
    assert,
  }) => {
    const { name, ids } = await signups(client, [
      { student: 'Ada', kit: 'M', level: 'club' },
      { student: 'Ben', kit: 'M', level: 'team' },
      { student: 'Cy', level: 'team' },
    ])
    const plan = await changes(client, name, {
      dry_run: true,
      changes: [
        { op: 'change_field', name: 'kit', field: { required: true, unique: true } },
        { op: 'change_field', name: 'level', field: { values: ['beginner', 'club'] } },
        {
          op: 'change_field',
          name: 'student',
          field: { label: 'Student', description: 'Full name' },
        },
      ],
    })
    plan.assertStatus(200)
    const steps: Step[] = plan.body().data.steps
    assert.deepEqual(kinds(steps), [
      'change_field:kit:set_not_null',
      'change_field:kit:add_unique',
      'change_field:level:replace_check',
      'change_field:student:metadata',
    ])
    assert.deepInclude(steps[0].problems[0], { code: 'empty_values', rows: 1, blocking: true })
    assert.deepInclude(steps[1].problems[0], { code: 'duplicates', rows: 2, blocking: true })
    assert.deepInclude(steps[2], { destructive: true, affected_rows: 2 })
    assert.deepInclude(steps[2].problems[0], { code: 'values_do_not_fit', rows: 2, blocking: true })
    assert.deepInclude(steps[3], { destructive: false, affected_rows: 0 })
    assert.deepEqual(steps[3].sql, [])
    assert.isFalse(plan.body().data.applicable)

    // A default fills the empty kit; the removed level's records become the default.
    const applied = await changes(client, name, {
      confirm: true,
      changes: [
        { op: 'change_field', name: 'kit', field: { required: true, default: 'S' } },
        {
          op: 'change_field',
          name: 'level',
          field: { values: ['beginner', 'club'], default: 'beginner' },
          on_invalid: 'default',
        },
        { op: 'change_field', name: 'student', field: { label: 'Student' } },
      ],
    })
    applied.assertStatus(200)
    assert.equal((await columns(name)).kit, 'character varying:NO')
    const shown = []
    for (const id of ids) {
      const row = await record(client, name, id)
      shown.push(`${row.kit}/${row.level}`)
    }
    assert.deepEqual(shown, ['M/club', 'M/beginner', 'S/beginner'])
    const refused = await api(client, tenant, admin.token).post(`collections/${name}`, {
      student: 'Di',
      level: 'team',
    })
    refused.assertStatus(400)
    assert.deepInclude(rules(refused), 'level:enum')
    const [backup] = await inTenant(
      tenant,
      async (trx) =>
        (
          await trx.rawQuery(
            `SELECT count(*)::int AS n, max(level) AS level FROM "colbak_${name}_v1"`
          )
        ).rows
    )
    assert.deepEqual(backup, { n: 3, level: 'team' })
    assert.equal((await collection(client, name)).definition.fields.student.label, 'Student')

    // With a type, the field is the whole new spec (as the web app's editor sends it).
    const replaced = await changes(client, name, {
      changes: [{ op: 'change_field', name: 'kit', field: { type: 'string', label: 'Kit size' } }],
    })
    replaced.assertStatus(200)
    assert.deepEqual(kinds(replaced.body().data.steps), [
      'change_field:kit:drop_default',
      'change_field:kit:drop_not_null',
      'change_field:kit:metadata',
    ])
    assert.deepEqual((await collection(client, name)).definition.fields.kit, {
      type: 'string',
      label: 'Kit size',
    })
    assert.equal((await columns(name)).kit, 'character varying:YES')
  })

  test('a change that fails in the database half-way leaves the definition, version, table and records as they were', async ({
    client,
    assert,
  }) => {
    // 2026-02-30 looks like a date to the plan's check; PostgreSQL refuses it when converting.
    const { name, ids } = await signups(client, [
      { student: 'Ada', joined_on: '2026-02-01' },
      { student: 'Ben', joined_on: '2026-02-30' },
    ])
    const before = await collection(client, name)
    const failed = await changes(client, name, {
      confirm: true,
      changes: [
        { op: 'add_field', name: 'paid', field: { type: 'boolean', default: false } },
        { op: 'remove_field', name: 'kit' },
        { op: 'change_field', name: 'joined_on', field: { type: 'date' } },
      ],
    })
    failed.assertStatus(422)
    assert.equal(failed.body().error.code, 'ERR_COLLECTION_CHANGE_FAILED')
    assert.deepInclude(failed.body().error.details, {
      step: 2,
      field: 'joined_on',
      sql_kind: 'alter_type',
    })
    const after = await collection(client, name)
    assert.equal(after.version, 1)
    assert.deepEqual(after.definition, before.definition)
    assert.deepInclude(await columns(name), { joined_on: 'text:YES', kit: 'character varying:YES' })
    assert.notProperty(await columns(name), 'paid')
    assert.lengthOf(await history(name), 0)
    const backups = await inTenant(
      tenant,
      async (trx) =>
        (await trx.rawQuery(`SELECT to_regclass(?) AS t`, [`colbak_${name}_v1`])).rows[0].t
    )
    assert.isNull(backups)
    assert.equal((await record(client, name, ids[1])).joined_on, '2026-02-30')
  })

  test('two applies at once against the same version: one is applied, the other answers 409', async ({
    client,
    assert,
  }) => {
    const { name } = await signups(client, [{ student: 'Ada' }])
    const add = (field: string) =>
      changes(client, name, {
        expected_version: 1,
        changes: [{ op: 'add_field', name: field, field: { type: 'string' } }],
      })
    const answers = await Promise.all([add('first'), add('second')])
    assert.sameMembers(
      answers.map((a) => a.status()),
      [200, 409]
    )
    const lost = answers.find((a) => a.status() === 409)!
    assert.equal(lost.body().error.code, 'ERR_COLLECTION_CHANGE_CONFLICT')
    const stored = await collection(client, name)
    assert.equal(stored.version, 2)
    const added = ['first', 'second'].filter((field) => field in stored.definition.fields)
    assert.lengthOf(added, 1)
    assert.lengthOf(await history(name), 1)

    const stale = await add('third')
    stale.assertStatus(409)
    assert.deepInclude(stale.body().error.details, { version: 2, expected_version: 1 })

    // While another transaction holds the collection (a change being applied), a change answers at once.
    const held = await inTenant(tenant, async (trx) => {
      await trx.from('collections').where('name', name).forUpdate()
      return changes(client, name, {
        changes: [{ op: 'add_field', name: 'third', field: { type: 'string' } }],
      })
    })
    held.assertStatus(409)
    assert.equal(held.body().error.code, 'ERR_COLLECTION_CHANGE_CONFLICT')
    assert.include(held.body().error.message, 'being applied')
    assert.equal((await collection(client, name)).version, 2)
  })

  test('bad requests answer 4xx with a stable code and change nothing', async ({
    client,
    assert,
  }) => {
    const { name } = await signups(client, [{ student: 'Ada' }])
    const cases: Array<[object, number, string, string[]]> = [
      [{}, 400, 'ERR_VALIDATION', ['changes:required']],
      [{ changes: [] }, 400, 'ERR_VALIDATION', ['changes:array.minLength']],
      [{ changes: [{ op: 'drop_table' }] }, 400, 'ERR_VALIDATION', ['changes.0.op:enum']],
      [
        { changes: [{ op: 'remove_field', name: 'nope' }] },
        400,
        'ERR_VALIDATION',
        ['changes.0.name:unknown_field'],
      ],
      [
        { changes: [{ op: 'add_field', name: 'kit', field: { type: 'string' } }] },
        400,
        'ERR_VALIDATION',
        ['changes.0.name:exists'],
      ],
      [
        { changes: [{ op: 'add_field', name: 'colour', field: { type: 'colour' } }] },
        400,
        'ERR_VALIDATION',
        ['changes.0.field.type:enum'],
      ],
      [
        { changes: [{ op: 'add_field', name: 'Bad Name', field: { type: 'string' } }] },
        400,
        'ERR_VALIDATION',
        ['changes.0.name:regex'],
      ],
      [
        { changes: [{ op: 'add_field', name: '__proto__', field: { type: 'string' } }] },
        400,
        'ERR_VALIDATION',
        ['changes.0.name:regex'],
      ],
      [
        { changes: [{ op: 'remove_field', name: 'constructor' }] },
        400,
        'ERR_VALIDATION',
        ['changes.0.name:unknown_field'],
      ],
      [
        { changes: [{ op: 'rename_field', from: 'kit', to: 'id' }] },
        400,
        'ERR_VALIDATION',
        ['changes.0.to:reserved'],
      ],
      [
        {
          changes: [
            { op: 'rename_field', from: 'kit', to: 'size' },
            { op: 'remove_field', name: 'size' },
          ],
        },
        400,
        'ERR_VALIDATION',
        ['changes.1.name:once'],
      ],
      [
        { changes: [{ op: 'remove_field', name: 'kit', field: {} }] },
        400,
        'ERR_VALIDATION',
        ['changes.0.field:not_allowed'],
      ],
      [
        { changes: [{ op: 'change_field', name: 'level', field: { values: [] } }] },
        400,
        'ERR_VALIDATION',
        ['changes.0.field.values:values'],
      ],
      [
        { changes: [{ op: 'remove_field', name: 'student' }], dry_run: 'yes' },
        400,
        'ERR_VALIDATION',
        ['dry_run:boolean'],
      ],
      [
        { changes: [{ op: 'remove_field', name: 'kit' }], expected_version: 7 },
        409,
        'ERR_COLLECTION_CHANGE_CONFLICT',
        [],
      ],
    ]
    for (const [body, status, code, expected] of cases) {
      const response = await changes(client, name, body)
      assert.equal(response.status(), status, `${JSON.stringify(body)}: ${response.text()}`)
      assert.equal(response.body().error.code, code)
      assert.includeMembers(rules(response), expected, JSON.stringify(body))
    }
    const unsupported = await changes(client, name, {
      changes: [
        { op: 'add_field', name: 'coach_id', field: { type: 'reference', target: 'core.users' } },
      ],
    })
    unsupported.assertStatus(200)
    const toNumber = await changes(client, name, {
      changes: [{ op: 'change_field', name: 'coach_id', field: { type: 'integer' } }],
      confirm: true,
    })
    toNumber.assertStatus(422)
    assert.equal(
      toNumber.body().error.details.plan.steps[0].problems[0].code,
      'unsupported_conversion'
    )

    const missing = await changes(client, 'no_such_collection', {
      changes: [{ op: 'remove_field', name: 'kit' }],
    })
    missing.assertStatus(404)
    assert.equal(missing.body().error.code, 'ERR_COLLECTION_NOT_FOUND')
    const noHistory = await api(client, tenant, admin.token).get(
      'admin/collections/no_such_collection/changes'
    )
    noHistory.assertStatus(404)

    const teacher = await signIn(client, tenant, 'Teacher')
    const forbidden = await api(client, tenant, teacher.token).post(
      `admin/collections/${name}/changes`,
      {
        changes: [{ op: 'remove_field', name: 'kit' }],
        confirm: true,
      }
    )
    forbidden.assertStatus(403)
    assert.equal(forbidden.body().error.code, 'ERR_FORBIDDEN')
    assert.equal((await collection(client, name)).version, 2)
    assert.property(await columns(name), 'kit')
  })

  test('after changes, the table is the one a collection created with the final definition gets: columns, defaults, constraints and indexes', async ({
    client,
    assert,
  }) => {
    const { name } = await signups(client, [{ student: 'Ada', age: '12', kit: 'M' }])
    const steps = [
      [
        { op: 'add_field', name: 'serial', field: { type: 'string', unique: true, max: 20 } },
        {
          op: 'add_field',
          name: 'paid',
          field: { type: 'boolean', required: true, default: false },
        },
        { op: 'add_field', name: 'fee', field: { type: 'decimal', default: 12.5, index: true } },
        {
          op: 'add_field',
          name: 'coach_id',
          field: { type: 'reference', target: 'core.users', on_delete: 'set null' },
        },
        { op: 'change_field', name: 'age', field: { type: 'integer' } },
        {
          op: 'change_field',
          name: 'level',
          field: { values: ['beginner', 'club', 'team', 'staff'], default: 'club' },
        },
        { op: 'change_field', name: 'kit', field: { required: true, default: 'S', index: true } },
        { op: 'change_field', name: 'student', field: { search: true } },
        { op: 'add_field', name: 'notes', field: { type: 'text', search: true } },
      ],
      [
        { op: 'rename_field', from: 'serial', to: 'code' },
        { op: 'rename_field', from: 'kit', to: 'kit_size' },
        { op: 'rename_field', from: 'level', to: 'grade' },
        { op: 'change_field', name: 'coach_id', field: { on_delete: 'cascade' } },
        { op: 'remove_field', name: 'joined_on' },
        { op: 'rename_field', from: 'student', to: 'pupil' },
        { op: 'change_field', name: 'notes', field: { type: 'string', max: 500, search: true } },
      ],
    ]
    for (const batch of steps) {
      const applied = await changes(client, name, { changes: batch, confirm: true })
      assert.equal(applied.status(), 200, applied.text())
    }
    const final = (await collection(client, name)).definition
    const twin = `${name}_twin`
    ;(
      await api(client, tenant, admin.token).post('admin/collections', {
        name: twin,
        definition: final,
      })
    ).assertStatus(201)

    const structure = (collectionName: string) =>
      inTenant(tenant, async (trx) => {
        const table = `col_${collectionName}`
        const neutral = (text: unknown) => String(text ?? '').replaceAll(table, 'T')
        const rows = async (sql: string, bindings: unknown[]) =>
          (await trx.rawQuery(sql, bindings)).rows.map((row: any) =>
            Object.values(row).map(neutral).join(' | ')
          )
        return {
          columns: (
            await rows(
              `SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable, column_default
                 FROM information_schema.columns WHERE table_schema = ? AND table_name = ?`,
              [tenant.schema_name, table]
            )
          ).sort(),
          constraints: (
            await rows(
              `SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = to_regclass(?)`,
              [`"${table}"`]
            )
          ).sort(),
          indexes: (
            await rows(
              `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = ? AND tablename = ?`,
              [tenant.schema_name, table]
            )
          ).sort(),
        }
      })
    const changed = await structure(name)
    assert.deepEqual(changed, await structure(twin))
    assert.includeMembers(
      changed.indexes.map((index: string) => index.split(' | ')[0]),
      ['T_search_fts', 'T_search_trgm']
    )
    assert.includeMembers(changed.constraints, [
      'T_code_unique | u | UNIQUE (code)',
      'T_coach_id_foreign | f | FOREIGN KEY (coach_id) REFERENCES users(id) ON DELETE CASCADE',
    ])
  })

  test("a change to searched fields rebuilds the collection's search index; other changes leave it", async ({
    client,
    assert,
  }) => {
    const { name } = await signups(client, [{ student: 'Ada', kit: 'M' }])
    const rebuilt: string[][] = []
    const recorder: SearchDriver = {
      kind: 'typesense',
      search: async () => ({ hits: [], total: 0 }),
      reindex: async (model: ResourceModel) => {
        rebuilt.push([model.key, ...model.searchFields.map((field) => field.name).sort()])
        return { indexed: 1 }
      },
      sync: async () => ({ indexed: 0, removed: 0 }),
    }
    const standard = await searchDriver()
    app.container.bindValue('oryne.search', recorder)
    try {
      const apply = async (change: object) => {
        const response = await changes(client, name, { changes: [change], confirm: true })
        assert.equal(response.status(), 200, response.text())
      }
      await apply({ op: 'change_field', name: 'kit', field: { label: 'Kit' } })
      assert.deepEqual(rebuilt, [])
      await apply({ op: 'change_field', name: 'student', field: { search: true } })
      await apply({ op: 'rename_field', from: 'student', to: 'pupil' })
      await apply({ op: 'add_field', name: 'notes', field: { type: 'text', search: true } })
      await apply({ op: 'change_field', name: 'age', field: { type: 'integer' } })
      assert.deepEqual(rebuilt, [
        [`collections.${name}`, 'student'],
        [`collections.${name}`, 'pupil'],
        [`collections.${name}`, 'notes', 'pupil'],
      ])
    } finally {
      app.container.bindValue('oryne.search', standard)
    }
  })

  test('the owner rule, the fields quota and the tenant bound a change', async ({
    client,
    assert,
  }) => {
    const name = `owned_${++counter}`
    ;(
      await api(client, tenant, admin.token).post('admin/collections', {
        name,
        definition: {
          fields: {
            title: { type: 'string' },
            owner_id: { type: 'reference', target: 'core.users' },
          },
          owner: { field: 'owner_id', roles: ['Student'] },
        },
      })
    ).assertStatus(201)
    const removal = await changes(client, name, {
      changes: [{ op: 'remove_field', name: 'owner_id' }],
      confirm: true,
    })
    removal.assertStatus(400)
    assert.deepEqual(rules(removal), ['changes.0.name:owner_field'])
    const renamed = await changes(client, name, {
      changes: [{ op: 'rename_field', from: 'owner_id', to: 'student_id' }],
    })
    renamed.assertStatus(200)
    assert.deepEqual((await collection(client, name)).definition.owner, {
      field: 'student_id',
      roles: ['Student'],
    })

    const limit = process.env.ORYNE_COLLECTION_FIELDS_MAX
    process.env.ORYNE_COLLECTION_FIELDS_MAX = '2'
    try {
      const over = await changes(client, name, {
        changes: [{ op: 'add_field', name: 'notes', field: { type: 'text' } }],
      })
      over.assertStatus(422)
      assert.equal(over.body().error.code, 'ERR_COLLECTION_QUOTA')
      const within = await changes(client, name, {
        changes: [{ op: 'change_field', name: 'title', field: { required: false } }],
      })
      within.assertStatus(200)
    } finally {
      if (limit === undefined) delete process.env.ORYNE_COLLECTION_FIELDS_MAX
      else process.env.ORYNE_COLLECTION_FIELDS_MAX = limit
    }

    const other = await activeTenant()
    const { ApiClient } = await import('@japa/api-client')
    const stranger = await signIn(
      new ApiClient(`http://${process.env.HOST}:${process.env.PORT}`),
      other,
      'TenantAdmin'
    )
    const theirs = api(client, other, stranger.token)
    const foreign = await theirs.post(`admin/collections/${name}/changes`, {
      changes: [{ op: 'remove_field', name: 'title' }],
      confirm: true,
    })
    foreign.assertStatus(404)
    assert.equal(foreign.body().error.code, 'ERR_COLLECTION_NOT_FOUND')
    ;(await theirs.get(`admin/collections/${name}/changes`)).assertStatus(404)
    assert.property((await collection(client, name)).definition.fields, 'title')
    assert.lengthOf(await history(name), 2)
  })

  test('each kind of conversion: what fits converts, what changes on the way is counted, the rest follows on_invalid', async ({
    client,
    assert,
  }) => {
    const name = `kinds_${++counter}`
    const adminApi = api(client, tenant, admin.token)
    ;(
      await adminApi.post('admin/collections', {
        name,
        definition: {
          fields: {
            count: { type: 'string' },
            price: { type: 'decimal' },
            seen_at: { type: 'datetime' },
            ok: { type: 'boolean' },
            extra: { type: 'json' },
            size: { type: 'enum', values: ['s', 'm'] },
            pages: { type: 'integer' },
            flag: { type: 'text' },
            when: { type: 'text' },
          },
        },
      })
    ).assertStatus(201)
    const rows = [
      {
        count: '42',
        price: 2.5,
        seen_at: '2026-03-01T10:30:00Z',
        ok: true,
        extra: { a: 1 },
        size: 's',
        pages: 7,
        flag: 'yes',
        when: '2026-03-01T08:00:00Z',
      },
      {
        count: 'many',
        price: 3,
        seen_at: '2026-03-02T00:00:00Z',
        ok: false,
        extra: 'plain',
        size: 'm',
        pages: 12345,
        flag: 'maybe',
        when: 'soon',
      },
    ]
    const ids: string[] = []
    for (const row of rows) {
      const response = await adminApi.post(`collections/${name}`, row)
      assert.equal(response.status(), 201, response.text())
      ids.push(response.body().data.id)
    }
    const body = {
      confirm: true,
      changes: [
        { op: 'change_field', name: 'count', field: { type: 'integer' }, on_invalid: 'null' },
        { op: 'change_field', name: 'price', field: { type: 'integer' } },
        { op: 'change_field', name: 'seen_at', field: { type: 'date' } },
        { op: 'change_field', name: 'ok', field: { type: 'string' } },
        { op: 'change_field', name: 'extra', field: { type: 'text' } },
        { op: 'change_field', name: 'size', field: { type: 'string', max: 1 } },
        {
          op: 'change_field',
          name: 'pages',
          field: { type: 'string', max: 3 },
          on_invalid: 'null',
        },
        { op: 'change_field', name: 'flag', field: { type: 'boolean' }, on_invalid: 'null' },
        { op: 'change_field', name: 'when', field: { type: 'datetime' }, on_invalid: 'null' },
      ],
    }
    const dry = await changes(client, name, { ...body, dry_run: true })
    dry.assertStatus(200)
    const affected = Object.fromEntries(
      dry.body().data.steps.map((s: Step) => [s.field, [s.affected_rows, s.destructive]])
    )
    assert.deepEqual(affected, {
      count: [1, true],
      price: [1, true],
      seen_at: [1, true],
      ok: [0, false],
      extra: [0, false],
      size: [0, false],
      pages: [1, true],
      flag: [1, true],
      when: [1, true],
    })
    const applied = await changes(client, name, body)
    assert.equal(applied.status(), 200, applied.text())
    const read = async (id: string) => {
      const shown = await record(client, name, id)
      return Object.fromEntries(Object.keys(rows[0]).map((field) => [field, shown[field]]))
    }
    assert.deepEqual(await read(ids[0]), {
      count: 42,
      price: 3,
      seen_at: '2026-03-01',
      ok: 'true',
      extra: '{"a": 1}',
      size: 's',
      pages: '7',
      flag: true,
      when: '2026-03-01T08:00:00.000Z',
    })
    assert.deepEqual(await read(ids[1]), {
      count: null,
      price: 3,
      seen_at: '2026-03-02',
      ok: 'false',
      extra: 'plain',
      size: 'm',
      pages: null,
      flag: null,
      when: null,
    })
  })
})
