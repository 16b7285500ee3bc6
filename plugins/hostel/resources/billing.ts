import { residentRecords } from './rules.js'
import { money } from './hostels.js'
import { defineResource, field } from '@oryne/sdk'

/**
 * One student billed for one term (unique per term and student): what makes
 * fee generation idempotent. The invoice itself lives in the ERP.
 */
export const termCharges = defineResource({
  name: 'term_charges',
  permissions: { create: false, update: false, delete: false },
  fields: {
    term_id: field.reference('erp.terms', { required: true, as: 'term' }),
    student_id: field.reference('erp.students', {
      required: true,
      as: 'student',
      personal: 'subject',
    }),
    allocation_id: field.reference('allocations', { required: true, as: 'allocation' }),
    invoice_id: field.reference('erp.invoices', { as: 'invoice', onDelete: 'set null' }),
    amount: money({ required: true }),
  },
  rowRules: residentRecords(),
  defaultSort: '-created_at',
})
