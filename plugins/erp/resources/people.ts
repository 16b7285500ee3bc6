import { childrenRows, ownStudentRows } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

const SENSITIVE = { permission: 'erp.students.sensitive', mode: 'mask' as const }

/** Students, their guardians (linked to Parent users) and teachers (linked to Teacher users). */
export const students = defineResource({
  name: 'students',
  fields: {
    enrollment_no: field.string({ required: true, unique: true, max: 40, search: true }),
    first_name: field.string({ required: true, max: 100, search: true }),
    last_name: field.string({ required: true, max: 100, search: true }),
    date_of_birth: field.date({ sensitive: SENSITIVE }),
    gender: field.enum(['female', 'male', 'other', 'undisclosed']),
    class_id: field.reference('classes', { as: 'class' }),
    section_id: field.reference('sections', { as: 'section' }),
    // Whose record this is: exported with the person's data; other plugins' rows about a student follow it.
    user_id: field.reference('core.users', {
      as: 'user',
      onDelete: 'set null',
      personal: 'subject',
    }),
    status: field.enum(['active', 'inactive', 'graduated', 'withdrawn'], { default: 'active' }),
    contact_phone: field.string({ max: 40, sensitive: SENSITIVE }),
    health_notes: field.text({ sensitive: { permission: 'erp.students.health' } }),
    admitted_on: field.date(),
    metadata: field.json(),
  },
  rowRules: { Student: ownStudentRows('id'), Parent: childrenRows('id') },
  defaultSort: 'enrollment_no',
})

export const guardians = defineResource({
  name: 'guardians',
  description:
    'A guardian of one student; a Parent user guardian of several children has one row per child.',
  fields: {
    student_id: field.reference('students', { required: true, as: 'student', onDelete: 'cascade' }),
    user_id: field.reference('core.users', {
      as: 'user',
      onDelete: 'set null',
      personal: 'subject',
    }),
    name: field.string({ required: true, max: 200 }),
    relation: field.enum(['mother', 'father', 'guardian', 'other'], { default: 'guardian' }),
    email: field.string({ max: 254 }),
    phone: field.string({ max: 40, sensitive: SENSITIVE }),
    primary: field.boolean({ default: false }),
  },
  rowRules: {
    Student: ownStudentRows(),
    Parent: (principal, query) => {
      query.where('user_id', principal.id)
    },
  },
})

export const teachers = defineResource({
  name: 'teachers',
  fields: {
    employee_no: field.string({ required: true, unique: true, max: 40 }),
    name: field.string({ required: true, max: 200, search: true }),
    user_id: field.reference('core.users', {
      as: 'user',
      onDelete: 'set null',
      personal: 'subject',
    }),
    email: field.string({ max: 254 }),
    phone: field.string({
      max: 40,
      sensitive: { permission: 'erp.teachers.sensitive', mode: 'mask' },
    }),
    status: field.enum(['active', 'inactive'], { default: 'active' }),
  },
  defaultSort: 'name',
})
