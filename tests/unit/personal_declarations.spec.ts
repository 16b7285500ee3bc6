import { test } from '@japa/runner'
import { defineResource, field, type PluginManifest } from '@oryne/sdk'
import { ResourceCatalog } from '#core/resources/catalog'

const manifest = (name: string, resources: PluginManifest['resources'], deps = {}) =>
  ({ name, version: '1.0.0', host: '^0.1.0', dependencies: deps, resources }) as PluginManifest

const people = manifest('people', [
  defineResource({
    name: 'pupils',
    fields: { user_id: field.reference('core.users', { personal: 'subject' }) },
  }),
  defineResource({ name: 'rooms', fields: { number: field.string() }, title: 'number' }),
])

test.group('Resources: personal-data declarations', () => {
  test('a catalog compiles subjects, personal values, titles and what erasure does', ({
    assert,
  }) => {
    const catalog = new ResourceCatalog([
      people,
      manifest(
        'care',
        [
          defineResource({
            name: 'visits',
            fields: {
              pupil_id: field.reference('people.pupils', { personal: 'subject' }),
              nurse_id: field.reference('core.users'),
              complaint: field.string({ required: true, personal: true }),
              notes: field.text({ personal: true }),
            },
            privacy: { erase: 'delete' },
          }),
        ],
        { people: '^1.0.0' }
      ),
    ])
    assert.deepEqual(catalog.problems, [])
    const visits = catalog.get('care.visits')!
    assert.deepEqual(
      visits.personal.subjects.map((subject) => [subject.field.name, subject.target]),
      [['pupil_id', 'people.pupils']]
    )
    assert.deepEqual(
      visits.personal.values.map((value) => value.name),
      ['complaint', 'notes']
    )
    assert.equal(visits.personal.erase, 'delete')
    assert.equal(catalog.get('people.rooms')!.title?.name, 'number')
    assert.equal(catalog.get('people.pupils')!.personal.erase, 'redact')
  })

  test('declarations core could not honour keep the plugin’s resources from being served', ({
    assert,
  }) => {
    const catalog = new ResourceCatalog([
      people,
      manifest(
        'broken-care',
        [
          defineResource({
            name: 'visits',
            fields: {
              // rooms has no subject of its own: whose row would this be?
              room_id: field.reference('people.rooms', { personal: 'subject' }),
              minutes: field.integer({ personal: 'subject' }),
              weight: field.integer({ required: true, personal: true }),
              mood: field.string({ personal: 'yes' as any }),
            },
            title: 'nickname',
            privacy: { erase: 'shred' as any },
          }),
        ],
        { people: '^1.0.0' }
      ),
    ])
    assert.deepEqual(
      catalog.problems.map((problem) => problem.problem),
      [
        "resources.visits.fields.room_id.personal: people.rooms has no personal: 'subject' field to follow",
        "resources.visits.fields.minutes.personal: 'subject' marks a reference (to core.users or a resource with a subject)",
        'resources.visits.fields.weight.personal: a required integer cannot be emptied on erasure',
        "resources.visits.fields.mood.personal: must be true or 'subject'",
        'resources.visits.title: unknown field "nickname"',
        "resources.visits.privacy.erase: must be 'redact' or 'delete'",
      ]
    )
    assert.isUndefined(catalog.get('broken-care.visits'))
  })
})
