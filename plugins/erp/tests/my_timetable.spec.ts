import { test } from '@japa/runner'
import { created, ok, openSchool } from '@oryne/sdk/testing'

/*
 * GET /api/v1/erp/timetable/mine: the web app's "my timetable". A teacher gets
 * their own classes (with a substitution they cover, without one they hand
 * over), a student their section's, anyone else nothing; never another's.
 */

async function school(client: Parameters<typeof openSchool>[0]) {
  const s = await openSchool(client, {
    plugins: ['erp'],
    people: {
      head: 'TenantAdmin',
      teacher: 'Teacher',
      substitute: 'Teacher',
      student: 'Student',
      parent: 'Parent',
      otherParent: 'Parent',
    },
  })
  const admin = s.as('head')
  const make = (resource: string, body: Record<string, unknown>) =>
    created(admin.post(`/erp/${resource}`).json(body))
  const grade = await make('classes', { name: 'Grade 5', grade_level: 5 })
  const [sectionA, sectionB] = [
    await make('sections', { class_id: grade.id, name: 'A' }),
    await make('sections', { class_id: grade.id, name: 'B' }),
  ]
  const grace = await make('teachers', {
    employee_no: 'T1',
    name: 'Grace Hopper',
    user_id: s.people.teacher.id,
  })
  const alan = await make('teachers', {
    employee_no: 'T2',
    name: 'Alan Turing',
    user_id: s.people.substitute.id,
  })
  const ada = await make('students', {
    enrollment_no: 'S1',
    first_name: 'Ada',
    last_name: 'Lovelace',
    class_id: grade.id,
    section_id: sectionA.id,
    user_id: s.people.student.id,
  })
  const room = await make('rooms', { name: 'Lab 1' })
  const [first, second] = [
    await make('periods', { name: 'First', position: 1, starts_at: '08:00', ends_at: '08:45' }),
    await make('periods', { name: 'Second', position: 2, starts_at: '09:00', ends_at: '09:45' }),
  ]
  const maths = await make('subjects', { code: 'MATH', name: 'Mathematics' })
  const art = await make('subjects', { code: 'ART', name: 'Art' })
  // Monday: Grace teaches 5A maths first (Lab 1), Alan 5B art second; Tuesday: Alan teaches 5A art.
  const mondayMaths = await make('timetable_slots', {
    weekday: 1,
    period_id: first.id,
    section_id: sectionA.id,
    teacher_id: grace.id,
    room_id: room.id,
    subject_id: maths.id,
  })
  await make('timetable_slots', {
    weekday: 1,
    period_id: second.id,
    section_id: sectionB.id,
    teacher_id: alan.id,
    subject_id: art.id,
  })
  await make('timetable_slots', {
    weekday: 2,
    period_id: first.id,
    section_id: sectionA.id,
    teacher_id: alan.id,
    subject_id: art.id,
  })
  return { s, mondayMaths, alan, ada }
}

const MONDAY = '2026-09-07'

test.group('ERP: my timetable (web app)', () => {
  test('a guardian gets their child’s timetable; another parent or a teacher gets a 404', async ({
    client,
    assert,
  }) => {
    const { s, ada } = await school(client)
    await created(
      s.as('head').post('/erp/guardians').json({
        student_id: ada.id,
        user_id: s.people.parent.id,
        name: 'Ms Lovelace',
      })
    )
    const child = await ok(
      s.as('parent').get(`/erp/timetable/mine?from=${MONDAY}&days=2&student_id=${ada.id}`)
    )
    assert.equal(child.as, 'student')
    assert.deepEqual(
      child.days.map((day: any) => day.slots.map((slot: any) => slot.subject)),
      [['Mathematics'], ['Art']]
    )
    for (const who of ['otherParent', 'teacher'] as const) {
      const response = await s.as(who).get(`/erp/timetable/mine?student_id=${ada.id}`)
      response.assertStatus(404)
      assert.equal(response.body().error.code, 'ERR_ERP_NOT_FOUND', who)
    }
    const own = await ok(s.as('student').get(`/erp/timetable/mine?student_id=${ada.id}`))
    assert.equal(own.as, 'student')
    const junk = await s.as('parent').get('/erp/timetable/mine?student_id=abc')
    junk.assertStatus(400)
  })

  test('a teacher gets their own classes with names, a student their section’s', async ({
    client,
    assert,
  }) => {
    const { s } = await school(client)
    const teacher = await ok(s.as('teacher').get(`/erp/timetable/mine?from=${MONDAY}&days=2`))
    assert.equal(teacher.as, 'teacher')
    assert.deepEqual(
      teacher.days.map((day: any) => [day.date, day.weekday, day.slots.length]),
      [
        [MONDAY, 1, 1],
        ['2026-09-08', 2, 0],
      ]
    )
    assert.deepInclude(teacher.days[0].slots[0], {
      period: 'First',
      section: 'Grade 5 A',
      subject: 'Mathematics',
      room: 'Lab 1',
      teacher: 'Grace Hopper',
      substitution: false,
    })

    const student = await ok(s.as('student').get(`/erp/timetable/mine?from=${MONDAY}&days=2`))
    assert.equal(student.as, 'student')
    assert.deepEqual(
      student.days.map((day: any) => day.slots.map((slot: any) => slot.subject)),
      [['Mathematics'], ['Art']]
    )
    assert.equal(student.days[1].slots[0].teacher, 'Alan Turing')
  })

  test('a substitution moves the class to the substitute’s timetable', async ({
    client,
    assert,
  }) => {
    const { s, mondayMaths, alan } = await school(client)
    await created(
      s.as('head').post('/erp/substitutions').json({
        slot_id: mondayMaths.id,
        date: MONDAY,
        teacher_id: alan.id,
      })
    )
    const grace = await ok(s.as('teacher').get(`/erp/timetable/mine?from=${MONDAY}`))
    assert.deepEqual(grace.days[0].slots, [])
    const substitute = await ok(s.as('substitute').get(`/erp/timetable/mine?from=${MONDAY}`))
    assert.deepEqual(
      substitute.days[0].slots.map((slot: any) => [slot.subject, slot.substitution]),
      [
        ['Mathematics', true],
        ['Art', false],
      ]
    )
  })

  test('a parent or staff member gets no days; bad input is a 400; nobody signed in a 401', async ({
    client,
    assert,
  }) => {
    const { s } = await school(client)
    const parent = await ok(s.as('parent').get('/erp/timetable/mine'))
    assert.deepEqual(parent, { as: null, days: [] })
    for (const query of ['days=8', 'days=0', 'from=2026-02-30', 'from=monday']) {
      const response = await s.as('teacher').get(`/erp/timetable/mine?${query}`)
      response.assertStatus(400)
      assert.equal(response.body().error.code, 'ERR_VALIDATION', query)
    }
    const outsider = await s.addPerson('nobody', 'Staff')
    const staff = await ok(s.as(outsider).get('/erp/timetable/mine'))
    assert.deepEqual(staff, { as: null, days: [] })
    const anonymous = await s.as('anonymous').get('/erp/timetable/mine')
    anonymous.assertStatus(401)
  })
})
