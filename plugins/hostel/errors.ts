import { defineError } from '@oryne/sdk'

/* Errors of the hostel plugin (documented in docs/plugins/hostel.md). */
export const E_HOSTEL_NOT_FOUND = defineError('ERR_HOSTEL_NOT_FOUND', 404, '%s %s not found')
export const E_ROOM_FULL = defineError(
  'ERR_HOSTEL_ROOM_FULL',
  409,
  'Room %s is full (%s of %s beds taken)',
  'Pick another room: GET /api/v1/hostel/reports/occupancy shows free beds.'
)
export const E_ROOM_UNAVAILABLE = defineError(
  'ERR_HOSTEL_ROOM_UNAVAILABLE',
  409,
  'Room %s is %s and takes no residents',
  'Set the room back to active, or pick another room.'
)
export const E_ALREADY_ALLOCATED = defineError(
  'ERR_HOSTEL_ALREADY_ALLOCATED',
  409,
  '%s already has a bed (allocation %s)',
  'Vacate it first, or transfer the resident (POST /api/v1/hostel/allocations/:id/transfer).'
)
export const E_HOSTEL_TYPE_MISMATCH = defineError(
  'ERR_HOSTEL_TYPE_MISMATCH',
  422,
  'Hostel "%s" is a %s hostel: %s',
  'Allocate the resident to a hostel of the right type.'
)
export const E_SAME_ROOM = defineError(
  'ERR_HOSTEL_SAME_ROOM',
  409,
  'Allocation %s is already in room %s'
)
export const E_CAPACITY_BELOW_OCCUPANCY = defineError(
  'ERR_HOSTEL_CAPACITY_BELOW_OCCUPANCY',
  409,
  'Room %s has %s residents: its capacity cannot go down to %s',
  'Move residents out first.'
)
export const E_INVALID_TRANSITION = defineError(
  'ERR_HOSTEL_INVALID_TRANSITION',
  409,
  'Cannot move %s from "%s" to "%s"',
  'See docs/plugins/hostel.md for the request, allocation and leave pass workflows.'
)
export const E_NOT_RESIDENT = defineError(
  'ERR_HOSTEL_NOT_RESIDENT',
  409,
  'Student %s has no bed in a hostel',
  'Only residents take leave passes; allocate a room first.'
)
export const E_NO_STUDENT_PROFILE = defineError(
  'ERR_HOSTEL_NO_STUDENT_PROFILE',
  403,
  'Your account is not linked to a student record',
  'Ask an administrator to set your user on your ERP student record.'
)
export const E_TERM_NOT_FOUND = defineError(
  'ERR_HOSTEL_TERM_NOT_FOUND',
  422,
  'ERP term %s does not exist',
  'GET /api/v1/erp/terms lists the terms.'
)
export const E_REQUEST_PENDING = defineError(
  'ERR_HOSTEL_REQUEST_PENDING',
  409,
  '%s already has a pending allocation request (%s)',
  'Wait for the hostel office to decide it.'
)
