import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import type { Tenant } from '@oryne/sdk'
import { created, ok, openSchool, sharedSchool, type School } from '@oryne/sdk/testing'

/*
 * The iCalendar feed of the events plugin, read back as a calendar app would:
 * without a bearer token, at the user's secret address. It merges the entries
 * of every enabled plugin (events, LMS assignment due dates, ERP timetable),
 * only ever the owner's, and holidays clear the timetable.
 */

const DAY = 86_400_000
const at = (days: number, hour = 10) => {
  const when = new Date(Date.now() + days * DAY)
  when.setUTCHours(hour, 0, 0, 0)
  return when.toISOString()
}
const dateIn = (days: number) => at(days).slice(0, 10)

type Who = 'head' | 'teacher' | 'teacher2' | 'student' | 'student2'

/** Ids of what each student should (and should not) see. */
type CalendarSchool = School<Who> & { ids: Record<string, string> }

type VEvent = Record<string, string>

/**
 * A school with events and the LMS: two students in two sections, a course
 * for section A with an assignment, a course for section B with another, a
 * timetable for both sections every day of the week, events for everyone, for
 * each section, a holiday, and a draft.
 */
const schoolFor = sharedSchool(
  {
    plugins: ['events', 'lms'],
    people: {
      head: 'TenantAdmin',
      teacher: 'Teacher',
      teacher2: 'Teacher',
      student: 'Student',
      student2: 'Student',
    },
  },
  async (school: School<Who>) => {
    const head = school.as('head')
    const grade = await created(head.post('/erp/classes', { name: 'Grade 7', grade_level: 7 }))
    const sectionA = await created(head.post('/erp/sections', { class_id: grade.id, name: 'A' }))
    const sectionB = await created(head.post('/erp/sections', { class_id: grade.id, name: 'B' }))
    const teacher = await created(
      head.post('/erp/teachers', {
        employee_no: 'T-9',
        name: 'Ada',
        user_id: school.people.teacher.id,
      })
    )
    for (const [no, section, user] of [
      ['S-1', sectionA.id, school.people.student.id],
      ['S-2', sectionB.id, school.people.student2.id],
    ]) {
      await created(
        head.post('/erp/students', {
          enrollment_no: no,
          first_name: 'Pupil',
          last_name: no,
          class_id: grade.id,
          section_id: section,
          user_id: user,
        })
      )
    }
    const period = await created(
      head.post('/erp/periods', { name: 'P1', starts_at: '08:00', ends_at: '08:45', position: 1 })
    )
    const history = await created(head.post('/erp/subjects', { code: 'HIS', name: 'History' }))
    const art = await created(head.post('/erp/subjects', { code: 'ART', name: 'Art' }))
    const period2 = await created(
      head.post('/erp/periods', { name: 'P2', starts_at: '09:00', ends_at: '09:45', position: 2 })
    )
    for (let weekday = 1; weekday <= 7; weekday++) {
      await created(
        head.post('/erp/timetable_slots', {
          weekday,
          period_id: period.id,
          section_id: sectionA.id,
          teacher_id: teacher.id,
          subject_id: history.id,
        })
      )
      await created(
        head.post('/erp/timetable_slots', {
          weekday,
          period_id: period2.id,
          section_id: sectionB.id,
          teacher_id: teacher.id,
          subject_id: art.id,
        })
      )
    }
    const course = async (code: string, section: string, due: string) => {
      const made = await created(
        head.post('/lms/courses', { code, title: code, teacher_id: teacher.id, status: 'active' })
      )
      await ok(head.post(`/lms/courses/${made.id}/enrol-section`, { section_id: section }))
      return created(
        head.post('/lms/assignments', {
          course_id: made.id,
          title: `Essay for ${code}`,
          max_points: 10,
          due_at: due,
          status: 'published',
        })
      )
    }
    const essayA = await course('HIS7A', sectionA.id, at(5))
    const essayB = await course('ART7B', sectionB.id, at(6))

    const event = (fields: Record<string, unknown>) =>
      created(
        head.post('/events/events', {
          starts_at: at(3),
          ends_at: at(3, 12),
          status: 'published',
          ...fields,
        })
      )
    const forAll = await event({ title: 'Open day' })
    const forA = await event({ title: 'Trip A', audience: 'sections', audience_ids: [sectionA.id] })
    const forB = await event({
      title: 'Trip B',
      audience: 'sections',
      audience_ids: [sectionB.id],
      registration_enabled: true,
    })
    const draft = await event({ title: 'Secret plan', status: 'draft' })
    const holiday = await event({
      title: 'Harvest holiday',
      starts_at: `${dateIn(8)}T00:00:00Z`,
      ends_at: `${dateIn(9)}T00:00:00Z`,
      all_day: true,
      is_holiday: true,
    })
    await created(school.as('student2').post(`/events/events/${forB.id}/register`))
    return {
      ids: {
        period1: period.id,
        essayA: essayA.id,
        essayB: essayB.id,
        forAll: forAll.id,
        forA: forA.id,
        forB: forB.id,
        draft: draft.id,
        holiday: holiday.id,
      } as Record<string, string>,
    }
  }
)

/** Reads an iCalendar document back into its VEVENTs (property name -> value, lines unfolded). */
function parseFeed(text: string): VEvent[] {
  const lines = text.replace(/\r\n[ \t]/g, '').split(/\r\n/)
  const events: VEvent[] = []
  let current: VEvent | null = null
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {}
    else if (line === 'END:VEVENT' && current) {
      events.push(current)
      current = null
    } else if (current) {
      const colon = line.indexOf(':')
      const name = line.slice(0, colon).split(';')[0]
      current[name] = line.slice(colon + 1)
    }
  }
  return events
}

/** The feed at `path`, fetched with no credentials but the tenant. */
function fetchFeed(client: ApiClient, tenant: Tenant, path: string) {
  return client.get(path).header('x-tenant-id', tenant.slug)
}

/** A new feed address for `who`; the answer names it in Location too. */
async function subscribe(school: CalendarSchool, who: Who) {
  const response = await school.as(who).post('/events/calendar/token')
  response.assertStatus(201)
  const feed = response.body().data
  if (response.header('location') !== feed.path)
    throw new Error(`Location ${response.header('location')} is not the feed ${feed.path}`)
  return feed
}

test.group('Calendar feed', () => {
  test("a student's feed merges their events, assignments and classes, never another's", async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { path, token } = await subscribe(school, 'student')
    assert.equal(path, `/api/v1/events/calendar/${token}.ics`)

    const response = await fetchFeed(client, school.tenant, path)
    response.assertStatus(200)
    assert.match(response.header('content-type') ?? '', /^text\/calendar/)
    const text = response.text()
    assert.match(text, /^BEGIN:VCALENDAR\r\n/)
    const entries = parseFeed(text)
    const uids = entries.map((entry) => entry.UID)
    const uid = (id: string) => `${id}@${school.tenant.slug}.oryne`
    const { ids } = school

    // Events of their audience, the LMS assignment of their course, their timetable.
    for (const mine of [
      `events:event-${ids.forAll}`,
      `events:event-${ids.forA}`,
      `lms:assignment-${ids.essayA}`,
    ])
      assert.include(uids, uid(mine))
    const essay = entries.find((entry) => entry.UID === uid(`lms:assignment-${ids.essayA}`))!
    assert.include(essay.SUMMARY, 'Essay for HIS7A')
    assert.equal(essay.CATEGORIES, 'assignment_due')
    const classes = entries.filter((entry) => entry.UID.startsWith('erp:slot-'))
    assert.isAtLeast(classes.length, 20)
    for (const lesson of classes) assert.include(lesson.SUMMARY, 'History (A)')

    // Nothing of section B's, nor drafts.
    for (const theirs of [
      `events:event-${ids.forB}`,
      `events:event-${ids.draft}`,
      `lms:assignment-${ids.essayB}`,
    ])
      assert.notInclude(uids, uid(theirs))
    assert.notInclude(text, 'Art (B)')
    assert.notInclude(text, 'Secret plan')

    // The holiday is in the calendar and clears its day of classes.
    const holiday = entries.find((entry) => entry.UID === uid(`events:event-${ids.holiday}`))!
    assert.equal(holiday.CATEGORIES, 'holiday')
    assert.include(holiday.DTSTART, dateIn(8).replaceAll('-', ''))
    assert.isFalse(classes.some((lesson) => lesson.UID.includes(dateIn(8))))
    assert.isTrue(classes.some((lesson) => lesson.UID.includes(dateIn(7))))
    assert.isTrue(classes.some((lesson) => lesson.UID.includes(dateIn(9))))
  })

  test('the other student sees their own entries, registered events included', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { path } = await subscribe(school, 'student2')
    const entries = parseFeed((await fetchFeed(client, school.tenant, path)).text())
    const uids = entries.map((entry) => entry.UID.split('@')[0])
    const { ids } = school
    assert.includeMembers(uids, [
      `events:event-${ids.forB}`,
      `events:event-${ids.forAll}`,
      `lms:assignment-${ids.essayB}`,
    ])
    assert.notInclude(uids, `events:event-${ids.forA}`)
    assert.notInclude(uids, `lms:assignment-${ids.essayA}`)
    assert.isTrue(entries.some((entry) => entry.SUMMARY === 'Art (B)'))
    assert.isFalse(entries.some((entry) => entry.SUMMARY === 'History (A)'))
  })

  test('a teacher sees the classes they teach in every section', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const { path } = await subscribe(school, 'teacher')
    const summaries = new Set(
      parseFeed((await fetchFeed(client, school.tenant, path)).text()).map((e) => e.SUMMARY)
    )
    assert.isTrue(summaries.has('History (A)'))
    assert.isTrue(summaries.has('Art (B)'))
  })

  test('a substitution moves the class to the substitute; the students keep it', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const head = school.as('head')
    const date = dateIn(12)
    const weekday = ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1
    const slots = (
      await head.get(`/erp/timetable_slots?filter[weekday][eq]=${weekday}&per_page=10`)
    )
      .body()
      .data.filter((slot: any) => slot.period_id === school.ids.period1)
    const substitute = await created(
      head.post('/erp/teachers', {
        employee_no: 'T-10',
        name: 'Bo',
        user_id: school.people.teacher2.id,
      })
    )
    await created(
      head.post('/erp/substitutions', {
        slot_id: slots[0].id,
        date,
        teacher_id: substitute.id,
        reason: 'Training',
      })
    )
    const uid = `erp:slot-${slots[0].id}-${date}@${school.tenant.slug}.oryne`
    const feedOf = async (who: Who) => {
      const { path } = await subscribe(school, who)
      return parseFeed((await fetchFeed(client, school.tenant, path)).text())
    }
    const covering = (await feedOf('teacher2')).find((entry) => entry.UID === uid)
    assert.exists(covering)
    assert.include(covering!.DESCRIPTION, 'Substitution')
    assert.isFalse((await feedOf('teacher')).some((entry) => entry.UID === uid))
    assert.isTrue((await feedOf('student')).some((entry) => entry.UID === uid))
  })

  test('bad, rotated, revoked and foreign tokens are a 404; the address needs no bearer', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const expectMissing = async (tenant: Tenant, path: string) => {
      const response = await fetchFeed(client, tenant, path)
      response.assertStatus(404)
      assert.equal(response.body().error.code, 'ERR_EVENTS_CALENDAR_NOT_FOUND')
    }
    await expectMissing(school.tenant, '/api/v1/events/calendar/not-a-token.ics')
    await expectMissing(school.tenant, `/api/v1/events/calendar/${'x'.repeat(43)}.ics`)

    const first = await subscribe(school, 'student')
    ;(await fetchFeed(client, school.tenant, first.path)).assertStatus(200)
    const second = await subscribe(school, 'student')
    assert.notEqual(second.token, first.token)
    await expectMissing(school.tenant, first.path)
    ;(await fetchFeed(client, school.tenant, second.path)).assertStatus(200)

    // Another school with the same plugin knows nothing of this token.
    const other = await openSchool(client, { plugins: ['events'] })
    await expectMissing(other.tenant, second.path)

    const revoked = await school.as('student').delete('/events/calendar/token')
    revoked.assertStatus(200)
    assert.isTrue(revoked.body().data.revoked)
    await expectMissing(school.tenant, second.path)

    // Getting a token needs a signed-in user.
    const anonymous = await client
      .post('/api/v1/events/calendar/token')
      .header('x-tenant-id', school.tenant.slug)
    anonymous.assertStatus(401)
  })

  test("holidays and all-day entries follow the tenant's time zone", async ({ client, assert }) => {
    const school = await openSchool(client, {
      plugins: ['events'],
      people: { head: 'TenantAdmin' },
    })
    const tenant = school.tenant
    const changed = await school
      .as('platform')
      .patch(`/platform/tenants/${tenant.slug}`, { settings: { time_zone: 'Asia/Tokyo' } })
    changed.assertStatus(200)
    const head = school.as('head')
    // Local midnight of the day 10 days ahead in Tokyo (UTC+09:00) is 15:00 UTC the day before.
    const local = dateIn(10)
    const startsAt = new Date(Date.parse(`${local}T00:00:00Z`) - 9 * 3_600_000).toISOString()
    await created(
      head.post('/events/events', {
        title: 'Diwali',
        starts_at: startsAt,
        ends_at: new Date(Date.parse(startsAt) + DAY).toISOString(),
        all_day: true,
        is_holiday: true,
        status: 'published',
      })
    )
    const day = async (date: string) =>
      (await head.get(`/erp/timetable/day?date=${date}`)).body().data
    assert.equal((await day(local)).holiday?.title, 'Diwali')
    assert.isNull((await day(dateIn(9))).holiday)
    assert.isNull((await day(dateIn(11))).holiday)

    const { path } = await created(head.post('/events/calendar/token'))
    const [diwali] = parseFeed((await fetchFeed(client, tenant, path)).text())
    assert.equal(diwali.DTSTART, local.replaceAll('-', ''))
    assert.equal(diwali.DTEND, dateIn(11).replaceAll('-', ''))
  })
})
