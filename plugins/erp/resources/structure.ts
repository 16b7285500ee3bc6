import { defineResource, field } from '@oryne/sdk'

/** Academic years, terms, classes, sections, subjects, rooms and periods of the institution. */
export const academicYears = defineResource({
  name: 'academic_years',
  description: 'Academic years, e.g. 2026-27.',
  fields: {
    name: field.string({ required: true, unique: true, max: 40 }),
    starts_on: field.date({ required: true }),
    ends_on: field.date({ required: true }),
    current: field.boolean({ default: false }),
  },
  defaultSort: '-starts_on',
})

export const terms = defineResource({
  name: 'terms',
  fields: {
    academic_year_id: field.reference('academic_years', { required: true, as: 'academic_year' }),
    name: field.string({ required: true, max: 60 }),
    starts_on: field.date({ required: true }),
    ends_on: field.date({ required: true }),
  },
  defaultSort: 'starts_on',
})

export const classes = defineResource({
  name: 'classes',
  description: 'A grade or programme year, e.g. "Grade 5".',
  fields: {
    name: field.string({ required: true, unique: true, max: 60 }),
    grade_level: field.integer({ min: 0, max: 20 }),
  },
  defaultSort: 'grade_level',
})

export const sections = defineResource({
  name: 'sections',
  fields: {
    class_id: field.reference('classes', { required: true, as: 'class' }),
    name: field.string({ required: true, max: 20 }),
    capacity: field.integer({ min: 1, max: 1000 }),
    class_teacher_id: field.reference('teachers', { as: 'class_teacher', onDelete: 'set null' }),
  },
  defaultSort: 'name',
})

export const subjects = defineResource({
  name: 'subjects',
  fields: {
    code: field.string({ required: true, unique: true, max: 20 }),
    name: field.string({ required: true, max: 120 }),
  },
  defaultSort: 'code',
})

export const rooms = defineResource({
  name: 'rooms',
  fields: {
    name: field.string({ required: true, unique: true, max: 60 }),
    capacity: field.integer({ min: 1 }),
  },
  defaultSort: 'name',
})

export const periods = defineResource({
  name: 'periods',
  description: 'Periods of the school day; times are HH:MM in the tenant time zone.',
  fields: {
    name: field.string({ required: true, unique: true, max: 40 }),
    starts_at: field.string({ required: true, pattern: /^([01]\d|2[0-3]):[0-5]\d$/ }),
    ends_at: field.string({ required: true, pattern: /^([01]\d|2[0-3]):[0-5]\d$/ }),
    position: field.integer({ required: true, min: 1, max: 24 }),
  },
  defaultSort: 'position',
})
