import { HttpContext } from '@adonisjs/core/http'
import type { TransactionClientContract as Trx } from '@adonisjs/lucid/types/database'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb } from '../tenancy/tenant_db.js'
import { createCheckoutSession } from './card_gateway.js'
import { cardGatewayConfig, type CardGatewayConfig } from './config.js'
import { paymentPurpose } from './purposes.js'

export type CheckoutInput = {
  /** A registered purpose (`erp.invoice`). */
  purpose: string
  /** What is paid, as the purpose knows it (an invoice id). */
  reference: string
  /** Minor units of the tenant's currency. */
  amount: number
  /** Where the gateway sends the payer back: a path of this server (`/app/...`)... */
  returnPath?: string
  /** ...or an address of the plugin's own (a setting). */
  returnUrl?: string
  /** A plugin's own gateway (the e-store's older settings); by default the school's. */
  gateway?: CardGatewayConfig
  actor: string
  /** The caller's Idempotency-Key: the same key gives the same session. */
  idempotencyKey?: string | null
}

function answer(row: { external_id: string; url: string; amount: string | number }) {
  return { session_id: row.external_id, url: row.url, amount: Number(row.amount) }
}

/** The request's origin, where the payer comes back to; outside a request, none. */
function origin() {
  const request = HttpContext.get()?.request
  const host = request?.host()
  return host ? `${request!.protocol()}://${host}` : ''
}

/**
 * Hosted sessions at common gateways live 24 hours: an open session younger
 * than this, at the same gateway, is answered again instead of opening another.
 */
const REUSE_OPEN_SESSION_MS = 23 * 60 * 60 * 1000

/**
 * Opens a hosted checkout session at the tenant's card gateway for a
 * purpose and records it in `payment_sessions`, in the caller's transaction.
 * Idempotent: the same caller's key answers the session it opened, and while
 * a session for the same purpose, reference and amount is open (not paid,
 * not expired), a second press or a second tab gets that session back
 * without asking the gateway. A transaction-scoped advisory lock on the
 * purpose and reference makes concurrent openers wait for each other, so
 * this holds whatever the caller locks. The gateway's Idempotency-Key is
 * derived from the tenant, the purpose, the reference and the caller's key
 * (else the attempt's number).
 */
export async function openCheckout(trx: Trx, input: CheckoutInput) {
  if (!paymentPurpose(input.purpose))
    throw new TypeError(`No payment purpose "${input.purpose}" is registered`)
  const tenant = tenantContext.require()
  const config = input.gateway ?? (await cardGatewayConfig())
  await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [
    `payment_sessions:${tenant.id}:${input.purpose}:${input.reference}`,
  ])
  const attempts = await trx
    .from('payment_sessions')
    .where({ purpose: input.purpose, reference: input.reference })
    .count('* as n')
    .first()
  const key = `${tenant.id}:${input.purpose}:${input.reference}:${input.idempotencyKey ?? `attempt-${attempts?.n ?? 0}`}`
  // A retry with the caller's key answers the session recorded for it, without asking the gateway again.
  const known = input.idempotencyKey
    ? await trx.from('payment_sessions').where('gateway_key', key).first()
    : null
  if (known) return answer(known)
  const open = await trx
    .from('payment_sessions')
    .where({ purpose: input.purpose, reference: input.reference, amount: input.amount })
    .where({ status: 'open', gateway_url: config.url })
    .where('created_at', '>', new Date(Date.now() - REUSE_OPEN_SESSION_MS))
    .orderBy('id', 'desc')
    .first()
  if (open) return answer(open)
  const session = await createCheckoutSession(
    config,
    {
      amount: input.amount,
      currency: tenant.settings.currency,
      reference: `${input.purpose}-${input.reference}`,
      returnUrl: input.returnUrl ?? `${origin()}${input.returnPath ?? '/app'}`,
      metadata: { tenant: tenant.slug, purpose: input.purpose, reference: input.reference },
    },
    key
  )
  // The same Idempotency-Key answers the same session: recorded once.
  await trx
    .insertQuery()
    .table('payment_sessions')
    .insert({
      provider: 'card',
      external_id: session.id,
      purpose: input.purpose,
      reference: input.reference,
      amount: input.amount,
      currency: tenant.settings.currency,
      url: session.url,
      gateway_key: key,
      gateway_url: config.url,
      created_by: input.actor,
    })
    .onConflict('external_id')
    .ignore()
  return { session_id: session.id, url: session.url, amount: input.amount }
}

/**
 * The status of the latest checkout session of each reference of a purpose
 * (`open`, `completed`, `expired`), for a page that says how the payer's last
 * attempt ended; a reference without sessions is absent.
 */
export async function latestCheckouts(purpose: string, references: string[]) {
  const latest = new Map<string, { status: string; updated_at: Date }>()
  if (!references.length) return latest
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('payment_sessions'))
      .distinctOn('reference')
      .where('purpose', purpose)
      .whereIn('reference', references)
      .orderBy([{ column: 'reference' }, { column: 'id', order: 'desc' }])
      .select('reference', 'status', 'updated_at')
  )
  for (const row of rows)
    latest.set(row.reference, { status: row.status, updated_at: row.updated_at })
  return latest
}

/**
 * Sessions of a purpose paid at the gateway that the purpose refused to
 * record (`unmatched`: an invoice paid meanwhile, ...), newest first: money
 * for staff to refund at the gateway.
 */
export function unmatchedCheckouts(purpose: string) {
  return readTenantDb((client, table) =>
    client
      .from(table('payment_sessions'))
      .where({ purpose, status: 'unmatched' })
      .orderBy('updated_at', 'desc')
      .limit(200)
      .select(
        'external_id',
        'reference',
        'amount',
        'currency',
        'outcome',
        'created_by',
        'updated_at'
      )
  )
}

/**
 * Marks an open session expired, for a plugin that receives the gateway's
 * `checkout.session.expired` at an endpoint of its own (the e-store's): a
 * second press then opens a new session instead of answering this one.
 */
export async function expireCheckout(trx: Trx, externalId: string) {
  await trx
    .from('payment_sessions')
    .where({ provider: 'card', external_id: externalId, status: 'open' })
    .update({ status: 'expired', outcome: 'session_expired', updated_at: new Date() })
}
