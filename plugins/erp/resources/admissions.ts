import { defineResource, field } from '@oryne/sdk'

/** Admission campaigns and their applicants; status changes go through the admissions workflow routes. */
export const admissionCampaigns = defineResource({
  name: 'admission_campaigns',
  fields: {
    name: field.string({ required: true, max: 120 }),
    academic_year_id: field.reference('academic_years', { as: 'academic_year' }),
    class_id: field.reference('classes', { required: true, as: 'class' }),
    seats: field.integer({ required: true, min: 1, max: 100000 }),
    enrolled: field.integer({ default: 0, readOnly: true }),
    opens_on: field.date({ required: true }),
    closes_on: field.date({ required: true }),
    status: field.enum(['open', 'closed'], { default: 'open' }),
  },
  defaultSort: '-opens_on',
})

export const APPLICANT_STATUSES = [
  'draft',
  'submitted',
  'under_review',
  'accepted',
  'rejected',
  'waitlisted',
  'enrolled',
] as const

export const applicants = defineResource({
  name: 'applicants',
  fields: {
    campaign_id: field.reference('admission_campaigns', { required: true, as: 'campaign' }),
    first_name: field.string({ required: true, max: 100, search: true }),
    last_name: field.string({ required: true, max: 100, search: true }),
    date_of_birth: field.date({
      sensitive: { permission: 'erp.students.sensitive', mode: 'mask' },
    }),
    gender: field.enum(['female', 'male', 'other', 'undisclosed']),
    guardian_name: field.string({ required: true, max: 200 }),
    guardian_email: field.string({ required: true, max: 254 }),
    guardian_phone: field.string({ max: 40 }),
    status: field.enum(APPLICANT_STATUSES, { default: 'draft', readOnly: true }),
    student_id: field.reference('students', {
      as: 'student',
      readOnly: true,
      onDelete: 'set null',
    }),
    decision_note: field.text({ readOnly: true }),
  },
  defaultSort: '-created_at',
})
