import { studentOwned } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

export const ATTENDANCE_STATUSES = ['present', 'absent', 'late', 'excused'] as const

/** One mark per student, date and session ('day' for daily attendance). */
export const attendanceMarks = defineResource({
  name: 'attendance_marks',
  fields: {
    student_id: field.reference('students', { required: true, as: 'student', onDelete: 'cascade' }),
    date: field.date({ required: true, index: true }),
    session: field.string({ required: true, max: 40, default: 'day' }),
    status: field.enum(ATTENDANCE_STATUSES, { required: true }),
    note: field.string({ max: 300 }),
    marked_by: field.reference('core.users', {
      as: 'marker',
      readOnly: true,
      onDelete: 'set null',
    }),
  },
  rowRules: studentOwned(),
  defaultSort: '-date',
})

export const leaveApplications = defineResource({
  name: 'leave_applications',
  fields: {
    student_id: field.reference('students', { required: true, as: 'student', onDelete: 'cascade' }),
    from_date: field.date({ required: true }),
    to_date: field.date({ required: true }),
    reason: field.text({ required: true, max: 2000 }),
    status: field.enum(['pending', 'approved', 'rejected'], { default: 'pending', readOnly: true }),
    decided_by: field.reference('core.users', {
      as: 'decider',
      readOnly: true,
      onDelete: 'set null',
    }),
    decision_note: field.text({ readOnly: true }),
  },
  rowRules: studentOwned(),
  defaultSort: '-from_date',
})
