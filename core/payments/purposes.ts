import type { TransactionClientContract as Trx } from '@adonisjs/lucid/types/database'

/*
 * What a checkout session pays for. A plugin registers its purposes
 * (`<plugin>.<what>`, e.g. `erp.invoice`) when it loads; the gateway's webhook
 * is dispatched to the purpose of the session it names, in the tenant that
 * opened the session.
 */

/** A checkout session as stored in the tenant's `payment_sessions`. */
export type PaymentSession = {
  id: string
  provider: string
  external_id: string
  purpose: string
  reference: string
  amount: number
  currency: string
  /** `unmatched`: paid at the gateway, but the purpose refused it (refund it there). */
  status: 'open' | 'completed' | 'expired' | 'unmatched'
  created_by: string
}

export type PaymentPurpose = {
  /**
   * The gateway says the session was paid (its amount is the session's,
   * checked before): record the payment in `trx`, the transaction the event
   * is stored in, and answer the outcome kept with the event (`invoice_paid`,
   * ...). Money taken that it refuses to record (an invoice paid meanwhile)
   * is answered `{ unmatched: 'invoice_closed' }`: the session is marked
   * `unmatched`, which staff list to refund it at the gateway. Called at
   * most once per session.
   */
  paid(trx: Trx, session: PaymentSession, eventId: string): Promise<string | { unmatched: string }>
  /**
   * The gateway says an open session expired unpaid (it is marked `expired`
   * first): tell the payer, in `trx`. Called at most once per session.
   */
  expired?(trx: Trx, session: PaymentSession, eventId: string): Promise<void>
}

const NAME = /^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*$/
const purposes = new Map<string, PaymentPurpose>()

/** Registers a purpose; registering the same name again replaces it (plugin reloads). */
export function registerPaymentPurpose(name: string, purpose: PaymentPurpose) {
  if (!NAME.test(name))
    throw new TypeError(`Payment purpose "${name}" must look like "<plugin>.<name>"`)
  purposes.set(name, purpose)
}

export function paymentPurpose(name: string): PaymentPurpose | undefined {
  return purposes.get(name)
}
