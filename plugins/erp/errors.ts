import { defineError } from '@oryne/sdk'

/* Errors of the ERP plugin (documented in docs/plugins/erp.md). */
export const E_TIMETABLE_CLASH = defineError(
  'ERR_TIMETABLE_CLASH',
  409,
  'Timetable clash: %s',
  'Pick another period, room or teacher; GET /api/v1/erp/timetable_slots shows what is taken.'
)
export const E_INVALID_TRANSITION = defineError(
  'ERR_ERP_INVALID_TRANSITION',
  409,
  'Cannot move %s from "%s" to "%s"',
  'See docs/plugins/erp.md for the allowed transitions.'
)
export const E_SEATS_FULL = defineError(
  'ERR_ERP_SEATS_FULL',
  409,
  'Campaign "%s" has no seat left (%s of %s taken)',
  'Waitlist the applicant or raise the campaign seats.'
)
export const E_OVERPAYMENT = defineError(
  'ERR_ERP_OVERPAYMENT',
  409,
  'Invoice %s has %s left to pay; a payment of %s is too much'
)
export const E_INVOICE_CLOSED = defineError(
  'ERR_ERP_INVOICE_CLOSED',
  409,
  'Invoice %s is %s: it takes no payment'
)
export const E_OVER_REFUND = defineError(
  'ERR_ERP_OVER_REFUND',
  409,
  'Payment %s has %s left to refund; a refund of %s is too much'
)
export const E_SCHEDULE_GENERATED = defineError(
  'ERR_ERP_SCHEDULE_GENERATED',
  409,
  'Fee schedule %s already generated its invoices'
)
export const E_ERP_NOT_FOUND = defineError('ERR_ERP_NOT_FOUND', 404, '%s %s not found')
export const E_OVER_CREDIT = defineError(
  'ERR_ERP_OVER_CREDIT',
  409,
  'Invoice %s has %s left that can be credited; a credit of %s is too much',
  'A credit takes back what is still unpaid: refund the payment first (POST /api/v1/erp/refunds), then credit.'
)
export const E_CREDIT_SOURCE = defineError(
  'ERR_ERP_CREDIT_SOURCE',
  409,
  'Invoice %s was billed by %s: %s cannot credit it',
  'Take the charge back where it was billed: waive a library fine at the library, refund an e-store order in the store.'
)
export const E_NOT_IN_SECTION = defineError(
  'ERR_ERP_NOT_IN_SECTION',
  422,
  '%s student(s) are not in section %s: no mark was recorded',
  'Mark each section with its own students (error.details lists the others); GET /api/v1/erp/students?filter[section_id][eq]=... shows who is in it.'
)
