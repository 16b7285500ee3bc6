import { E_LMS_NOT_FOUND, E_SESSION_NOT_OPEN } from '../errors.js'
import type { LmsSettings } from '../settings.js'
import { actorOf, courseReach, inTransaction, ownStudent, teaches, type Row } from './access.js'
import { roomSecret } from './files.js'
import {
  emitEvent,
  invalidField,
  recordAudit,
  tenantContext,
  userIdOf,
  withTenantDb,
  type Principal,
  type ResourceHooks,
} from '@oryne/sdk'

/*
 * Live classes: a provider-agnostic join link from the URL template of the
 * session's provider, and attendance, recorded when a student joins or
 * captured by the teacher. A teacher's mark is never overwritten by a join.
 */

function time(value: unknown) {
  return new Date(value as string).getTime()
}

/** Start before end. */
export const liveSessionHooks: ResourceHooks = {
  beforeCreate(data) {
    if (time(data.ends_at) <= time(data.starts_at)) {
      throw invalidField('ends_at', 'after', 'A session ends after it starts')
    }
  },
  beforeUpdate(changes, before) {
    const merged = { ...before, ...changes }
    if (time(merged.ends_at) <= time(merged.starts_at)) {
      throw invalidField('ends_at', 'after', 'A session ends after it starts')
    }
  },
}

/** Recording a mark through the CRUD API makes it the teacher's. */
export const liveAttendanceHooks: ResourceHooks = {
  beforeUpdate(changes, _before, { principal }) {
    changes.source = 'manual'
    changes.recorded_by = principal.kind === 'user' ? principal.id : null
  },
}

/** The URL of the provider's template with its placeholders filled in (each URL-encoded). */
export function joinUrl(
  template: string,
  values: Record<'tenant' | 'course' | 'session' | 'room', string>
) {
  return template.replace(
    /\{(tenant|course|session|room)\}/g,
    (_match, name: keyof typeof values) => encodeURIComponent(values[name])
  )
}

/**
 * The join link of a session, for its course's teacher and students (and the
 * unrestricted), from the opening time until it ends. A student's join
 * records their attendance: present, or late after `late_after_minutes`.
 */
export async function joinSession(
  id: string,
  principal: Principal,
  settings: LmsSettings,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const now = new Date()
    const session = await trx.from('lms_live_sessions').where('id', id).first()
    const reach =
      session && (await courseReach(inTransaction(trx), principal, String(session.course_id)))
    if (!reach || !(reach.staff || reach.teacher || reach.student))
      throw new E_LMS_NOT_FOUND(['Live session', id])
    if (session.status === 'cancelled') throw new E_SESSION_NOT_OPEN([id, 'cancelled'])
    const opens = time(session.starts_at) - settings.join_opens_minutes_before * 60_000
    if (now.getTime() < opens) {
      throw new E_SESSION_NOT_OPEN([
        id,
        `not open yet: it opens at ${new Date(opens).toISOString()}`,
      ])
    }
    if (now.getTime() > time(session.ends_at)) throw new E_SESSION_NOT_OPEN([id, 'over'])

    const course = await trx
      .from('lms_courses')
      .where('id', String(session.course_id))
      .select('code')
      .first()
    const template =
      session.provider === 'bbb' ? settings.bbb_url_template : settings.jitsi_url_template
    const url = joinUrl(template, {
      tenant: tenantContext.require().slug,
      course: String(course.code).toLowerCase(),
      session: String(session.id),
      room: roomSecret(String(session.id)),
    })

    let attendance: Row | null = null
    if (reach.student && !reach.staff && !reach.teacher) {
      const student = await ownStudent(inTransaction(trx), principal)
      const late = now.getTime() > time(session.starts_at) + settings.late_after_minutes * 60_000
      const { rows } = await trx.rawQuery(
        `INSERT INTO lms_live_attendance (session_id, course_id, student_id, student_user_id, status, joined_at, source)
         VALUES (?, ?, ?, ?, ?, ?, 'join')
         ON CONFLICT (session_id, student_id) DO UPDATE
            SET joined_at = coalesce(lms_live_attendance.joined_at, EXCLUDED.joined_at), updated_at = now()
         RETURNING *`,
        [session.id, session.course_id, student.id, principal.id, late ? 'late' : 'present', now]
      )
      attendance = rows[0]
      await recordAudit(trx, {
        actor: actorOf(principal),
        action: 'lms.live_sessions.join',
        subject: `lms.live_sessions:${id}`,
        data: { student_id: String(student.id), status: attendance!.status },
        request_id: requestId,
      })
    }
    return {
      session_id: String(session.id),
      provider: session.provider,
      url,
      starts_at: session.starts_at,
      ends_at: session.ends_at,
      attendance: attendance && { status: attendance.status, joined_at: attendance.joined_at },
    }
  })
}

export type AttendanceMark = { student_id: string; status: string; note?: string | null }

/**
 * Captures the attendance of a session (the teacher's marks win over joins).
 * Every student must be enrolled in the course; otherwise nothing is written
 * and `not_enrolled` lists them.
 */
export async function captureAttendance(
  id: string,
  marks: AttendanceMark[],
  principal: Principal,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const session = await trx.from('lms_live_sessions').where('id', id).first()
    if (!session || !(await teaches(inTransaction(trx), principal, String(session.course_id)))) {
      throw new E_LMS_NOT_FOUND(['Live session', id])
    }
    const enrolled = await trx
      .from('lms_enrolments')
      .where('course_id', String(session.course_id))
      .whereIn(
        'student_id',
        marks.map((mark) => mark.student_id)
      )
      .select('student_id', 'student_user_id')
    const userOf = new Map(enrolled.map((row) => [String(row.student_id), row.student_user_id]))
    const notEnrolled = marks
      .map((mark) => mark.student_id)
      .filter((student) => !userOf.has(student))
    if (notEnrolled.length) return { marked: 0, not_enrolled: notEnrolled }

    const recorder = userIdOf(principal)
    await trx
      .insertQuery()
      .table('lms_live_attendance')
      .multiInsert(
        marks.map((mark) => ({
          session_id: session.id,
          course_id: session.course_id,
          student_id: mark.student_id,
          student_user_id: userOf.get(mark.student_id) ?? null,
          status: mark.status,
          note: mark.note ?? null,
          source: 'manual',
          recorded_by: recorder,
        }))
      )
      .onConflict(['session_id', 'student_id'])
      .merge(['status', 'note', 'source', 'recorded_by', 'updated_at'])
    const actor = actorOf(principal)
    await recordAudit(trx, {
      actor,
      action: 'lms.live_attendance.capture',
      subject: `lms.live_sessions:${id}`,
      data: { marks: marks.length },
      request_id: requestId,
    })
    await emitEvent(
      'lms.live_attendance.captured',
      { session_id: String(session.id), course_id: String(session.course_id), marks: marks.length },
      actor
    )
    return { marked: marks.length, not_enrolled: [] as string[] }
  })
}
