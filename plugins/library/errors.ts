import { defineError } from '@oryne/sdk'

/*
 * Errors of the library plugin (documented in docs/plugins/library.md). Every
 * refused circulation step has its own stable code, so that a desk client can
 * tell the librarian exactly why.
 */
export const E_LIBRARY_NOT_FOUND = defineError('ERR_LIBRARY_NOT_FOUND', 404, '%s %s not found')
export const E_COPY_NOT_FOUND = defineError(
  'ERR_LIBRARY_COPY_NOT_FOUND',
  404,
  'No copy has the barcode "%s"',
  'Scan the barcode again or look the copy up: GET /api/v1/library/copies?filter[barcode]=...'
)
export const E_COPY_NOT_AVAILABLE = defineError(
  'ERR_LIBRARY_COPY_NOT_AVAILABLE',
  409,
  'Copy %s is %s: it cannot be issued',
  'A copy on loan must be returned first; lost, damaged or withdrawn copies are out of circulation.'
)
export const E_COPY_REFERENCE_ONLY = defineError(
  'ERR_LIBRARY_COPY_REFERENCE_ONLY',
  409,
  'Copy %s is for reference only and never leaves the library'
)
export const E_COPY_NOT_ON_LOAN = defineError(
  'ERR_LIBRARY_COPY_NOT_ON_LOAN',
  409,
  'Copy %s is not on loan',
  'Only a copy on an open loan can be renewed, returned or declared lost.'
)
export const E_LOAN_LIMIT_REACHED = defineError(
  'ERR_LIBRARY_LOAN_LIMIT_REACHED',
  409,
  'The member already has %s of %s loans allowed',
  'Return a book first, or ask an admin to change the card rule.'
)
export const E_RENEWAL_LIMIT = defineError(
  'ERR_LIBRARY_RENEWAL_LIMIT',
  409,
  'The loan of copy %s was renewed %s time(s), the most its card rule allows',
  'Return the copy; it can be issued again if nobody is waiting for it.'
)
export const E_LOAN_OVERDUE = defineError(
  'ERR_LIBRARY_LOAN_OVERDUE',
  409,
  'The loan of copy %s was due on %s: an overdue loan cannot be renewed',
  'Return the copy (the fine is computed on return), then issue it again.'
)
export const E_TITLE_RESERVED = defineError(
  'ERR_LIBRARY_TITLE_RESERVED',
  409,
  '%s member(s) are waiting for "%s": the loan cannot be renewed',
  'Return the copy so that the next reserver gets it.'
)
export const E_RESERVATION_HELD = defineError(
  'ERR_LIBRARY_RESERVATION_HELD',
  409,
  'Copy %s is held for another member until %s',
  'Issue another copy, or wait until the hold is collected or expires.'
)
export const E_ALREADY_RESERVED = defineError(
  'ERR_LIBRARY_ALREADY_RESERVED',
  409,
  'The member already has an active reservation for title %s'
)
export const E_ALREADY_BORROWED = defineError(
  'ERR_LIBRARY_ALREADY_BORROWED',
  409,
  'The member already has a copy of title %s on loan'
)
export const E_NOTHING_TO_RESERVE = defineError(
  'ERR_LIBRARY_NOTHING_TO_RESERVE',
  409,
  'Title %s has no copy that can be lent',
  'Reference-only, lost, damaged and withdrawn copies are never lent; add a lendable copy first.'
)
export const E_RESERVATION_CLOSED = defineError(
  'ERR_LIBRARY_RESERVATION_CLOSED',
  409,
  'Reservation %s is %s',
  'Only a waiting or ready reservation can be cancelled.'
)
export const E_MEMBER_SUSPENDED = defineError(
  'ERR_LIBRARY_MEMBER_SUSPENDED',
  409,
  'Library member %s is suspended',
  'An admin can reactivate the member (PATCH /api/v1/library/members/:id {"status": "active"}).'
)
export const E_FINES_OUTSTANDING = defineError(
  'ERR_LIBRARY_FINES_OUTSTANDING',
  409,
  'Library member %s has %s in unpaid fines, more than the %s allowed: no copy can be issued or renewed',
  'Pay the fines (their ERP invoice, or at the desk for fines owed to the library) or have them waived; returns are always accepted.'
)
export const E_BORROWER_REQUIRED = defineError(
  'ERR_LIBRARY_BORROWER_REQUIRED',
  400,
  'Name the borrower: exactly one of member_id, student_id or user_id',
  'Students and parents may leave it out for themselves (a parent names the child by student_id).'
)
export const E_NOT_A_MEMBER = defineError(
  'ERR_LIBRARY_NOT_A_MEMBER',
  403,
  'Your account is not linked to a library member',
  'Ask the library to link your ERP student record or staff account.'
)
export const E_FINE_CLOSED = defineError(
  'ERR_LIBRARY_FINE_CLOSED',
  409,
  'Fine %s is %s: only a fine still owed can be waived or settled'
)
export const E_FINE_INVOICED = defineError(
  'ERR_LIBRARY_FINE_INVOICED',
  409,
  'Fine %s was billed on ERP invoice %s: it is paid in the ERP',
  'Record the payment against the invoice (POST /api/v1/erp/payments), or waive the fine: that credits the invoice.'
)
export const E_IMPORT_INVALID = defineError(
  'ERR_LIBRARY_IMPORT_INVALID',
  422,
  'The CSV has %s invalid row(s): nothing was imported',
  'Fix the rows listed in error.details (row numbers count the header as row 1) and send the file again.'
)
