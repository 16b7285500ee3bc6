import { courseContent, studentRecords } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

export const LIVE_PROVIDERS = ['bbb', 'jitsi'] as const
export const ATTENDANCE_STATUSES = ['present', 'late', 'absent', 'excused'] as const

/** Scheduled live classes; the join link comes from the provider's URL template (LMS settings). */
export const liveSessions = defineResource({
  name: 'live_sessions',
  fields: {
    course_id: field.reference('courses', { required: true, as: 'course', onDelete: 'cascade' }),
    title: field.string({ required: true, max: 200 }),
    starts_at: field.datetime({ required: true, index: true }),
    ends_at: field.datetime({ required: true }),
    provider: field.enum(LIVE_PROVIDERS, { default: 'jitsi' }),
    status: field.enum(['scheduled', 'cancelled'], { default: 'scheduled' }),
    notes: field.text({ max: 5000 }),
  },
  rowRules: courseContent(),
  defaultSort: 'starts_at',
})

/**
 * Attendance of one student at one live session: recorded when the student
 * joins, or captured by the teacher (POST /live_sessions/:id/attendance).
 */
export const liveAttendance = defineResource({
  name: 'live_attendance',
  permissions: { create: false },
  fields: {
    session_id: field.reference('live_sessions', {
      required: true,
      as: 'session',
      readOnly: true,
      onDelete: 'cascade',
    }),
    course_id: field.reference('courses', {
      required: true,
      as: 'course',
      readOnly: true,
      onDelete: 'cascade',
    }),
    student_id: field.reference('erp.students', {
      required: true,
      as: 'student',
      readOnly: true,
      onDelete: 'cascade',
    }),
    student_user_id: field.reference('core.users', {
      as: 'student_user',
      readOnly: true,
      onDelete: 'set null',
    }),
    status: field.enum(ATTENDANCE_STATUSES, { required: true }),
    joined_at: field.datetime({ readOnly: true }),
    source: field.enum(['join', 'manual'], { default: 'manual', readOnly: true }),
    recorded_by: field.reference('core.users', {
      as: 'recorder',
      readOnly: true,
      onDelete: 'set null',
    }),
    note: field.string({ max: 300 }),
  },
  rowRules: studentRecords(),
  defaultSort: '-created_at',
})
