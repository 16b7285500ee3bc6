import { test } from '@japa/runner'
import { addPerson, tenantApi, tenantDb, testTenant } from '@oryne/sdk/testing'

/*
 * The counselling fixture plugin declares its personal data on fields
 * (`personal: 'subject'`, `personal: true`, `privacy: { erase: 'delete' }`)
 * and has no privacy hook: core derives its part of a person's export and
 * erasure (tests/fixtures/plugins/counselling/plugin.ts).
 */
test.group('Personal data declared on fields', () => {
  test('a plugin without hooks exports the subject’s rows and erases them as declared', async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant({ plugins: ['counselling'] })
    const dpo = await addPerson(tenant, { email: 'dpo@counselling.example', roles: 'TenantAdmin' })
    const ada = await addPerson(tenant, { email: 'ada@counselling.example', roles: 'Student' })
    const bob = await addPerson(tenant, { email: 'bob@counselling.example', roles: 'Student' })
    const api = tenantApi(client, tenant, dpo.token)
    const made = async (path: string, body: object) => {
      const response = await api.post(`/counselling/${path}`, body)
      response.assertStatus(201)
      return response.body().data
    }
    const room = await made('rooms', { name: 'Quiet room' })
    const first = await made('sessions', {
      student_id: ada.id,
      counsellor_id: dpo.id,
      room_id: room.id,
      held_on: '2026-09-14',
      topic: 'Exam stress',
      notes: 'Sleeps badly before maths',
    })
    const second = await made('sessions', {
      student_id: ada.id,
      held_on: '2026-09-21',
      topic: 'Follow-up',
    })
    const theirs = await made('sessions', {
      student_id: bob.id,
      room_id: room.id,
      held_on: '2026-09-15',
      topic: 'Homesick',
      notes: 'Misses his dog',
    })
    await made('check_ins', { session_id: first.id, mood: 2 })
    await made('check_ins', { session_id: theirs.id, mood: 4 })

    const exported = await api.get(`/admin/users/${ada.id}/export`)
    exported.assertStatus(200)
    const mine = exported.body().data.plugins.counselling
    assert.deepEqual(Object.keys(mine).sort(), ['check_ins', 'sessions'])
    assert.deepEqual(
      mine.sessions.map((s: any) => [s.id, s.held_on, s.topic, s.notes, s.room]),
      [
        [first.id, '2026-09-14', 'Exam stress', 'Sleeps badly before maths', 'Quiet room'],
        [second.id, '2026-09-21', 'Follow-up', null, null],
      ]
    )
    // Another person's id (the counsellor) is not the subject's data.
    assert.notProperty(mine.sessions[0], 'counsellor_id')
    assert.deepEqual(
      mine.check_ins.map((c: any) => [c.session_id, c.mood, c.session]),
      [[first.id, 2, undefined]]
    )
    assert.notInclude(JSON.stringify(mine), 'Homesick')
    assert.notInclude(JSON.stringify(mine), 'dog')

    const erased = await api.post(`/admin/users/${ada.id}/erase`)
    erased.assertStatus(200)
    assert.deepEqual(erased.body().data.plugins.counselling, {
      check_ins_erased: 1,
      sessions_redacted: 2,
    })
    const left = () =>
      tenantDb(tenant, async (trx) => ({
        sessions: await trx
          .from('counselling_sessions')
          .orderBy('id')
          .select('student_id', 'topic', 'notes'),
        check_ins: await trx.from('counselling_check_ins').orderBy('id').select('session_id'),
      }))
    const afterErasure = await left()
    assert.deepEqual(afterErasure, {
      sessions: [
        { student_id: ada.id, topic: '(erased)', notes: null },
        { student_id: ada.id, topic: '(erased)', notes: null },
        { student_id: bob.id, topic: 'Homesick', notes: 'Misses his dog' },
      ],
      check_ins: [{ session_id: theirs.id }],
    })

    // Erasing again changes nothing and says so; the other student's export is whole.
    const again = await api.post(`/admin/users/${ada.id}/erase`)
    again.assertStatus(200)
    assert.deepEqual(again.body().data.plugins.counselling, {
      check_ins_erased: 0,
      sessions_redacted: 0,
    })
    assert.deepEqual(await left(), afterErasure)
    const bobs = (await api.get(`/admin/users/${bob.id}/export`)).body().data.plugins.counselling
    assert.deepEqual(
      bobs.sessions.map((s: any) => [s.topic, s.notes, s.room]),
      [['Homesick', 'Misses his dog', 'Quiet room']]
    )
    assert.deepEqual(
      bobs.check_ins.map((c: any) => c.mood),
      [4]
    )
  })
})
