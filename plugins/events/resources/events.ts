import { defineResource, field, type RowRule } from '@oryne/sdk'

export const AUDIENCES = ['all', 'classes', 'sections', 'roles'] as const
export const EVENT_STATUSES = ['draft', 'published', 'cancelled'] as const
export const REGISTRATION_STATUSES = ['registered', 'waitlisted', 'cancelled'] as const

/**
 * Students and parents see the published events of their audience (the
 * `events_event_audience` view, migration 0002: everyone, their class or
 * section, their role, or events they registered for). Staff and teachers,
 * who organise and check in, see every event.
 */
const audienceOnly: RowRule = (principal, query) => {
  query.where('status', 'published')
  query.whereIn('id', {
    table: 'events_event_audience',
    column: 'event_id',
    where: { user_id: principal.id },
  })
}

export const events = defineResource({
  name: 'events',
  description:
    'A school event: its audience, venue, capacity, registration window and fee; holidays, exams and parent meetings are flagged.',
  fields: {
    title: field.string({ required: true, max: 200, search: true }),
    description: field.text({ max: 20_000 }),
    starts_at: field.datetime({ required: true, index: true }),
    ends_at: field.datetime({ description: 'Defaults to the start; never before it.' }),
    all_day: field.boolean({ default: false }),
    venue: field.string({ max: 200 }),
    audience: field.enum(AUDIENCES, { default: 'all' }),
    audience_ids: field.json({
      description:
        'For audience classes or sections: their ids; for roles: role names (e.g. ["Parent"]).',
    }),
    registration_enabled: field.boolean({ default: false }),
    capacity: field.integer({ min: 1, max: 100_000, description: 'Places; empty: unlimited.' }),
    waitlist: field.boolean({
      default: true,
      description: 'When full, later registrations wait in line; without it they are refused.',
    }),
    registration_opens_at: field.datetime(),
    registration_closes_at: field.datetime({ description: 'Defaults to the start of the event.' }),
    fee: field.integer({
      default: 0,
      min: 0,
      max: 100_000_000,
      description: 'Minor units; students are billed through an ERP invoice when they get a place.',
    }),
    is_holiday: field.boolean({ default: false, index: true }),
    is_exam: field.boolean({ default: false }),
    is_parent_meeting: field.boolean({ default: false }),
    status: field.enum(EVENT_STATUSES, { default: 'draft' }),
    created_by: field.reference('core.users', {
      as: 'creator',
      readOnly: true,
      onDelete: 'set null',
    }),
    reminded_at: field.datetime({
      readOnly: true,
      description: 'When events.reminder went out; cleared when starts_at changes.',
    }),
  },
  rowRules: { Student: audienceOnly, Parent: audienceOnly },
  defaultSort: 'starts_at',
})

const ownRegistrations: RowRule = (principal, query) => {
  query.where('user_id', principal.id)
}

/**
 * A place (or a place in line) of one user at one event. Written only through
 * the workflow routes (register, cancel, check in), read here.
 */
export const registrations = defineResource({
  name: 'registrations',
  permissions: { create: false, update: false, delete: false },
  fields: {
    event_id: field.reference('events', {
      required: true,
      as: 'event',
      readOnly: true,
      onDelete: 'cascade',
    }),
    user_id: field.reference('core.users', {
      required: true,
      as: 'user',
      readOnly: true,
      onDelete: 'cascade',
    }),
    student_id: field.reference('erp.students', {
      as: 'student',
      readOnly: true,
      onDelete: 'set null',
    }),
    status: field.enum(REGISTRATION_STATUSES, { required: true, readOnly: true }),
    placed_at: field.datetime({ readOnly: true, description: 'When the registrant got a place.' }),
    cancelled_at: field.datetime({ readOnly: true }),
    checked_in_at: field.datetime({ readOnly: true }),
    checked_in_by: field.reference('core.users', {
      as: 'checker',
      readOnly: true,
      onDelete: 'set null',
    }),
    invoice_id: field.reference('erp.invoices', {
      as: 'invoice',
      readOnly: true,
      onDelete: 'set null',
    }),
  },
  rowRules: { Student: ownRegistrations, Parent: ownRegistrations },
  defaultSort: 'id',
})
