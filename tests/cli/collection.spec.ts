import { test } from '@japa/runner'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { collectionRecords, SYSTEM_PRINCIPAL } from '#core/collections/records'
import { tenantContext } from '#core/tenancy/context'
import type { Tenant } from '#core/tenancy/types'
import { runOryne, runOryneProcess, type CliResult } from '#tests/support/cli'
import { activeTenant } from '#tests/support/tenants'

/*
 * `oryne collection list|export|import --tenant`: a collection's design as a
 * template file, moved between institutions by a platform operator. The
 * commands run in this process (the last export as a real one).
 */

const dir = await mkdtemp(join(tmpdir(), 'oryne-collection-cli-'))

/** A volunteer rota, written by hand as an operator would: a board and a form come along. */
const ROTA = {
  oryne_collection_template: 1,
  name: 'volunteer_rota',
  label: 'Parents’ volunteer rota',
  description: 'Who helps when',
  definition: {
    fields: {
      parent_name: { type: 'string', required: true, max: 120, search: true },
      shift: { type: 'enum', values: ['morning', 'afternoon'], required: true },
      day: { type: 'date' },
    },
    title: 'parent_name',
  },
  views: [{ name: 'Shifts', kind: 'board', config: { group_by: 'shift' }, position: 0 }],
  forms: [
    {
      slug: 'volunteer',
      title: 'Volunteer for a shift',
      description: null,
      sections: [{ title: 'You', fields: [{ name: 'parent_name' }, { name: 'shift' }] }],
      public: false,
      settings: {},
    },
  ],
  automations: [],
}

async function json(result: CliResult) {
  try {
    return { ...result, body: JSON.parse(result.stdout) }
  } catch {
    throw new Error(`no JSON printed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
  }
}

const oryne = (...args: string[]) => runOryne(['collection', ...args])
const oryneJson = async (...args: string[]) => json(await oryne(...args, '--json'))

async function addRecord(tenant: Tenant, name: string, body: Record<string, unknown>) {
  await tenantContext.run(tenant, () =>
    collectionRecords.create(name, body, { principal: SYSTEM_PRINCIPAL })
  )
}

test.group('oryne collection', (group) => {
  let school: Tenant
  let other: Tenant
  const rotaFile = join(dir, 'rota.json')
  group.setup(async () => {
    ;[school, other] = await Promise.all([activeTenant(), activeTenant()])
    await writeFile(rotaFile, JSON.stringify(ROTA))
  })
  group.teardown(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('import a template file, list, export it and import the export elsewhere under a new name', async ({
    assert,
  }) => {
    const empty = await oryne('list', '--tenant', school.slug)
    assert.equal(empty.code, 0, empty.stderr)
    assert.include(empty.stdout, 'has no collections')

    const imported = await oryneJson('import', rotaFile, '--tenant', school.slug)
    assert.equal(imported.code, 0, imported.stdout)
    assert.include(imported.body, { ok: true, views: 1, automations: 0 })
    assert.equal(imported.body.collection.name, 'volunteer_rota')
    assert.match(imported.body.collection.created_by, /^cli:/)
    assert.deepEqual(imported.body.forms, [{ slug: 'volunteer', template_slug: 'volunteer' }])
    await addRecord(school, 'volunteer_rota', { parent_name: 'Mrs Okafor', shift: 'morning' })
    await addRecord(school, 'volunteer_rota', { parent_name: 'Mr Lind', shift: 'afternoon' })

    const listed = await oryneJson('list', '--tenant', school.slug)
    assert.equal(listed.code, 0)
    assert.deepEqual(listed.body.collections, [
      {
        name: 'volunteer_rota',
        label: 'Parents’ volunteer rota',
        description: 'Who helps when',
        version: 1,
        fields: 3,
        records: 2,
        views: 1,
        forms: 1,
        automations: 0,
      },
    ])
    // `oryne search reindex` covers the tenant's collections beside its plugins' resources.
    const reindexed = await json(
      await runOryne(['search', 'reindex', '--tenant', school.slug, '--json'])
    )
    assert.deepEqual(reindexed.body.tenants, [
      { tenant: school.slug, resources: [{ resource: 'collections.volunteer_rota', indexed: 0 }] },
    ])
    const one = await runOryne(['search', 'reindex', '--resource', 'collections.volunteer_rota'])
    assert.match(one.stdout, /Nothing to do.*\(1 searchable resource\(s\) in \d+ tenant\(s\)\)/)
    const none = await json(
      await runOryne(['search', 'reindex', '--resource', 'collections.nothing', '--json'])
    )
    assert.equal(none.body.error.code, 'ERR_RESOURCE_NOT_FOUND')

    const table = await oryne('list', '--tenant', school.slug)
    assert.match(table.stdout, /volunteer_rota .*Parents’ volunteer rota .*3 .*2 .*1 .*1 .*0/)

    // To a file, then into another school under another name: a design, no records.
    const out = join(dir, 'exported.json')
    const exported = await oryne('export', 'volunteer_rota', '--tenant', school.slug, '--out', out)
    assert.equal(exported.code, 0, exported.stderr)
    assert.equal(exported.stdout, '')
    const template = JSON.parse(await readFile(out, 'utf8'))
    assert.deepEqual(template, ROTA)
    assert.notInclude(JSON.stringify(template), 'Okafor')

    const copied = await oryne('import', out, '--tenant', other.slug, '--name', 'rota_2027')
    assert.equal(copied.code, 0, copied.stderr)
    assert.include(copied.stdout, `Created collection rota_2027 in ${other.slug}`)
    const there = await oryneJson('list', '--tenant', other.slug)
    assert.deepEqual(
      there.body.collections.map((c: any) => [c.name, c.fields, c.records, c.views, c.forms]),
      [['rota_2027', 3, 0, 1, 1]]
    )

    // A real process prints the template on standard output by default.
    const printed = await runOryneProcess([
      'collection',
      'export',
      'rota_2027',
      '--tenant',
      other.slug,
    ])
    assert.equal(printed.code, 0, printed.stderr)
    assert.deepEqual(JSON.parse(printed.stdout), { ...ROTA, name: 'rota_2027' })
  }).timeout(120_000)

  test('failures exit 1 with their codes; usage errors exit 2', async ({ assert }) => {
    const taken = await oryneJson('import', rotaFile, '--tenant', school.slug)
    assert.equal(taken.code, 1)
    assert.equal(taken.body.error.code, 'ERR_COLLECTION_EXISTS')

    const missing = await oryneJson('export', 'no_such', '--tenant', school.slug)
    assert.equal(missing.code, 1)
    assert.equal(missing.body.error.code, 'ERR_COLLECTION_NOT_FOUND')

    const unknownTenant = await oryneJson('list', '--tenant', 'no-such-school')
    assert.equal(unknownTenant.code, 1)
    assert.equal(unknownTenant.body.error.code, 'ERR_TENANT_NOT_FOUND')

    const noFile = await oryneJson('import', join(dir, 'absent.json'), '--tenant', school.slug)
    assert.equal(noFile.code, 1)
    assert.equal(noFile.body.error.code, 'ERR_COLLECTION_TEMPLATE_FORMAT')
    assert.include(noFile.body.error.message, 'ENOENT')

    const notJson = join(dir, 'not.json')
    await writeFile(notJson, 'name: volunteer_rota\n')
    const garbled = await oryne('import', notJson, '--tenant', school.slug)
    assert.equal(garbled.code, 1)
    assert.include(garbled.stderr, 'Error [ERR_COLLECTION_TEMPLATE_FORMAT]')
    assert.include(garbled.stderr, 'Hint:')

    const newer = join(dir, 'newer.json')
    await writeFile(newer, JSON.stringify({ ...ROTA, oryne_collection_template: 2 }))
    const refused = await oryneJson('import', newer, '--tenant', other.slug, '--name', 'rota_x')
    assert.equal(refused.code, 1)
    assert.equal(refused.body.error.code, 'ERR_COLLECTION_TEMPLATE_FORMAT')

    const withoutTenant = await oryne('list')
    assert.equal(withoutTenant.code, 2)
    assert.include(withoutTenant.stderr, '--tenant')
    const withoutName = await oryne('export', '--tenant', school.slug)
    assert.equal(withoutName.code, 2)
  })
})
