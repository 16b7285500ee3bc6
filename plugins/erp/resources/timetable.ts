import { defineResource, field } from '@oryne/sdk'

/** Weekly slots: a teacher teaches a subject to a section in a room, in one period of a weekday. */
export const timetableSlots = defineResource({
  name: 'timetable_slots',
  fields: {
    weekday: field.integer({
      required: true,
      min: 1,
      max: 7,
      description: '1 = Monday ... 7 = Sunday',
    }),
    period_id: field.reference('periods', { required: true, as: 'period' }),
    section_id: field.reference('sections', { required: true, as: 'section' }),
    teacher_id: field.reference('teachers', { required: true, as: 'teacher' }),
    room_id: field.reference('rooms', { as: 'room' }),
    subject_id: field.reference('subjects', { required: true, as: 'subject' }),
  },
  defaultSort: 'weekday',
})

export const substitutions = defineResource({
  name: 'substitutions',
  description: 'Another teacher takes a slot on one date.',
  fields: {
    slot_id: field.reference('timetable_slots', {
      required: true,
      as: 'slot',
      onDelete: 'cascade',
    }),
    date: field.date({ required: true }),
    teacher_id: field.reference('teachers', { required: true, as: 'teacher' }),
    reason: field.string({ max: 300 }),
  },
  defaultSort: '-date',
})
