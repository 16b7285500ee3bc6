import { defineError } from '@oryne/sdk'

/* Errors of the events plugin (documented in docs/plugins/events.md). */
export const E_EVENT_NOT_FOUND = defineError('ERR_EVENTS_NOT_FOUND', 404, '%s %s not found')
export const E_REGISTRATION_CLOSED = defineError(
  'ERR_EVENTS_REGISTRATION_CLOSED',
  409,
  'Registration for event %s is closed: %s',
  'Register between registration_opens_at and registration_closes_at of a published event.'
)
export const E_EVENT_FULL = defineError(
  'ERR_EVENTS_FULL',
  409,
  'Event %s has no place left (%s of %s taken) and keeps no waitlist'
)
export const E_ALREADY_REGISTERED = defineError(
  'ERR_EVENTS_ALREADY_REGISTERED',
  409,
  'You already hold registration %s (%s) for event %s',
  'Cancel it first (POST /api/v1/events/registrations/:id/cancel) to register again.'
)
export const E_NOT_IN_AUDIENCE = defineError(
  'ERR_EVENTS_NOT_IN_AUDIENCE',
  403,
  'Event %s is not open to you',
  'The event is for another class, section or role.'
)
export const E_ALREADY_CANCELLED = defineError(
  'ERR_EVENTS_ALREADY_CANCELLED',
  409,
  'Registration %s is already cancelled'
)
export const E_ALREADY_CHECKED_IN = defineError(
  'ERR_EVENTS_ALREADY_CHECKED_IN',
  409,
  'Registration %s was checked in at %s'
)
export const E_NOT_CHECKABLE = defineError(
  'ERR_EVENTS_NOT_CHECKABLE',
  409,
  'Registration %s is %s: only a registered place can be checked in'
)
export const E_CHECK_IN_TOKEN_INVALID = defineError(
  'ERR_EVENTS_CHECK_IN_TOKEN_INVALID',
  404,
  'The check-in code is not valid here',
  'Scan the QR code of a registration of this school.'
)
export const E_CALENDAR_NOT_FOUND = defineError(
  'ERR_EVENTS_CALENDAR_NOT_FOUND',
  404,
  'No calendar feed at this address',
  'The link was revoked or rotated; get a new one (POST /api/v1/events/calendar/token).'
)
