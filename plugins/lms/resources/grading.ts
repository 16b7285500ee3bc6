import { courseContent, studentRecords } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

/** Rubrics (criteria with levels), grade categories with weights, and grades. */
export const rubrics = defineResource({
  name: 'rubrics',
  fields: {
    course_id: field.reference('courses', { required: true, as: 'course', onDelete: 'cascade' }),
    title: field.string({ required: true, max: 200 }),
    description: field.text({ max: 20_000 }),
  },
  rowRules: courseContent(),
  defaultSort: 'title',
})

export const rubricCriteria = defineResource({
  name: 'rubric_criteria',
  fields: {
    rubric_id: field.reference('rubrics', { required: true, as: 'rubric', onDelete: 'cascade' }),
    course_id: field.reference('courses', {
      as: 'course',
      readOnly: true,
      onDelete: 'cascade',
      description: "The rubric's course, kept for row rules.",
    }),
    title: field.string({ required: true, max: 200 }),
    description: field.text({ max: 5000 }),
    position: field.integer({ min: 0, max: 1000, default: 0 }),
  },
  rowRules: courseContent(),
  defaultSort: 'position',
})

export const rubricLevels = defineResource({
  name: 'rubric_levels',
  fields: {
    criterion_id: field.reference('rubric_criteria', {
      required: true,
      as: 'criterion',
      onDelete: 'cascade',
    }),
    rubric_id: field.reference('rubrics', { as: 'rubric', readOnly: true, onDelete: 'cascade' }),
    course_id: field.reference('courses', { as: 'course', readOnly: true, onDelete: 'cascade' }),
    title: field.string({ required: true, max: 200 }),
    description: field.text({ max: 5000 }),
    points: field.decimal({ required: true, precision: 8, scale: 2, min: 0, max: 100_000 }),
    position: field.integer({ min: 0, max: 1000, default: 0 }),
  },
  rowRules: courseContent(),
  defaultSort: 'position',
})

export const gradeCategories = defineResource({
  name: 'grade_categories',
  description:
    'Weights are relative: the final grade averages the category percentages by weight, over the categories with graded work.',
  fields: {
    course_id: field.reference('courses', { required: true, as: 'course', onDelete: 'cascade' }),
    name: field.string({ required: true, max: 120 }),
    weight: field.decimal({ required: true, precision: 5, scale: 2, min: 0, max: 100 }),
    position: field.integer({ min: 0, max: 1000, default: 0 }),
  },
  rowRules: courseContent(),
  defaultSort: 'position',
})

/**
 * The grade of one submission: points awarded, the late penalty applied and
 * the points that count. Students and guardians see released grades only.
 */
export const grades = defineResource({
  name: 'grades',
  permissions: { create: false, update: false, delete: false },
  fields: {
    submission_id: field.reference('submissions', {
      required: true,
      unique: true,
      as: 'submission',
      readOnly: true,
      onDelete: 'cascade',
    }),
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
    points: field.decimal({ required: true, precision: 8, scale: 2, min: 0, readOnly: true }),
    penalty_percent: field.decimal({ precision: 5, scale: 2, default: 0, readOnly: true }),
    final_points: field.decimal({ required: true, precision: 8, scale: 2, min: 0, readOnly: true }),
    rubric_selections: field.json({
      readOnly: true,
      description: '[{ criterion_id, level_id, points }] when graded with the rubric.',
    }),
    feedback: field.text({ max: 20_000, readOnly: true }),
    released: field.boolean({ default: false, readOnly: true }),
    released_at: field.datetime({ readOnly: true }),
    graded_by: field.reference('core.users', {
      as: 'grader',
      readOnly: true,
      onDelete: 'set null',
    }),
    graded_at: field.datetime({ readOnly: true }),
  },
  rowRules: studentRecords((query) => query.where('released', true)),
  defaultSort: '-graded_at',
})
