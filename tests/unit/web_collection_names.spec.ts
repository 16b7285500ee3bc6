import { test } from '@japa/runner'
import { fieldNameOf, nameOf } from '../../web/src/pages/collections/names.js'

/*
 * The names the collection builder derives from a label (web/src/pages/collections/names.ts):
 * what the engine accepts (docs/collections.md, "The definition"), so an admin who only types
 * labels never meets a refusal about names.
 */

const FIELD_NAME = /^[a-z][a-z0-9_]{0,39}$/

test.group('Web app: collection builder names', () => {
  test('a label gives a snake_case name the engine accepts', ({ assert }) => {
    assert.equal(nameOf('Sports club sign-ups'), 'sports_club_sign_ups')
    assert.equal(fieldNameOf('Year group', 'integer'), 'year_group')
    assert.equal(fieldNameOf('2nd choice', 'string'), 'c_2nd_choice')
    assert.equal(fieldNameOf('Élève', 'string'), 'eleve')
    assert.equal(fieldNameOf('', 'string'), '')
  })

  test('a reference field is named with _id, once, within 40 characters', ({ assert }) => {
    assert.equal(fieldNameOf('Coach', 'reference'), 'coach_id')
    assert.equal(fieldNameOf('Coach id', 'reference'), 'coach_id')
    assert.equal(fieldNameOf('', 'reference'), '')
    const long = fieldNameOf(
      'The member of staff who looks after this club on Saturdays',
      'reference'
    )
    assert.match(long, FIELD_NAME)
    assert.isTrue(long.endsWith('_id'))
    assert.isAtMost(long.length, 40)
  })
})
