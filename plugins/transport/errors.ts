import { defineError } from '@oryne/sdk'

/* Errors of the transport plugin (documented in docs/plugins/transport.md). */
export const E_TRANSPORT_NOT_FOUND = defineError('ERR_TRANSPORT_NOT_FOUND', 404, '%s %s not found')
export const E_VEHICLE_FULL = defineError(
  'ERR_TRANSPORT_VEHICLE_FULL',
  409,
  'Vehicle %s is full (%s of %s seats taken)',
  'Pick another vehicle on the route, or raise its seats.'
)
export const E_VEHICLE_UNAVAILABLE = defineError(
  'ERR_TRANSPORT_VEHICLE_UNAVAILABLE',
  409,
  'Vehicle %s is %s and takes no passengers',
  'Set the vehicle back to active, or pick another one.'
)
export const E_VEHICLE_NOT_ON_ROUTE = defineError(
  'ERR_TRANSPORT_VEHICLE_NOT_ON_ROUTE',
  422,
  'Vehicle %s does not serve route %s',
  "Pick a vehicle whose route_id is the stop's route (GET /api/v1/transport/vehicles?filter[route_id]=...)."
)
export const E_ALREADY_ASSIGNED = defineError(
  'ERR_TRANSPORT_ALREADY_ASSIGNED',
  409,
  '%s already has a transport assignment (%s)',
  'Change it (POST /api/v1/transport/assignments/:id/change) or end it first.'
)
export const E_SEATS_BELOW_OCCUPANCY = defineError(
  'ERR_TRANSPORT_SEATS_BELOW_OCCUPANCY',
  409,
  'Vehicle %s carries %s passengers: its seats cannot go down to %s',
  'Move passengers to another vehicle first.'
)
export const E_NOTHING_TO_CHANGE = defineError(
  'ERR_TRANSPORT_NOTHING_TO_CHANGE',
  409,
  'Assignment %s already has this stop and vehicle'
)
export const E_INVALID_TRANSITION = defineError(
  'ERR_TRANSPORT_INVALID_TRANSITION',
  409,
  'Cannot move %s from "%s" to "%s"',
  'See docs/plugins/transport.md for the assignment and trip workflows.'
)
export const E_TRIP_CLOSED = defineError(
  'ERR_TRANSPORT_TRIP_CLOSED',
  409,
  'Trip %s is closed',
  'Boarding and alighting are marked while a trip is open.'
)
export const E_NOT_ASSIGNED = defineError(
  'ERR_TRANSPORT_NOT_ASSIGNED',
  409,
  'Student %s is not assigned to route %s',
  'Assign the student to a stop of this route first.'
)
export const E_ALREADY_BOARDED = defineError(
  'ERR_TRANSPORT_ALREADY_BOARDED',
  409,
  'Student %s already boarded trip %s'
)
export const E_NOT_BOARDED = defineError(
  'ERR_TRANSPORT_NOT_BOARDED',
  409,
  'Student %s has not boarded trip %s',
  'Mark the boarding first.'
)
export const E_ALREADY_ALIGHTED = defineError(
  'ERR_TRANSPORT_ALREADY_ALIGHTED',
  409,
  'Student %s already alighted from trip %s'
)
export const E_TERM_NOT_FOUND = defineError(
  'ERR_TRANSPORT_TERM_NOT_FOUND',
  422,
  'ERP term %s does not exist',
  'GET /api/v1/erp/terms lists the terms.'
)
