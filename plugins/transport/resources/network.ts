import { defineResource, field } from '@oryne/sdk'

/** Money: integer minor units of the tenant's currency. */
export const money = (options: { required?: boolean; default?: number } = {}) =>
  field.integer({ min: 0, max: 2_000_000_000, ...options })

/** A time of day, HH:MM in the tenant's time zone. */
const timeOfDay = (options: { required?: boolean } = {}) =>
  field.string({ ...options, max: 5, pattern: /^([01]\d|2[0-3]):[0-5]\d$/ })

/** Routes, their ordered stops and the vehicles that run them. */
export const routes = defineResource({
  name: 'routes',
  fields: {
    code: field.string({
      required: true,
      unique: true,
      max: 20,
      pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    }),
    name: field.string({ required: true, max: 120, search: true }),
    description: field.text({ max: 2000 }),
    status: field.enum(['active', 'inactive'], { default: 'active' }),
  },
  defaultSort: 'code',
})

export const stops = defineResource({
  name: 'stops',
  description:
    'A stop of a route, in `position` order (unique per route); times are HH:MM in the tenant time zone.',
  fields: {
    route_id: field.reference('routes', { required: true, as: 'route', onDelete: 'cascade' }),
    name: field.string({ required: true, max: 120 }),
    position: field.integer({ required: true, min: 1, max: 500 }),
    pickup_time: timeOfDay({ required: true }),
    drop_time: timeOfDay({ required: true }),
    fare_per_term: money({ default: 0 }),
  },
  defaultSort: 'position',
})

export const vehicles = defineResource({
  name: 'vehicles',
  description:
    '`occupied` counts the active assignments riding it and never exceeds `seats`; insurance and permit expiry dates are reminded.',
  fields: {
    registration: field.string({
      required: true,
      unique: true,
      max: 20,
      pattern: /^[A-Za-z0-9][A-Za-z0-9 -]*$/,
      search: true,
    }),
    route_id: field.reference('routes', { as: 'route', onDelete: 'set null' }),
    seats: field.integer({ required: true, min: 1, max: 200 }),
    occupied: field.integer({ default: 0, readOnly: true }),
    driver_name: field.string({ max: 120 }),
    driver_phone: field.string({ max: 40 }),
    attendant_name: field.string({ max: 120 }),
    attendant_phone: field.string({ max: 40 }),
    insurance_expires_on: field.date(),
    permit_expires_on: field.date(),
    insurance_reminded_for: field.date({
      readOnly: true,
      description: 'The insurance expiry date last reminded (a new date re-arms the reminder).',
    }),
    permit_reminded_for: field.date({ readOnly: true }),
    status: field.enum(['active', 'maintenance', 'retired'], { default: 'active' }),
  },
  title: 'registration',
  defaultSort: 'registration',
})
