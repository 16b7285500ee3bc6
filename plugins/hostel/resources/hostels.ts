import { ownRooms } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

export const HOSTEL_TYPES = ['boys', 'girls', 'mixed', 'staff'] as const

/** Money: integer minor units of the tenant's currency. */
export const money = (options: { required?: boolean; default?: number } = {}) =>
  field.integer({ min: 0, max: 2_000_000_000, ...options })

/** Hostels, their blocks and rooms. */
export const hostels = defineResource({
  name: 'hostels',
  description:
    'A hostel: boys and girls hostels take students of that gender, staff hostels staff only, mixed anyone.',
  fields: {
    name: field.string({ required: true, unique: true, max: 120, search: true }),
    type: field.enum(HOSTEL_TYPES, { required: true }),
    warden_id: field.reference('core.users', { as: 'warden', onDelete: 'set null' }),
    warden_phone: field.string({ max: 40 }),
    address: field.text({ max: 2000 }),
    status: field.enum(['active', 'inactive'], { default: 'active' }),
  },
  defaultSort: 'name',
})

export const blocks = defineResource({
  name: 'blocks',
  description: 'A building or wing of a hostel.',
  fields: {
    hostel_id: field.reference('hostels', { required: true, as: 'hostel', onDelete: 'cascade' }),
    name: field.string({ required: true, max: 60 }),
    floors: field.integer({ min: 1, max: 100 }),
  },
  defaultSort: 'name',
})

export const rooms = defineResource({
  name: 'rooms',
  description:
    'A room of a block; `occupied` counts its active allocations and never exceeds `capacity`.',
  fields: {
    block_id: field.reference('blocks', { required: true, as: 'block', onDelete: 'restrict' }),
    hostel_id: field.reference('hostels', {
      as: 'hostel',
      readOnly: true,
      description: "The block's hostel, kept by the plugin.",
    }),
    number: field.string({ required: true, max: 20 }),
    floor: field.integer({ min: 0, max: 100 }),
    capacity: field.integer({ required: true, min: 1, max: 50 }),
    occupied: field.integer({ default: 0, readOnly: true }),
    rent_per_term: money({ default: 0 }),
    facilities: field.json({
      description: 'A list of facilities, e.g. ["wifi", "attached bath"].',
    }),
    status: field.enum(['active', 'maintenance', 'closed'], { default: 'active' }),
  },
  rowRules: ownRooms(),
  title: 'number',
  defaultSort: 'number',
})
