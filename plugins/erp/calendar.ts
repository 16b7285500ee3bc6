import { DateTime } from 'luxon'
import {
  holidaysBetween,
  isoDate,
  readTenantDb,
  tenantZone,
  type CalendarEntry,
  type CalendarQuery,
} from '@oryne/sdk'

type Row = Record<string, any>

/** Whose weekly slots the user sees: their section as a student, their own as a teacher. */
async function weeklySlots(userId: string) {
  return readTenantDb(async (client, table) => {
    const students = await client
      .from(table('erp_students'))
      .where('user_id', userId)
      .whereNotNull('section_id')
      .select('section_id')
    const teachers = await client.from(table('erp_teachers')).where('user_id', userId).select('id')
    const sectionIds = students.map((row) => row.section_id)
    const teacherIds = teachers.map((row) => row.id)
    if (!sectionIds.length && !teacherIds.length)
      return { slots: [] as Row[], teacherIds, sectionIds }
    const slots = await client
      .from(table('erp_timetable_slots', 't'))
      .join(table('erp_periods', 'p'), 'p.id', 't.period_id')
      .join(table('erp_subjects', 'sub'), 'sub.id', 't.subject_id')
      .join(table('erp_sections', 'sec'), 'sec.id', 't.section_id')
      .leftJoin(table('erp_rooms', 'r'), 'r.id', 't.room_id')
      .where((q) => {
        if (sectionIds.length) q.orWhereIn('t.section_id', sectionIds)
        if (teacherIds.length) q.orWhereIn('t.teacher_id', teacherIds)
      })
      .select(
        't.id',
        't.weekday',
        't.teacher_id',
        't.section_id',
        'p.starts_at',
        'p.ends_at',
        'sub.name as subject',
        'sec.name as section',
        'r.name as room'
      )
    return { slots: slots as Row[], teacherIds, sectionIds }
  })
}

/** Substitutions in the window: who takes a slot on a date instead of its teacher. */
async function substitutionsBetween(
  from: string,
  to: string,
  slotIds: unknown[],
  teacherIds: unknown[]
) {
  return readTenantDb((client, table) =>
    client
      .from(table('erp_substitutions', 's'))
      .join(table('erp_timetable_slots', 't'), 't.id', 's.slot_id')
      .join(table('erp_periods', 'p'), 'p.id', 't.period_id')
      .join(table('erp_subjects', 'sub'), 'sub.id', 't.subject_id')
      .join(table('erp_sections', 'sec'), 'sec.id', 't.section_id')
      .leftJoin(table('erp_rooms', 'r'), 'r.id', 't.room_id')
      .whereBetween('s.date', [from, to])
      .where((q) => {
        q.whereIn('s.slot_id', slotIds as any[])
        if (teacherIds.length) q.orWhereIn('s.teacher_id', teacherIds as any[])
      })
      .select(
        's.slot_id',
        's.date',
        's.teacher_id',
        'p.starts_at',
        'p.ends_at',
        'sub.name as subject',
        'sec.name as section',
        'r.name as room'
      )
  )
}

/**
 * The user's timetable as dated classes for calendars (manifest `calendar`):
 * the weekly slots of a student's section and of a teacher, laid out on every
 * school day between `from` and `to` in the tenant's time zone. Holidays (from
 * core, whichever plugin declares them) have no classes; a slot taken by a
 * substitute moves to the substitute's calendar for that date.
 */
export async function erpCalendar({ userId, from, to }: CalendarQuery): Promise<CalendarEntry[]> {
  const zone = tenantZone()
  const first = DateTime.fromISO(from, { zone }).startOf('day')
  const last = DateTime.fromISO(to, { zone })
  if (!first.isValid || !last.isValid || last < first) return []
  const { slots, teacherIds, sectionIds } = await weeklySlots(userId)
  if (!slots.length && !teacherIds.length) return []
  const fromDate = first.toISODate()!
  const toDate = last.toISODate()!
  const holidayList = await holidaysBetween(fromDate, toDate)
  const holidays = new Set(holidayList.map((holiday) => holiday.date))
  const substitutions = await substitutionsBetween(
    fromDate,
    toDate,
    slots.map((slot) => slot.id),
    teacherIds
  )
  const mine = new Set(teacherIds.map(String))
  const learning = new Set(sectionIds.map(String))
  const covered = new Set(
    substitutions
      .filter((s) => !mine.has(String(s.teacher_id)))
      .map((s) => `${s.slot_id}@${isoDate(s.date)}`)
  )

  const entry = (slot: Row, date: string, uid: string, note: string | null): CalendarEntry => {
    const at = (time: string) => DateTime.fromISO(`${date}T${time}`, { zone }).toUTC().toISO()!
    return {
      uid,
      title: `${slot.subject} (${slot.section})`,
      starts_at: at(slot.starts_at),
      ends_at: at(slot.ends_at),
      description:
        [slot.room ? `Room ${slot.room}` : null, note].filter(Boolean).join('. ') || null,
      kind: 'class',
    }
  }

  const entries: CalendarEntry[] = []
  for (let day = first; day <= last; day = day.plus({ days: 1 })) {
    const date = day.toISODate()!
    if (holidays.has(date)) continue
    for (const slot of slots) {
      if (Number(slot.weekday) !== day.weekday) continue
      // A covered slot leaves its teacher's calendar; its students still have the class.
      if (covered.has(`${slot.id}@${date}`) && !learning.has(String(slot.section_id))) continue
      entries.push(entry(slot, date, `slot-${slot.id}-${date}`, null))
    }
  }
  for (const substitution of substitutions) {
    const date = isoDate(substitution.date)
    if (!mine.has(String(substitution.teacher_id)) || holidays.has(date)) continue
    entries.push(entry(substitution, date, `slot-${substitution.slot_id}-${date}`, 'Substitution'))
  }
  return entries.filter(
    (e) => e.starts_at >= new Date(from).toISOString() && e.starts_at < new Date(to).toISOString()
  )
}
