import { audienceCourses, courseContent, studentRecords } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

export const COURSE_STATUSES = ['draft', 'active', 'archived'] as const
export const ENROLMENT_STATUSES = ['active', 'completed', 'dropped'] as const

/** Courses, their sections and the ERP students enrolled in them. */
export const courses = defineResource({
  name: 'courses',
  description:
    'A course taught by one ERP teacher; archived courses take no enrolments or submissions.',
  fields: {
    code: field.string({
      required: true,
      unique: true,
      max: 40,
      pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      search: true,
    }),
    title: field.string({ required: true, max: 200, search: true }),
    description: field.text({ max: 20_000, search: true }),
    teacher_id: field.reference('erp.teachers', { as: 'teacher', onDelete: 'set null' }),
    teacher_user_id: field.reference('core.users', {
      as: 'teacher_user',
      readOnly: true,
      onDelete: 'set null',
      description: 'The user of the ERP teacher, kept by the LMS for row rules.',
    }),
    credits: field.decimal({ precision: 5, scale: 2, min: 0, max: 100 }),
    metadata: field.json(),
    status: field.enum(COURSE_STATUSES, { default: 'draft' }),
  },
  rowRules: {
    Teacher: (principal, query) => {
      query.where('teacher_user_id', principal.id)
    },
    Student: audienceCourses('student', 'id'),
    Parent: audienceCourses('guardian', 'id'),
  },
  defaultSort: 'code',
})

export const courseSections = defineResource({
  name: 'course_sections',
  description:
    "A group of a course's students, usually one ERP section (bulk enrolment creates it).",
  fields: {
    course_id: field.reference('courses', { required: true, as: 'course', onDelete: 'cascade' }),
    name: field.string({ required: true, max: 120 }),
    erp_section_id: field.reference('erp.sections', { as: 'erp_section', onDelete: 'set null' }),
    position: field.integer({ min: 0, max: 10_000, default: 0 }),
  },
  rowRules: courseContent(),
  defaultSort: 'position',
})

export const enrolments = defineResource({
  name: 'enrolments',
  description:
    'One ERP student in one course (unique); course and student never change once created.',
  fields: {
    course_id: field.reference('courses', { required: true, as: 'course', onDelete: 'cascade' }),
    student_id: field.reference('erp.students', {
      required: true,
      as: 'student',
      onDelete: 'cascade',
    }),
    student_user_id: field.reference('core.users', {
      as: 'student_user',
      readOnly: true,
      onDelete: 'set null',
      description: 'The user of the ERP student, kept by the LMS for row rules.',
    }),
    course_section_id: field.reference('course_sections', {
      as: 'course_section',
      onDelete: 'set null',
    }),
    status: field.enum(ENROLMENT_STATUSES, { default: 'active' }),
  },
  rowRules: studentRecords(),
  defaultSort: '-created_at',
})
