import { courseContent } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

/**
 * Course materials. The record is created through the CRUD API; its file is
 * uploaded with POST /materials/:id/file, kept under the tenant's storage
 * prefix and downloaded through a signed, expiring link.
 */
export const materials = defineResource({
  name: 'materials',
  fields: {
    course_id: field.reference('courses', { required: true, as: 'course', onDelete: 'cascade' }),
    course_section_id: field.reference('course_sections', {
      as: 'course_section',
      onDelete: 'set null',
    }),
    title: field.string({ required: true, max: 200, search: true }),
    description: field.text({ max: 20_000 }),
    file_key: field.file({
      readOnly: true,
      description: "Storage key inside the tenant's folder.",
    }),
    file_name: field.string({ max: 255, readOnly: true }),
    content_type: field.string({ max: 120, readOnly: true }),
    size: field.integer({ min: 0, readOnly: true, description: 'Bytes.' }),
    published: field.boolean({ default: false }),
  },
  // Students and guardians see published materials only.
  rowRules: courseContent((query) => query.where('published', true)),
  defaultSort: 'title',
})
