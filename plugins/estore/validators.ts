import { MAX_QUANTITY } from './services/cart.js'
import { vine, vineId } from '@oryne/sdk'

const id = vineId
const note = () => vine.string().trim().maxLength(300).nullable().optional()
const nonZero = vine.createRule((value, _options, field) => {
  if (value === 0) field.report('The {{ field }} field cannot be 0', 'nonZero', field)
})
const isoDate = () => vine.string().regex(/^\d{4}-\d{2}-\d{2}$/)

export const addCartItemInput = vine.compile(
  vine.object({
    variant_id: id(),
    quantity: vine.number().withoutDecimals().min(0).max(MAX_QUANTITY),
  })
)
export const checkoutInput = vine.compile(
  vine.object({
    payment_method: vine.enum(['offline', 'card', 'account'] as const).optional(),
    student_id: id().optional(),
    voucher_code: vine.string().trim().minLength(1).maxLength(40).optional(),
  })
)
export const cancelInput = vine.compile(vine.object({ reason: note() }))
export const confirmInput = vine.compile(vine.object({ reference: note() }))
export const refundInput = vine.compile(
  vine.object({
    amount: vine.number().withoutDecimals().min(1).max(1_000_000_000),
    reason: note(),
  })
)
export const adjustInput = vine.compile(
  vine.object({
    quantity: vine.number().withoutDecimals().min(-1_000_000).max(1_000_000).use(nonZero()),
    note: note(),
  })
)
export const salesQuery = vine.compile(
  vine.object({
    from: isoDate(),
    to: isoDate(),
    period: vine.enum(['day', 'month', 'total'] as const).optional(),
  })
)
