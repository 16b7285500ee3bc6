import { DateTime } from 'luxon'
import { dayTimetable } from './timetable.js'
import { E_ERP_NOT_FOUND } from '../errors.js'
import { readTenantDb } from '@oryne/sdk'

type Row = Record<string, any>

/** Whose timetable a user has: a teacher's own classes, or the section of a student. */
export type TimetableOwner =
  { as: 'teacher'; teacher_id: string } | { as: 'student'; section_id: string } | { as: null }

/**
 * The teacher profile linked to the user, else the student profile (with a
 * section). With `studentId`, that student's section, for the student
 * themself or a guardian of theirs only (anyone else: not found).
 */
export async function timetableOwner(userId: string, studentId?: string): Promise<TimetableOwner> {
  return readTenantDb(async (client, table) => {
    if (studentId) {
      const student = await client
        .from(table('erp_students'))
        .where('id', studentId)
        .where((own) =>
          own
            .where('user_id', userId)
            .orWhereIn(
              'id',
              client.from(table('erp_guardians')).where('user_id', userId).select('student_id')
            )
        )
        .select('section_id')
        .first()
      if (!student) throw new E_ERP_NOT_FOUND(['Student', studentId])
      return student.section_id
        ? { as: 'student', section_id: String(student.section_id) }
        : { as: null }
    }
    const teacher = await client
      .from(table('erp_teachers'))
      .where('user_id', userId)
      .where('status', 'active')
      .select('id')
      .first()
    if (teacher) return { as: 'teacher', teacher_id: String(teacher.id) }
    const student = await client
      .from(table('erp_students'))
      .where('user_id', userId)
      .whereNotNull('section_id')
      .select('section_id')
      .first()
    if (student) return { as: 'student', section_id: String(student.section_id) }
    return { as: null }
  })
}

/** Names of the sections (with their class), subjects, rooms and teachers of some slots. */
async function namesOf(slots: Row[]) {
  const ids = (key: string) => [
    ...new Set(slots.map((slot) => slot[key]).filter((id) => id !== null)),
  ]
  return readTenantDb(async (client, table) => {
    const [sections, subjects, rooms, teachers] = await Promise.all([
      client
        .from(table('erp_sections', 's'))
        .leftJoin(table('erp_classes', 'c'), 'c.id', 's.class_id')
        .whereIn('s.id', ids('section_id'))
        .select('s.id', 's.name', 'c.name as class_name'),
      client.from(table('erp_subjects')).whereIn('id', ids('subject_id')).select('id', 'name'),
      client.from(table('erp_rooms')).whereIn('id', ids('room_id')).select('id', 'name'),
      client.from(table('erp_teachers')).whereIn('id', ids('teacher_id')).select('id', 'name'),
    ])
    const byId = (rows: Row[], name: (row: Row) => string) =>
      new Map(rows.map((row) => [String(row.id), name(row)]))
    return {
      section: byId(sections, (row) =>
        row.class_name ? `${row.class_name} ${row.name}` : row.name
      ),
      subject: byId(subjects, (row) => row.name),
      room: byId(rooms, (row) => row.name),
      teacher: byId(teachers, (row) => row.name),
    }
  })
}

/**
 * The user's timetable for `days` dates from `from` (substitutions applied,
 * holidays carried): a teacher's own classes, a student's section's (or,
 * with `studentId`, a child's section's for their guardian). Other users have
 * none (`as` null, no days).
 */
export async function myTimetable(userId: string, from: string, days: number, studentId?: string) {
  const owner = await timetableOwner(userId, studentId)
  if (owner.as === null) return { as: null, days: [] }
  const who =
    owner.as === 'teacher' ? { teacher_id: owner.teacher_id } : { section_id: owner.section_id }
  const start = DateTime.fromISO(from)
  const dates = Array.from({ length: days }, (_, i) => start.plus({ days: i }).toISODate()!)
  const timetables = []
  for (const date of dates) timetables.push(await dayTimetable(date, who))
  const names = await namesOf(timetables.flatMap((day) => day.slots as Row[]))
  const name = (map: Map<string, string>, id: unknown) =>
    id === null ? null : (map.get(String(id)) ?? null)
  return {
    as: owner.as,
    days: timetables.map((day) => ({
      ...day,
      slots: (day.slots as Row[]).map((slot) => ({
        slot_id: slot.slot_id,
        period: slot.period,
        starts_at: slot.starts_at,
        ends_at: slot.ends_at,
        section_id: slot.section_id,
        section: name(names.section, slot.section_id),
        subject: name(names.subject, slot.subject_id),
        room: name(names.room, slot.room_id),
        teacher: name(names.teacher, slot.teacher_id),
        substitution: slot.substitution_id !== null,
      })),
    })),
  }
}
