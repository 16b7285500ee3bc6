import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { ApiClient } from '@japa/api-client'
import { onCoreEvent, type OryneEvent } from '#core/events/events'
import { tenantContext } from '#core/tenancy/context'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs } from '#tests/support/access'
import { claimsOf } from '#tests/support/auth'
import { pool } from '#tests/support/concurrency'
import { PLATFORM_TOKEN, activeTenant } from '#tests/support/tenants'
import { seedDemo } from '#core/plugins/demo'
import { tenantApi as api } from '#tests/support/access'
import { sendReminders } from '#plugins/events/jobs/reminders'

/*
 * The events plugin end to end through HTTP, each workflow as the role that
 * performs it: Staff organise events and run the door, Students and Parents
 * see the events of their audience, register, wait in line and cancel; ERP
 * bills paid events and honours the holidays flagged here.
 */

const HOUR = 3_600_000
const at = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString()

const PEOPLE = {
  head: ['TenantAdmin'],
  staff: ['Staff'],
  teacher: ['Teacher'],
  student: ['Student'],
  student2: ['Student'],
  parent: ['Parent'],
} as const
type Who = keyof typeof PEOPLE
type Method = 'get' | 'post' | 'patch' | 'delete'

type School = {
  tenant: Tenant
  tokens: Record<Who, string>
  users: Record<Who, string>
  sectionA: string
  sectionB: string
  classId: string
  studentId: string
  student2Id: string
}

/** Events the tenant emitted, as core delivers them (after the commit). */
const emitted: OryneEvent[] = []
onCoreEvent(
  (event) => event.name.startsWith('events.'),
  (event) => void emitted.push(event)
)

function call(client: ApiClient, school: School, token: string, method: Method, path: string) {
  return client[method](`/api/v1${path}`)
    .header('x-tenant-id', school.tenant.slug)
    .bearerToken(token)
}

function as(client: ApiClient, school: School, who: Who | string) {
  const token = who in school.tokens ? school.tokens[who as Who] : who
  return {
    get: (path: string) => call(client, school, token, 'get', path),
    post: (path: string, body: object = {}) => call(client, school, token, 'post', path).json(body),
    patch: (path: string, body: object) => call(client, school, token, 'patch', path).json(body),
  }
}

async function created(request: Promise<any> | any) {
  const response = await request
  response.assertStatus(201)
  return response.body().data
}

async function openSchool(client: ApiClient): Promise<School> {
  const tenant = await activeTenant()
  const enabled = await client
    .post(`/api/v1/platform/tenants/${tenant.slug}/plugins/events/enable`)
    .bearerToken(PLATFORM_TOKEN())
    .json({})
  enabled.assertStatus(200)
  const tokens = {} as Record<Who, string>
  const users = {} as Record<Who, string>
  for (const [who, roles] of Object.entries(PEOPLE) as Array<[Who, readonly string[]]>) {
    tokens[who] = await signedInAs(tenant, `${who}@${tenant.slug}.example`, [...roles])
    users[who] = claimsOf(tokens[who]).payload.sub
  }
  const school = { tenant, tokens, users } as School
  const head = as(client, school, 'head')
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
  const s1 = await pupil('E-001', sectionA.id, users.student)
  const s2 = await pupil('E-002', sectionB.id, users.student2)
  await created(
    head.post('/erp/guardians', { student_id: s1.id, user_id: users.parent, name: 'Pat Parent' })
  )
  return {
    ...school,
    sectionA: sectionA.id,
    sectionB: sectionB.id,
    classId: grade9.id,
    studentId: s1.id,
    student2Id: s2.id,
  }
}

let opened: Promise<School> | undefined
function schoolFor(client: ApiClient) {
  opened ??= openSchool(client)
  return opened
}

/** A published event open for registration, created by Staff. */
function newEvent(client: ApiClient, school: School, fields: Record<string, unknown> = {}) {
  return created(
    as(client, school, 'staff').post('/events/events', {
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
async function delivered(name: string, eventId: string, count: number) {
  for (let i = 0; i < 100; i++) {
    const found = emitted.filter((e) => e.name === name && e.payload.event_id === eventId)
    if (found.length >= count) return found
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return emitted.filter((e) => e.name === name && e.payload.event_id === eventId)
}

function errorCode(response: any) {
  return response.body().error?.code
}

test.group('Events: audience and permissions', () => {
  test('an event for section A reaches its students and their parents, no one else', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const event = await newEvent(client, school, {
      audience: 'sections',
      audience_ids: [school.sectionA],
    })
    assert.equal(event.created_by, school.users.staff)

    const ids = async (who: Who) => {
      const response = await as(client, school, who).get('/events/events?per_page=100')
      response.assertStatus(200)
      return response.body().data.map((row: any) => String(row.id))
    }
    assert.include(await ids('student'), String(event.id))
    assert.include(await ids('parent'), String(event.id))
    assert.notInclude(await ids('student2'), String(event.id))
    ;(await as(client, school, 'student2').get(`/events/events/${event.id}`)).assertStatus(404)

    const outsider = await as(client, school, 'student2').post(
      `/events/events/${event.id}/register`
    )
    outsider.assertStatus(403)
    assert.equal(errorCode(outsider), 'ERR_EVENTS_NOT_IN_AUDIENCE')

    const own = await as(client, school, 'student').post(`/events/events/${event.id}/register`)
    own.assertStatus(201)
    assert.equal(own.body().data.status, 'registered')
  })

  test('students may not create events; a draft is invisible to them', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const refused = await as(client, school, 'student').post('/events/events', {
      title: 'My party',
      starts_at: at(10),
    })
    refused.assertStatus(403)
    assert.equal(errorCode(refused), 'ERR_FORBIDDEN')

    const draft = await newEvent(client, school, { status: 'draft' })
    ;(await as(client, school, 'student').get(`/events/events/${draft.id}`)).assertStatus(404)
    const register = await as(client, school, 'student').post(`/events/events/${draft.id}/register`)
    register.assertStatus(404)
    assert.equal(errorCode(register), 'ERR_EVENTS_NOT_FOUND')
  })

  test('role audiences: a parents-only meeting reaches parents, not students', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const meeting = await newEvent(client, school, {
      title: 'Parent-teacher meeting',
      audience: 'roles',
      audience_ids: ['Parent'],
      is_parent_meeting: true,
    })
    ;(await as(client, school, 'parent').get(`/events/events/${meeting.id}`)).assertStatus(200)
    ;(await as(client, school, 'student').get(`/events/events/${meeting.id}`)).assertStatus(404)
    const list = await as(client, school, 'parent').get(
      '/events/events?filter[is_parent_meeting][eq]=true'
    )
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
    const notYet = await newEvent(client, school, { registration_opens_at: at(24) })
    const closed = await newEvent(client, school, {
      registration_opens_at: at(-48),
      registration_closes_at: at(-1),
    })
    const none = await newEvent(client, school, { registration_enabled: false })
    for (const event of [notYet, closed, none]) {
      const response = await as(client, school, 'student').post(
        `/events/events/${event.id}/register`
      )
      response.assertStatus(409)
      assert.equal(errorCode(response), 'ERR_EVENTS_REGISTRATION_CLOSED')
    }
    const registrations = await as(client, school, 'head').get(
      `/events/registrations?filter[event_id][in]=${notYet.id},${closed.id},${none.id}`
    )
    assert.lengthOf(registrations.body().data, 0)
  })

  test('one live registration per user; after cancelling, one may register again', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const event = await newEvent(client, school)
    const first = await created(
      as(client, school, 'student').post(`/events/events/${event.id}/register`)
    )
    const again = await as(client, school, 'student').post(`/events/events/${event.id}/register`)
    again.assertStatus(409)
    assert.equal(errorCode(again), 'ERR_EVENTS_ALREADY_REGISTERED')

    // Someone else's registration cannot be cancelled by a student: it does not exist for them.
    const foreign = await as(client, school, 'student2').post(
      `/events/registrations/${first.id}/cancel`
    )
    foreign.assertStatus(404)

    const cancelled = await as(client, school, 'student').post(
      `/events/registrations/${first.id}/cancel`
    )
    cancelled.assertStatus(200)
    assert.equal(cancelled.body().data.status, 'cancelled')
    const twice = await as(client, school, 'student').post(
      `/events/registrations/${first.id}/cancel`
    )
    twice.assertStatus(409)
    assert.equal(errorCode(twice), 'ERR_EVENTS_ALREADY_CANCELLED')

    const back = await created(
      as(client, school, 'student').post(`/events/events/${event.id}/register`)
    )
    assert.equal(back.status, 'registered')
    assert.notEqual(back.id, first.id)

    const announced = await delivered('events.registration.created', String(event.id), 2)
    assert.sameDeepMembers(
      announced.map((e) => ({ ...e.payload })),
      [
        {
          registration_id: first.id,
          event_id: String(event.id),
          user_id: school.users.student,
          status: 'registered',
        },
        {
          registration_id: back.id,
          event_id: String(event.id),
          user_id: school.users.student,
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
    const event = await newEvent(client, school, { title: 'Robotics workshop', capacity: 10 })
    const tokens = await pool(
      Array.from(
        { length: 50 },
        (_, i) => () =>
          signedInAs(school.tenant, `crowd${i}@${school.tenant.slug}.example`, ['Student'])
      ),
      4
    )
    const responses = await Promise.all(
      tokens.map((token) => as(client, school, token).post(`/events/events/${event.id}/register`))
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

    const report = await as(client, school, 'staff').get(`/events/events/${event.id}/attendance`)
    assert.deepInclude(report.body().data, { capacity: 10, registered: 10, waitlisted: 40 })

    const leaver = placed[3]
    const leaverToken = tokens[results.indexOf(leaver)]
    const cancelled = await as(client, school, leaverToken).post(
      `/events/registrations/${leaver.id}/cancel`
    )
    cancelled.assertStatus(200)
    const firstInLine = [...waiting].sort(byId)[0]
    assert.deepEqual(cancelled.body().data.promoted, [firstInLine.id])

    const ticket = await as(client, school, tokens[results.indexOf(firstInLine)]).get(
      `/events/registrations/${firstInLine.id}/ticket`
    )
    ticket.assertStatus(200)
    assert.equal(ticket.body().data.status, 'registered')
    assert.match(ticket.body().data.check_in_token, /^\d+\.[\w-]{43}$/)
    const after = await as(client, school, 'staff').get(`/events/events/${event.id}/attendance`)
    assert.deepInclude(after.body().data, { registered: 10, waitlisted: 39, cancelled: 1 })
  })

  test('without a waitlist a full event refuses with ERR_EVENTS_FULL; more capacity promotes the line', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const strict = await newEvent(client, school, { capacity: 1, waitlist: false })
    await created(as(client, school, 'student').post(`/events/events/${strict.id}/register`))
    const full = await as(client, school, 'parent').post(`/events/events/${strict.id}/register`)
    full.assertStatus(409)
    assert.equal(errorCode(full), 'ERR_EVENTS_FULL')

    const queued = await newEvent(client, school, { capacity: 1 })
    await created(as(client, school, 'student').post(`/events/events/${queued.id}/register`))
    const waiting = await created(
      as(client, school, 'parent').post(`/events/events/${queued.id}/register`)
    )
    assert.equal(waiting.status, 'waitlisted')
    ;(
      await as(client, school, 'staff').patch(`/events/events/${queued.id}`, { capacity: 2 })
    ).assertStatus(200)
    const ticket = await as(client, school, 'parent').get(
      `/events/registrations/${waiting.id}/ticket`
    )
    assert.equal(ticket.body().data.status, 'registered')
  })

  test('a paid event bills the student through an ERP invoice; staff pay nothing through ERP', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const trip = await newEvent(client, school, { title: 'Museum trip', fee: 2500 })
    const registration = await created(
      as(client, school, 'student').post(`/events/events/${trip.id}/register`)
    )
    assert.isNotNull(registration.invoice_id)
    const invoice = await as(client, school, 'head').get(`/erp/invoices/${registration.invoice_id}`)
    invoice.assertStatus(200)
    assert.deepInclude(invoice.body().data, { source: 'events', student_id: school.studentId })
    assert.equal(Number(invoice.body().data.amount), 2500)

    const staff = await created(
      as(client, school, 'staff').post(`/events/events/${trip.id}/register`)
    )
    assert.isNull(staff.invoice_id)
  })
})

test.group('Events: check-in and attendance', () => {
  test('staff check a registration in by its code, once; a forged code is refused', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const event = await newEvent(client, school, { title: 'Concert' })
    const mine = await created(
      as(client, school, 'student').post(`/events/events/${event.id}/register`)
    )
    const parents = await created(
      as(client, school, 'parent').post(`/events/events/${event.id}/register`)
    )

    const byStudent = await as(client, school, 'student').post('/events/check-in', {
      token: mine.check_in_token,
    })
    byStudent.assertStatus(403)

    const done = await as(client, school, 'teacher').post('/events/check-in', {
      token: mine.check_in_token,
    })
    done.assertStatus(200)
    assert.equal(done.body().data.id, mine.id)

    const twice = await as(client, school, 'staff').post('/events/check-in', {
      token: mine.check_in_token,
    })
    twice.assertStatus(409)
    assert.equal(errorCode(twice), 'ERR_EVENTS_ALREADY_CHECKED_IN')

    // The id of another registration with this one's signature, and garbage.
    const forged = `${parents.id}.${mine.check_in_token.split('.')[1]}`
    for (const token of [forged, 'nonsense', `${mine.id}.${'A'.repeat(43)}`]) {
      const response = await as(client, school, 'staff').post('/events/check-in', { token })
      response.assertStatus(404)
      assert.equal(errorCode(response), 'ERR_EVENTS_CHECK_IN_TOKEN_INVALID')
    }

    await as(client, school, 'parent').post(`/events/registrations/${parents.id}/cancel`)
    const cancelled = await as(client, school, 'staff').post('/events/check-in', {
      token: parents.check_in_token,
    })
    cancelled.assertStatus(409)
    assert.equal(errorCode(cancelled), 'ERR_EVENTS_NOT_CHECKABLE')

    const report = await as(client, school, 'staff').get(`/events/events/${event.id}/attendance`)
    report.assertStatus(200)
    assert.deepInclude(report.body().data, {
      registered: 1,
      cancelled: 1,
      checked_in: 1,
      no_show: 0,
      attendance_percent: 100,
    })
    ;(
      await as(client, school, 'student').get(`/events/events/${event.id}/attendance`)
    ).assertStatus(403)
  })
})

test.group('Events: reminders', () => {
  test('the reminder sweep emits events.reminder once per registrant and notifies them', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const soon = await newEvent(client, school, {
      title: 'Assembly',
      starts_at: at(3),
      ends_at: at(4),
    })
    await created(as(client, school, 'student').post(`/events/events/${soon.id}/register`))
    await created(as(client, school, 'parent').post(`/events/events/${soon.id}/register`))

    const first = await tenantContext.run(school.tenant, () => sendReminders())
    assert.isAtLeast(first.reminded, 2)
    const second = await tenantContext.run(school.tenant, () => sendReminders())
    assert.deepEqual(second, { events: 0, reminded: 0 })

    const reminders = await delivered('events.reminder', String(soon.id), 2)
    assert.sameDeepMembers(
      reminders.map((e) => e.payload),
      [
        { event_id: String(soon.id), user_id: school.users.student },
        { event_id: String(soon.id), user_id: school.users.parent },
      ]
    )

    let found: any
    for (let i = 0; i < 100 && !found; i++) {
      const inbox = await as(client, school, 'student').get('/notifications')
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
    const head = as(client, school, 'head')
    // A Wednesday far enough ahead, and the Thursday after it.
    const holiday = '2031-01-15'
    const schoolDay = '2031-01-16'
    const period = await created(
      head.post('/erp/periods', { name: 'P1', starts_at: '09:00', ends_at: '09:45', position: 1 })
    )
    const subject = await created(head.post('/erp/subjects', { code: 'MATH', name: 'Mathematics' }))
    const teacher = await created(
      head.post('/erp/teachers', { employee_no: 'T-1', name: 'Ada', user_id: school.users.teacher })
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
    const draft = await newEvent(client, school, {
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
      await as(client, school, 'staff').patch(`/events/events/${draft.id}`, { status: 'published' })
    ).assertStatus(200)

    const refused = await as(client, school, 'teacher').post('/erp/attendance/bulk', marks(holiday))
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

    const off = await as(client, school, 'student').get(
      `/erp/timetable/day?date=${holiday}&section_id=${school.sectionA}`
    )
    off.assertStatus(200)
    assert.deepInclude(off.body().data, { date: holiday, weekday: 3, slots: [] })
    assert.deepEqual(off.body().data.holiday, { date: holiday, title: 'Founders day' })
    const on = await as(client, school, 'student').get(
      `/erp/timetable/day?date=${schoolDay}&section_id=${school.sectionA}`
    )
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
    const staff = as(client, school, 'staff')
    const before = (await as(client, school, 'head').get('/events/events?per_page=1')).body().meta
      .pagination.total
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
    const after = (await as(client, school, 'head').get('/events/events?per_page=1')).body().meta
      .pagination.total
    assert.equal(after, before)

    for (const path of ['/events/events/abc/register', '/events/events/999999999/register']) {
      const response = await as(client, school, 'student').post(path)
      response.assertStatus(404)
      assert.equal(errorCode(response), 'ERR_EVENTS_NOT_FOUND')
    }
    const noToken = await staff.post('/events/check-in', {})
    noToken.assertStatus(400)
    assert.equal(errorCode(noToken), 'ERR_VALIDATION')
    const readOnly = await as(client, school, 'student').post('/events/registrations', {})
    assert.oneOf(readOnly.status(), [404, 405])
  })
})

test.group('Events: personal data', () => {
  test('export lists a user’s registrations; erasure removes them and frees the place for the line', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const event = await newEvent(client, school, { title: 'Chess club', capacity: 1 })
    const leaverToken = await signedInAs(school.tenant, `leaver@${school.tenant.slug}.example`, [
      'Student',
    ])
    const leaverId = claimsOf(leaverToken).payload.sub
    const held = await created(
      as(client, school, leaverToken).post(`/events/events/${event.id}/register`)
    )
    const waiting = await created(
      as(client, school, 'student').post(`/events/events/${event.id}/register`)
    )
    assert.equal(waiting.status, 'waitlisted')
    await created(as(client, school, leaverToken).post('/events/calendar/token'))

    const exported = await as(client, school, 'head').get(`/admin/users/${leaverId}/export`)
    exported.assertStatus(200)
    const mine = exported.body().data.plugins.events
    assert.deepEqual(
      mine.registrations.map((row: any) => [row.id, row.title, row.status]),
      [[held.id, 'Chess club', 'registered']]
    )
    assert.isString(mine.calendar_feed_since)

    const erased = await as(client, school, 'head').post(`/admin/users/${leaverId}/erase`)
    erased.assertStatus(200)
    assert.deepEqual(erased.body().data.plugins.events, { erased: 1, calendar_feeds: 1 })
    const ticket = await as(client, school, 'student').get(
      `/events/registrations/${waiting.id}/ticket`
    )
    assert.equal(ticket.body().data.status, 'registered')
  })
})

test.group('Events: demo school', (group) => {
  group.each.timeout(240_000)

  test('the demo seed adds events, a holiday ERP honours and a full sports day', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const plugins = await app.container.make('oryne.plugins')
    const result = await seedDemo(plugins, tenant, { actor: 'platform' })
    assert.include(result.seeded, 'events')
    const head = api(client, tenant, PLATFORM_TOKEN())
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
