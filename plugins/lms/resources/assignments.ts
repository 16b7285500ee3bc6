import { courseContent, studentRecords } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

export const LATE_POLICIES = ['accept', 'penalise', 'reject'] as const
export const ASSIGNMENT_STATUSES = ['draft', 'published'] as const
export const SUBMISSION_STATUSES = ['draft', 'submitted', 'graded', 'returned'] as const

/** Points: numeric(8,2), exact; the API carries them as strings such as "8.50". */
const points = (options: { required?: boolean; readOnly?: boolean; min?: number } = {}) =>
  field.decimal({ precision: 8, scale: 2, max: 100_000, ...options })

export const assignments = defineResource({
  name: 'assignments',
  description:
    'Work set in a course. After due_at a submission is late (accepted, penalised or refused by late_policy); after cut_off_at none is taken.',
  fields: {
    course_id: field.reference('courses', { required: true, as: 'course', onDelete: 'cascade' }),
    title: field.string({ required: true, max: 200, search: true }),
    instructions: field.text({ max: 50_000 }),
    due_at: field.datetime({ index: true }),
    cut_off_at: field.datetime(),
    max_points: points({ required: true, min: 0.01 }),
    attempts_allowed: field.integer({
      default: 1,
      min: 0,
      max: 100,
      description: '0: unlimited.',
    }),
    late_policy: field.enum(LATE_POLICIES, { default: 'accept' }),
    late_penalty_percent: field.decimal({ precision: 5, scale: 2, min: 0, max: 100, default: 0 }),
    category_id: field.reference('grade_categories', { as: 'category', onDelete: 'set null' }),
    rubric_id: field.reference('rubrics', { as: 'rubric', onDelete: 'set null' }),
    status: field.enum(ASSIGNMENT_STATUSES, { default: 'draft' }),
    due_soon_notified_at: field.datetime({
      readOnly: true,
      description: 'When lms.assignment.due_soon was emitted; cleared when due_at changes.',
    }),
  },
  // Students and guardians see published assignments only.
  rowRules: courseContent((query) => query.where('status', 'published')),
  defaultSort: 'due_at',
})

/**
 * One attempt of one student at an assignment. Written only through the
 * workflow routes (start, draft, files, submit, grade, return), read here.
 */
export const submissions = defineResource({
  name: 'submissions',
  permissions: { create: false, update: false, delete: false },
  fields: {
    assignment_id: field.reference('assignments', {
      required: true,
      as: 'assignment',
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
    attempt: field.integer({ required: true, min: 1, readOnly: true }),
    text: field.text({ max: 100_000, readOnly: true }),
    files: field.json({
      readOnly: true,
      description: 'Uploaded files: [{ key, name, size, content_type, uploaded_at }].',
    }),
    status: field.enum(SUBMISSION_STATUSES, { default: 'draft', readOnly: true }),
    submitted_at: field.datetime({ readOnly: true }),
    returned_at: field.datetime({ readOnly: true }),
    late: field.boolean({ default: false, readOnly: true }),
  },
  rowRules: studentRecords(),
  defaultSort: '-created_at',
})
