import { insertRows, type DemoContext, type Trx } from '@oryne/sdk'
import { fromErp } from '../erp/index.js'

const DAY = 86_400_000

/** A date `days` from today at `hour`:00 UTC (demo data need not follow the tenant's zone exactly). */
function day(days: number, hour = 9) {
  const at = new Date(Date.now() + days * DAY)
  at.setUTCHours(hour, 0, 0, 0)
  return at
}

/**
 * The events side of the demo school (after the ERP's): a sports day with
 * limited places (ten demo students registered, the rest of the first class
 * waiting), a paid museum trip, a parent-teacher meeting for parents, mid-term
 * exams and a public holiday that ERP attendance and timetable honour.
 */
export async function seedEventsDemo(trx: Trx, people: DemoContext) {
  const firstClass = await fromErp(trx, 'classes', 'c')
    .orderBy('c.grade_level')
    .select('c.id')
    .first()
  const rows = [
    {
      title: 'Sports day',
      description: 'Track and field for every grade. Bring a water bottle.',
      starts_at: day(10, 8),
      ends_at: day(10, 15),
      venue: 'Main field',
      audience: 'all',
      audience_ids: null,
      registration_enabled: true,
      capacity: 12,
      waitlist: true,
      registration_closes_at: day(9, 18),
      status: 'published',
    },
    {
      title: 'Science museum trip',
      description: 'A guided visit; the fee covers the bus and the tickets.',
      starts_at: day(20, 9),
      ends_at: day(20, 16),
      venue: 'City science museum',
      audience: firstClass ? 'classes' : 'all',
      audience_ids: firstClass ? JSON.stringify([String(firstClass.id)]) : null,
      registration_enabled: true,
      capacity: 40,
      fee: 1500,
      registration_closes_at: day(15, 18),
      status: 'published',
    },
    {
      title: 'Parent-teacher meeting',
      starts_at: day(14, 16),
      ends_at: day(14, 19),
      venue: 'Assembly hall',
      audience: 'roles',
      audience_ids: JSON.stringify(['Parent', 'Teacher']),
      is_parent_meeting: true,
      status: 'published',
    },
    {
      title: 'Mid-term examinations',
      starts_at: day(30, 0),
      ends_at: day(35, 0),
      all_day: true,
      audience: 'all',
      is_exam: true,
      status: 'published',
    },
    {
      title: 'Founders day (holiday)',
      starts_at: day(25, 0),
      ends_at: day(26, 0),
      all_day: true,
      audience: 'all',
      is_holiday: true,
      status: 'published',
    },
  ]
  const events = await insertRows(
    trx,
    'events_events',
    rows.map((row) => ({ ...row, created_by: people.teachers[0]?.id ?? null }))
  )
  const sportsDay = events[0]
  const registrations = await insertRows(
    trx,
    'events_registrations',
    people.students.slice(0, 15).map((student, i) => ({
      event_id: sportsDay.id,
      user_id: student.id,
      status: i < 12 ? 'registered' : 'waitlisted',
      placed_at: i < 12 ? new Date() : null,
    }))
  )
  return { events: events.length, registrations: registrations.length }
}
