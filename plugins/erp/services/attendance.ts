import { E_ERP_NOT_FOUND, E_INVALID_TRANSITION } from '../errors.js'
import {
  assertNotHoliday,
  emitEvent,
  isoDate,
  readTenantDb,
  recordAudit,
  withTenantDb,
} from '@oryne/sdk'

export type BulkMarks = {
  section_id: string
  date: string
  session: string
  marks: Array<{ student_id: string; status: string; note?: string | null }>
}

/** present / (marked days without excused ones); late counts as present. */
const PERCENT_SQL = `round(100.0 * count(*) FILTER (WHERE status IN ('present', 'late'))
  / nullif(count(*) FILTER (WHERE status <> 'excused'), 0), 2)`

/**
 * Marks a section for one date and session in one statement (a second call
 * replaces the marks: marking is idempotent), then emits
 * `erp.attendance.below_threshold` for every marked student whose attendance
 * over the last `windowDays` days fell under `threshold` percent.
 */
export async function markSection(
  input: BulkMarks,
  options: {
    actor: string
    userId: string | null
    threshold: number
    windowDays: number
    requestId?: string
  }
) {
  // Holidays come from whichever plugin declares them (events), asked through core.
  await assertNotHoliday(input.date)
  return withTenantDb(async (trx) => {
    const ids = input.marks.map((mark) => mark.student_id)
    const members = await trx
      .from('erp_students')
      .where('section_id', input.section_id)
      .whereIn('id', ids)
      .select('id')
    const known = new Set(members.map((row) => String(row.id)))
    const strangers = ids.filter((id) => !known.has(String(id)))
    if (strangers.length) {
      return { marked: 0, not_in_section: strangers, below_threshold: [] as string[] }
    }
    await trx
      .insertQuery()
      .table('erp_attendance_marks')
      .multiInsert(
        input.marks.map((mark) => ({
          student_id: mark.student_id,
          date: input.date,
          session: input.session,
          status: mark.status,
          note: mark.note ?? null,
          marked_by: options.userId,
        }))
      )
      .onConflict(['student_id', 'date', 'session'])
      .merge(['status', 'note', 'marked_by', 'updated_at'])
    await recordAudit(trx, {
      actor: options.actor,
      action: 'erp.attendance_marks.bulk',
      subject: `erp.sections:${input.section_id}`,
      data: { date: input.date, session: input.session, marks: input.marks.length },
      request_id: options.requestId,
    })
    const { rows } = await trx.rawQuery(
      `SELECT student_id, ${PERCENT_SQL} AS percent
         FROM erp_attendance_marks
        WHERE student_id = ANY(?::bigint[]) AND date > (?::date - ?::int) AND date <= ?::date
        GROUP BY student_id`,
      [ids, input.date, options.windowDays, input.date]
    )
    const below = rows.filter(
      (row: any) => row.percent !== null && Number(row.percent) < options.threshold
    )
    for (const row of below) {
      await emitEvent(
        'erp.attendance.below_threshold',
        {
          student_id: String(row.student_id),
          percent: Number(row.percent),
          threshold: options.threshold,
          window_days: options.windowDays,
          as_of: input.date,
        },
        options.actor
      )
    }
    return {
      marked: input.marks.length,
      not_in_section: [] as string[],
      below_threshold: below.map((row: any) => String(row.student_id)),
    }
  })
}

/** Attendance percentage per student over a period (row rules are applied by the caller's filter). */
export async function attendanceSummary(filters: {
  from: string
  to: string
  student_ids?: string[] | null
  section_id?: string
}) {
  return readTenantDb(async (client, table) => {
    const query = client
      .from(table('erp_attendance_marks', 'm'))
      .join(table('erp_students', 's'), 's.id', 'm.student_id')
      .whereBetween('m.date', [filters.from, filters.to])
      .groupBy('m.student_id', 's.enrollment_no')
      .orderBy('s.enrollment_no')
      .select(
        'm.student_id',
        's.enrollment_no',
        client.raw(`count(*) FILTER (WHERE m.status = 'present') AS present`),
        client.raw(`count(*) FILTER (WHERE m.status = 'absent') AS absent`),
        client.raw(`count(*) FILTER (WHERE m.status = 'late') AS late`),
        client.raw(`count(*) FILTER (WHERE m.status = 'excused') AS excused`),
        client.raw(PERCENT_SQL.replaceAll('status', 'm.status') + ' AS percent')
      )
    if (filters.student_ids) query.whereIn('m.student_id', filters.student_ids)
    if (filters.section_id) query.where('s.section_id', filters.section_id)
    const rows = await query
    return rows.map((row: any) => ({
      student_id: String(row.student_id),
      enrollment_no: row.enrollment_no,
      present: Number(row.present),
      absent: Number(row.absent),
      late: Number(row.late),
      excused: Number(row.excused),
      percent: row.percent === null ? null : Number(row.percent),
    }))
  })
}

/**
 * Approves or rejects a pending leave application. Approval marks the
 * student's existing marks in the range as excused, so approved leave never
 * counts against attendance.
 */
export async function decideLeave(
  id: string,
  decision: 'approved' | 'rejected',
  note: string | null,
  options: { actor: string; userId: string | null; requestId?: string }
) {
  return withTenantDb(async (trx) => {
    const leave = await trx.from('erp_leave_applications').where('id', id).forUpdate().first()
    if (!leave) throw new E_ERP_NOT_FOUND(['Leave application', id])
    if (leave.status !== 'pending') {
      throw new E_INVALID_TRANSITION([`leave application ${id}`, leave.status, decision])
    }
    const [updated] = await trx
      .from('erp_leave_applications')
      .where('id', id)
      .update({
        status: decision,
        decided_by: options.userId,
        decision_note: note,
        updated_at: new Date(),
      })
      .returning('*')
    let excused = 0
    if (decision === 'approved') {
      const changed = await trx
        .from('erp_attendance_marks')
        .where('student_id', leave.student_id)
        .whereBetween('date', [leave.from_date, leave.to_date])
        .whereNot('status', 'excused')
        .update({ status: 'excused', note: `leave ${id}`, updated_at: new Date() })
        .returning('id')
      excused = changed.length
    }
    await recordAudit(trx, {
      actor: options.actor,
      action: `erp.leave_applications.${decision === 'approved' ? 'approve' : 'reject'}`,
      subject: `erp.leave_applications:${id}`,
      data: { before: { status: 'pending' }, after: { status: decision }, marks_excused: excused },
      request_id: options.requestId,
    })
    await emitEvent(
      `erp.leave.${decision}`,
      { id: String(id), student_id: String(leave.student_id) },
      options.actor
    )
    return { ...updated, marks_excused: Number(excused) }
  })
}

/** A Student or Parent applies for leave only for themself or their own children. */
export const leaveHooks = {
  async beforeCreate(
    data: Record<string, unknown>,
    { trx, principal }: { trx: any; principal: { kind: string; id: string; roles: string[] } }
  ) {
    const restricted =
      principal.kind === 'user' &&
      principal.roles.length > 0 &&
      principal.roles.every((role) => role === 'Student' || role === 'Parent')
    if (!restricted) return
    const own = await trx
      .from('erp_students')
      .where('id', data.student_id)
      .where((q: any) =>
        q
          .where('user_id', principal.id)
          .orWhereIn(
            'id',
            trx.from('erp_guardians').where('user_id', principal.id).select('student_id')
          )
      )
      .first()
    if (!own) throw new E_ERP_NOT_FOUND(['Student', String(data.student_id)])
  },
}

/** Single marks written through the resource API are refused on holidays too. */
export const attendanceMarkHooks = {
  async beforeCreate(data: Record<string, unknown>) {
    await assertNotHoliday(isoDate(data.date))
  },
  async beforeUpdate(changes: Record<string, unknown>, before: Record<string, unknown>) {
    if (changes.date !== undefined) await assertNotHoliday(isoDate(changes.date ?? before.date))
  },
}
