import { test } from '@japa/runner'
import {
  created,
  errorCode,
  eventually,
  openSchool,
  pool,
  recordEvents,
  seedDemo,
  sharedSchool,
  type Person,
  type School,
} from '@oryne/sdk/testing'
import { sendReminders } from '../jobs/reminders.js'

/*
 * The events plugin end to end through HTTP, each workflow as the role that
 * performs it: Staff organise events and run the door, Students and Parents
 * see the events of their audience, register, wait in line and cancel; ERP
 * bills paid events and honours the holidays flagged here.
 */

const HOUR = 3_600_000
const at = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString()

type Who = 'head' | 'staff' | 'teacher' | 'student' | 'student2' | 'parent'
type Sections = {
  sectionA: string
  sectionB: string
  classId: string
  studentId: string
  student2Id: string
}
type EventsSchool = School<Who> & Sections

/** Events the tenant emitted, as core delivers them (after the commit). */
const emitted = recordEvents('events.')

/** The school: Grade 9 in sections A (student, child of parent) and B (student2). */
const schoolFor = sharedSchool(
  {
    plugins: ['events'],
    people: {
      head: 'TenantAdmin',
      staff: 'Staff',
      teacher: 'Teacher',
      student: 'Student',
      student2: 'Student',
      parent: 'Parent',
    },
  },
  async (school: School<Who>) => {
    const head = school.as('head')
    const grade9 = await created(head.post('/erp/classes', { name: 'Grade 9', grade_level: 9 }))
    const sectionA = await created(head.post('/erp/sections', { class_id: grade9.id, name: 'A' }))
    const sectionB = await created(head.post('/erp/sections', { class_id: grade9.id, name: 'B' }))
    const pupil = (no: string, section: string, userId: string) =>
      created(
        head.post('/erp/students', {
          enrollment_no: no,
          first_name: 'Pupil',
          last_name: no,
          class_id: grade9.id,
          section_id: section,
          user_id: userId,
        })
      )
    const s1 = await pupil('E-001', sectionA.id, school.people.student.id)
    const s2 = await pupil('E-002', sectionB.id, school.people.student2.id)
    await created(
      head.post('/erp/guardians', {
        student_id: s1.id,
        user_id: school.people.parent.id,
        name: 'Pat Parent',
      })
    )
    return {
      sectionA: sectionA.id,
      sectionB: sectionB.id,
      classId: grade9.id,
      studentId: s1.id,
      student2Id: s2.id,
    } as Sections
  }
)

/** A published event open for registration, created by Staff. */
function newEvent(school: EventsSchool, fields: Record<string, unknown> = {}) {
  return created(
    school.as('staff').post('/events/events', {
      title: 'Science fair',
      starts_at: at(72),
      ends_at: at(75),
      venue: 'Hall',
      registration_enabled: true,
      status: 'published',
      ...fields,
    })
  )
}

/** The events of `name` about event `eventId`, once `count` of them have been delivered. */
function delivered(name: string, eventId: string, count: number) {
  const about = () => emitted.filter((e) => e.name === name && e.payload.event_id === eventId)
  return eventually(about, { until: (found) => found.length >= count }).catch(about)
}

test.group('Events: audience and permissions', () => {
  test('an event for section A reaches its students and their parents, no one else', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const event = await newEvent(school, {
      audience: 'sections',
      audience_ids: [school.sectionA],
    })
    assert.equal(event.created_by, school.people.staff.id)

    const ids = async (who: Who) => {
      const response = await school.as(who).get('/events/events?per_page=100')
      response.assertStatus(200)
      return response.body().data.map((row: any) => String(row.id))
    }
    assert.include(await ids('student'), String(event.id))
    assert.include(await ids('parent'), String(event.id))
    assert.notInclude(await ids('student2'), String(event.id))
    ;(await school.as('student2').get(`/events/events/${event.id}`)).assertStatus(404)

    const outsider = await school.as('student2').post(`/events/events/${event.id}/register`)
    outsider.assertStatus(403)
    assert.equal(errorCode(outsider), 'ERR_EVENTS_NOT_IN_AUDIENCE')

    const own = await school.as('student').post(`/events/events/${event.id}/register`)
    own.assertStatus(201)
    assert.equal(own.body().data.status, 'registered')
    assert.equal(own.header('location'), `/api/v1/events/registrations/${own.body().data.id}`)
  })

  test('students may not create events; a draft is invisible to them', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const refused = await school.as('student').post('/events/events', {
      title: 'My party',
      starts_at: at(10),
    })
    refused.assertStatus(403)
    assert.equal(errorCode(refused), 'ERR_FORBIDDEN')

    const draft = await newEvent(school, { status: 'draft' })
    ;(await school.as('student').get(`/events/events/${draft.id}`)).assertStatus(404)
    const register = await school.as('student').post(`/events/events/${draft.id}/register`)
    register.assertStatus(404)
    assert.equal(errorCode(register), 'ERR_EVENTS_NOT_FOUND')
  })

  test('role audiences: a parents-only meeting reaches parents, not students', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const meeting = await newEvent(school, {
      title: 'Parent-teacher meeting',
      audience: 'roles',
      audience_ids: ['Parent'],
      is_parent_meeting: true,
    })
    ;(await school.as('parent').get(`/events/events/${meeting.id}`)).assertStatus(200)
    ;(await school.as('student').get(`/events/events/${meeting.id}`)).assertStatus(404)
    const list = await school.as('parent').get('/events/events?filter[is_parent_meeting][eq]=true')
    assert.deepEqual(
      list.body().data.map((row: any) => String(row.id)),
      [String(meeting.id)]
    )
  })
})

test.group('Events: registration', () => {
  test('registration outside its window or disabled is refused with ERR_EVENTS_REGISTRATION_CLOSED', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const notYet = await newEvent(school, { registration_opens_at: at(24) })
    const closed = await newEvent(school, {
      registration_opens_at: at(-48),
      registration_closes_at: at(-1),
    })
    const none = await newEvent(school, { registration_enabled: false })
    for (const event of [notYet, closed, none]) {
      const response = await school.as('student').post(`/events/events/${event.id}/register`)
      response.assertStatus(409)
      assert.equal(errorCode(response), 'ERR_EVENTS_REGISTRATION_CLOSED')
    }
    const registrations = await school
      .as('head')
      .get(`/events/registrations?filter[event_id][in]=${notYet.id},${closed.id},${none.id}`)
    assert.lengthOf(registrations.body().data, 0)
  })

  test('one live registration per user; after cancelling, one may register again', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const event = await newEvent(school)
    const first = await created(school.as('student').post(`/events/events/${event.id}/register`))
    const again = await school.as('student').post(`/events/events/${event.id}/register`)
    again.assertStatus(409)
    assert.equal(errorCode(again), 'ERR_EVENTS_ALREADY_REGISTERED')

    // Someone else's registration cannot be cancelled by a student: it does not exist for them.
    const foreign = await school.as('student2').post(`/events/registrations/${first.id}/cancel`)
    foreign.assertStatus(404)

    const cancelled = await school.as('student').post(`/events/registrations/${first.id}/cancel`)
    cancelled.assertStatus(200)
    assert.equal(cancelled.body().data.status, 'cancelled')
    const twice = await school.as('student').post(`/events/registrations/${first.id}/cancel`)
    twice.assertStatus(409)
    assert.equal(errorCode(twice), 'ERR_EVENTS_ALREADY_CANCELLED')

    const back = await created(school.as('student').post(`/events/events/${event.id}/register`))
    assert.equal(back.status, 'registered')
    assert.notEqual(back.id, first.id)

    const announced = await delivered('events.registration.created', String(event.id), 2)
    assert.sameDeepMembers(
      announced.map((e) => ({ ...e.payload })),
      [
        {
          registration_id: first.id,
          event_id: String(event.id),
          user_id: school.people.student.id,
          status: 'registered',
        },
        {
          registration_id: back.id,
          event_id: String(event.id),
          user_id: school.people.student.id,
          status: 'registered',
        },
      ]
    )
  })

  test('50 concurrent registrations for 10 places: 10 registered, 40 waitlisted in order; a cancellation promotes the first in line', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const event = await newEvent(school, { title: 'Robotics workshop', capacity: 10 })
    const tokens: Person[] = await pool(
      Array.from({ length: 50 }, (_, i) => () => school.addPerson(`crowd${i}`, 'Student')),
      4
    )
    const responses = await Promise.all(
      tokens.map((token) => school.as(token).post(`/events/events/${event.id}/register`))
    )
    for (const response of responses) response.assertStatus(201)
    const results = responses.map((response) => response.body().data)
    const placed = results.filter((row) => row.status === 'registered')
    const waiting = results.filter((row) => row.status === 'waitlisted')
    assert.lengthOf(placed, 10)
    assert.lengthOf(waiting, 40)

    // First come, first served: places went to the first ten rows written, the line follows.
    const byId = (a: any, b: any) => Number(a.id) - Number(b.id)
    const all = [...results].sort(byId)
    assert.deepEqual(
      all.slice(0, 10).map((row) => row.status),
      Array(10).fill('registered')
    )
    assert.deepEqual(
      [...waiting].sort(byId).map((row) => row.waitlist_position),
      Array.from({ length: 40 }, (_, i) => i + 1)
    )
    for (const row of placed) assert.match(row.check_in_token, /^\d+\.[\w-]{43}$/)
    for (const row of waiting) assert.isNull(row.check_in_token)

    const report = await school.as('staff').get(`/events/events/${event.id}/attendance`)
    assert.deepInclude(report.body().data, { capacity: 10, registered: 10, waitlisted: 40 })

    const leaver = placed[3]
    const leaverToken = tokens[results.indexOf(leaver)]
    const cancelled = await school.as(leaverToken).post(`/events/registrations/${leaver.id}/cancel`)
    cancelled.assertStatus(200)
    const firstInLine = [...waiting].sort(byId)[0]
    assert.deepEqual(cancelled.body().data.promoted, [firstInLine.id])

    const ticket = await school
      .as(tokens[results.indexOf(firstInLine)])
      .get(`/events/registrations/${firstInLine.id}/ticket`)
    ticket.assertStatus(200)
    assert.equal(ticket.body().data.status, 'registered')
    assert.match(ticket.body().data.check_in_token, /^\d+\.[\w-]{43}$/)
    const after = await school.as('staff').get(`/events/events/${event.id}/attendance`)
    assert.deepInclude(after.body().data, { registered: 10, waitlisted: 39, cancelled: 1 })
  })

  test('without a waitlist a full event refuses with ERR_EVENTS_FULL; more capacity promotes the line', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const strict = await newEvent(school, { capacity: 1, waitlist: false })
    await created(school.as('student').post(`/events/events/${strict.id}/register`))
    const full = await school.as('parent').post(`/events/events/${strict.id}/register`)
    full.assertStatus(409)
    assert.equal(errorCode(full), 'ERR_EVENTS_FULL')

    const queued = await newEvent(school, { capacity: 1 })
    await created(school.as('student').post(`/events/events/${queued.id}/register`))
    const waiting = await created(school.as('parent').post(`/events/events/${queued.id}/register`))
    assert.equal(waiting.status, 'waitlisted')
    ;(await school.as('staff').patch(`/events/events/${queued.id}`, { capacity: 2 })).assertStatus(
      200
    )
    const ticket = await school.as('parent').get(`/events/registrations/${waiting.id}/ticket`)
    assert.equal(ticket.body().data.status, 'registered')
  })

  test('a paid event bills the student through an ERP invoice; staff pay nothing through ERP', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const trip = await newEvent(school, { title: 'Museum trip', fee: 2500 })
    const registration = await created(
      school.as('student').post(`/events/events/${trip.id}/register`)
    )
    assert.isNotNull(registration.invoice_id)
    const invoice = await school.as('head').get(`/erp/invoices/${registration.invoice_id}`)
    invoice.assertStatus(200)
    assert.deepInclude(invoice.body().data, { source: 'events', student_id: school.studentId })
    assert.equal(Number(invoice.body().data.amount), 2500)

    const staff = await created(school.as('staff').post(`/events/events/${trip.id}/register`))
    assert.isNull(staff.invoice_id)
  })
})

test.group('Events: check-in and attendance', () => {
  test('staff check a registration in by its code, once; a forged code is refused', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const event = await newEvent(school, { title: 'Concert' })
    const mine = await created(school.as('student').post(`/events/events/${event.id}/register`))
    const parents = await created(school.as('parent').post(`/events/events/${event.id}/register`))

    const byStudent = await school.as('student').post('/events/check-in', {
      token: mine.check_in_token,
    })
    byStudent.assertStatus(403)

    const done = await school.as('teacher').post('/events/check-in', {
      token: mine.check_in_token,
    })
    done.assertStatus(200)
    assert.equal(done.body().data.id, mine.id)

    const twice = await school.as('staff').post('/events/check-in', {
      token: mine.check_in_token,
    })
    twice.assertStatus(409)
    assert.equal(errorCode(twice), 'ERR_EVENTS_ALREADY_CHECKED_IN')

    // The id of another registration with this one's signature, and garbage.
    const forged = `${parents.id}.${mine.check_in_token.split('.')[1]}`
    for (const token of [forged, 'nonsense', `${mine.id}.${'A'.repeat(43)}`]) {
      const response = await school.as('staff').post('/events/check-in', { token })
      response.assertStatus(404)
      assert.equal(errorCode(response), 'ERR_EVENTS_CHECK_IN_TOKEN_INVALID')
    }

    await school.as('parent').post(`/events/registrations/${parents.id}/cancel`)
    const cancelled = await school.as('staff').post('/events/check-in', {
      token: parents.check_in_token,
    })
    cancelled.assertStatus(409)
    assert.equal(errorCode(cancelled), 'ERR_EVENTS_NOT_CHECKABLE')

    const report = await school.as('staff').get(`/events/events/${event.id}/attendance`)
    report.assertStatus(200)
    assert.deepInclude(report.body().data, {
      registered: 1,
      cancelled: 1,
      checked_in: 1,
      no_show: 0,
      attendance_percent: 100,
    })
    ;(await school.as('student').get(`/events/events/${event.id}/attendance`)).assertStatus(403)
  })
})

test.group('Events: reminders', () => {
  test('the reminder sweep emits events.reminder once per registrant and notifies them', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const soon = await newEvent(school, {
      title: 'Assembly',
      starts_at: at(3),
      ends_at: at(4),
    })
    await created(school.as('student').post(`/events/events/${soon.id}/register`))
    await created(school.as('parent').post(`/events/events/${soon.id}/register`))

    const first = await school.run(() => sendReminders())
    assert.isAtLeast(first.reminded, 2)
    const second = await school.run(() => sendReminders())
    assert.deepEqual(second, { events: 0, reminded: 0 })

    const reminders = await delivered('events.reminder', String(soon.id), 2)
    assert.sameDeepMembers(
      reminders.map((e) => e.payload),
      [
        { event_id: String(soon.id), user_id: school.people.student.id },
        { event_id: String(soon.id), user_id: school.people.parent.id },
      ]
    )

    let found: any
    for (let i = 0; i < 100 && !found; i++) {
      const inbox = await school.as('student').get('/notifications')
      found = inbox
        .body()
        .data?.find(
          (n: any) => n.template === 'events.event_reminder' && n.subject.includes('Assembly')
        )
      if (!found) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.exists(found, 'the registrant got an in-app reminder')
  })
})

test.group('Events: holidays honoured by ERP', () => {
  test('attendance on a holiday is refused with ERR_HOLIDAY and the timetable shows no classes', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const head = school.as('head')
    // A Wednesday far enough ahead, and the Thursday after it.
    const holiday = '2031-01-15'
    const schoolDay = '2031-01-16'
    const period = await created(
      head.post('/erp/periods', { name: 'P1', starts_at: '09:00', ends_at: '09:45', position: 1 })
    )
    const subject = await created(head.post('/erp/subjects', { code: 'MATH', name: 'Mathematics' }))
    const teacher = await created(
      head.post('/erp/teachers', {
        employee_no: 'T-1',
        name: 'Ada',
        user_id: school.people.teacher.id,
      })
    )
    for (const weekday of [3, 4]) {
      await created(
        head.post('/erp/timetable_slots', {
          weekday,
          period_id: period.id,
          section_id: school.sectionA,
          teacher_id: teacher.id,
          subject_id: subject.id,
        })
      )
    }
    const marks = (date: string) => ({
      section_id: school.sectionA,
      date,
      marks: [{ student_id: school.studentId, status: 'present' }],
    })

    // Before the holiday is published the day is an ordinary one.
    const draft = await newEvent(school, {
      title: 'Founders day',
      starts_at: `${holiday}T00:00:00Z`,
      ends_at: '2031-01-16T00:00:00Z',
      all_day: true,
      is_holiday: true,
      registration_enabled: false,
      status: 'draft',
    })
    ;(await head.post('/erp/attendance/bulk', marks(holiday))).assertStatus(200)
    ;(
      await school.as('staff').patch(`/events/events/${draft.id}`, { status: 'published' })
    ).assertStatus(200)

    const refused = await school.as('teacher').post('/erp/attendance/bulk', marks(holiday))
    refused.assertStatus(409)
    assert.equal(errorCode(refused), 'ERR_HOLIDAY')
    assert.include(refused.body().error.message, 'Founders day')
    const single = await head.post('/erp/attendance_marks', {
      student_id: school.student2Id,
      date: holiday,
      status: 'present',
    })
    single.assertStatus(409)
    assert.equal(errorCode(single), 'ERR_HOLIDAY')
    ;(await head.post('/erp/attendance/bulk', marks(schoolDay))).assertStatus(200)

    const off = await school
      .as('student')
      .get(`/erp/timetable/day?date=${holiday}&section_id=${school.sectionA}`)
    off.assertStatus(200)
    assert.deepInclude(off.body().data, { date: holiday, weekday: 3, slots: [] })
    assert.deepEqual(off.body().data.holiday, { date: holiday, title: 'Founders day' })
    const on = await school
      .as('student')
      .get(`/erp/timetable/day?date=${schoolDay}&section_id=${school.sectionA}`)
    assert.isNull(on.body().data.holiday)
    assert.lengthOf(on.body().data.slots, 1)
    assert.deepInclude(on.body().data.slots[0], { period: 'P1', teacher_id: String(teacher.id) })

    const junk = await head.get('/erp/timetable/day?date=2031-02-30')
    junk.assertStatus(400)
  })
})

test.group('Events: invalid input', () => {
  test('bad bodies and ids are enveloped 4xx errors and write nothing', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const staff = school.as('staff')
    const before = (await school.as('head').get('/events/events?per_page=1')).body().meta.pagination
      .total
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ title: 'Backwards', starts_at: at(10), ends_at: at(5) }, 'ends_at'],
      [
        { title: 'Nowhere', starts_at: at(10), audience: 'sections', audience_ids: ['999999'] },
        'audience_ids',
      ],
      [
        { title: 'Loose', starts_at: at(10), audience: 'classes', audience_ids: 'all of them' },
        'audience_ids',
      ],
      [
        { title: 'Nobody', starts_at: at(10), audience: 'roles', audience_ids: ['Wizard'] },
        'audience_ids',
      ],
      [{ title: 'Free money', starts_at: at(10), fee: -5 }, 'fee'],
      [
        { title: 'Late', starts_at: at(10), registration_closes_at: at(20) },
        'registration_closes_at',
      ],
      [{ starts_at: at(10) }, 'title'],
    ]
    for (const [body, field] of bad) {
      const response = await staff.post('/events/events', body)
      response.assertStatus(400)
      assert.equal(errorCode(response), 'ERR_VALIDATION')
      assert.include(
        response.body().error.details.map((d: any) => d.field),
        field,
        JSON.stringify(body)
      )
    }
    const after = (await school.as('head').get('/events/events?per_page=1')).body().meta.pagination
      .total
    assert.equal(after, before)

    for (const path of ['/events/events/abc/register', '/events/events/999999999/register']) {
      const response = await school.as('student').post(path)
      response.assertStatus(404)
      assert.equal(errorCode(response), 'ERR_EVENTS_NOT_FOUND')
    }
    const noToken = await staff.post('/events/check-in', {})
    noToken.assertStatus(400)
    assert.equal(errorCode(noToken), 'ERR_VALIDATION')
    const readOnly = await school.as('student').post('/events/registrations', {})
    assert.oneOf(readOnly.status(), [404, 405])
  })
})

test.group('Events: personal data', () => {
  test('export lists a user’s registrations; erasure removes them and frees the place for the line', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const event = await newEvent(school, { title: 'Chess club', capacity: 1 })
    const leaverToken = await school.addPerson('leaver', 'Student')
    const leaverId = leaverToken.id
    const held = await created(school.as(leaverToken).post(`/events/events/${event.id}/register`))
    const waiting = await created(school.as('student').post(`/events/events/${event.id}/register`))
    assert.equal(waiting.status, 'waitlisted')
    await created(school.as(leaverToken).post('/events/calendar/token'))

    const exported = await school.as('head').get(`/admin/users/${leaverId}/export`)
    exported.assertStatus(200)
    const mine = exported.body().data.plugins.events
    assert.deepEqual(
      mine.registrations.map((row: any) => [row.id, row.title, row.status]),
      [[held.id, 'Chess club', 'registered']]
    )
    assert.isString(mine.calendar_feed_since)

    const erased = await school.as('head').post(`/admin/users/${leaverId}/erase`)
    erased.assertStatus(200)
    assert.deepEqual(erased.body().data.plugins.events, { erased: 1, calendar_feeds: 1 })
    const ticket = await school.as('student').get(`/events/registrations/${waiting.id}/ticket`)
    assert.equal(ticket.body().data.status, 'registered')
  })
})

test.group('Events: demo school', (group) => {
  group.each.timeout(240_000)

  test('the demo seed adds events, a holiday ERP honours and a full sports day', async ({
    client,
    assert,
  }) => {
    const school = await openSchool(client)
    const result = await seedDemo(school.tenant)
    assert.include(result.seeded, 'events')
    const head = school.as('platform')
    const events = (await head.get('/events/events?per_page=100')).body().data
    assert.includeMembers(
      events.map((row: any) => row.title),
      ['Sports day', 'Parent-teacher meeting', 'Founders day (holiday)']
    )
    const sports = events.find((row: any) => row.title === 'Sports day')
    const report = (await head.get(`/events/events/${sports.id}/attendance`)).body().data
    assert.deepInclude(report, { capacity: 12, registered: 12, waitlisted: 3 })
    const holiday = events.find((row: any) => row.is_holiday)
    const day = await head.get(`/erp/timetable/day?date=${holiday.starts_at.slice(0, 10)}`)
    assert.equal(day.body().data.holiday.title, 'Founders day (holiday)')
  })
})

test.group('Events: places', () => {
  test('places taken, waiting and free, for those who may read the event only', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const event = await newEvent(school, {
      audience: 'sections',
      audience_ids: [school.sectionA],
      capacity: 1,
      waitlist: true,
    })
    const places = (who: Who, id = event.id) => school.as(who).get(`/events/events/${id}/places`)
    const empty = await places('student')
    empty.assertStatus(200)
    assert.deepEqual(empty.body().data, {
      event_id: String(event.id),
      capacity: 1,
      waitlist: true,
      taken: 0,
      waiting: 0,
      free: 1,
    })

    await created(school.as('student').post(`/events/events/${event.id}/register`))
    const second = await created(school.as('parent').post(`/events/events/${event.id}/register`))
    assert.equal(second.status, 'waitlisted')
    for (const who of ['student', 'parent', 'staff', 'teacher'] as Who[]) {
      const full = await places(who)
      full.assertStatus(200)
      assert.include(full.body().data, { taken: 1, waiting: 1, free: 0 }, who)
    }

    // Outside the audience, a draft, a junk id: not found, as in the events list.
    const outsider = await places('student2')
    outsider.assertStatus(404)
    assert.equal(errorCode(outsider), 'ERR_EVENTS_NOT_FOUND')
    const draft = await newEvent(school, { status: 'draft' })
    ;(await places('student', draft.id)).assertStatus(404)
    const unlimited = await places('staff', draft.id)
    unlimited.assertStatus(200)
    assert.include(unlimited.body().data, { capacity: null, free: null, taken: 0 })
    ;(await places('staff', 'abc')).assertStatus(404)
  })
})
