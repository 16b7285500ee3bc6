import { readTenantDb, type CalendarEntry, type CalendarQuery } from '@oryne/sdk'

/**
 * The user's assignment due dates for calendars (manifest `calendar`):
 * published assignments of the courses they teach, take, or follow as a
 * guardian, falling due between `from` and `to`.
 */
export async function lmsCalendar({ userId, from, to }: CalendarQuery): Promise<CalendarEntry[]> {
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('lms_assignments', 'a'))
      .join(table('lms_courses', 'c'), 'c.id', 'a.course_id')
      .whereIn(
        'a.course_id',
        client
          .from(table('lms_course_audience', 'aud'))
          .where('aud.user_id', userId)
          .select('aud.course_id')
      )
      .where('a.status', 'published')
      .where('a.due_at', '>=', from)
      .where('a.due_at', '<', to)
      .orderBy('a.due_at')
      .select('a.id', 'a.title', 'a.due_at', 'c.code', 'c.title as course')
  )
  return rows.map((row) => ({
    uid: `assignment-${row.id}`,
    title: `Due: ${row.title} (${row.code})`,
    starts_at: new Date(row.due_at).toISOString(),
    ends_at: null,
    description: `Assignment of ${row.course}`,
    kind: 'assignment_due',
  }))
}
