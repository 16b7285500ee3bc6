import db from '@adonisjs/lucid/services/db'
import type { Logger } from '@adonisjs/core/logger'
import { E_INVOICE_ALREADY_PAID, E_INVOICE_NOT_FOUND, E_VALIDATION } from '../errors.js'
import type { TenantRegistry } from './tenant_registry.js'
import type { Actor, Tenant } from './types.js'

export type Invoice = {
  id: string
  tenant_id: string
  number: string
  amount_minor: number
  currency: string
  period_start: string
  period_end: string
  due_on: string
  status: 'open' | 'paid' | 'void'
  paid_at: Date | null
  payment_reference: string | null
  created_at: Date
}

export type BillingPolicy = {
  plans: Record<string, { graceDays: number }>
  warningDays: number
}

const DAY = 86_400_000
export const BILLING_ACTOR = 'system:billing'

function hydrate(row: any): Invoice {
  const day = (value: Date | string) =>
    typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10)
  return {
    ...row,
    amount_minor: Number(row.amount_minor),
    period_start: day(row.period_start),
    period_end: day(row.period_end),
    due_on: day(row.due_on),
  }
}

/**
 * The platform's billing of tenants (the brief's `plan`, `paid_until`,
 * `billing_invoices`): invoices and payments extend `paid_until`; a daily sweep
 * warns tenants ahead of time and suspends those past `paid_until` plus their
 * plan's grace period.
 */
export class TenantBilling {
  constructor(
    private registry: TenantRegistry,
    private policy: BillingPolicy,
    private logger: Logger
  ) {}

  graceDays(plan: string) {
    return this.policy.plans[plan]?.graceDays ?? 0
  }

  async invoices(tenant: Tenant): Promise<Invoice[]> {
    const rows = await db
      .from('billing_invoices')
      .where('tenant_id', tenant.id)
      .orderBy('created_at', 'asc')
    return rows.map(hydrate)
  }

  async recordInvoice(
    tenant: Tenant,
    input: {
      number?: string
      amount_minor: number
      currency: string
      period_start: string
      period_end: string
      due_on?: string
    },
    actor: Actor
  ): Promise<Invoice> {
    if (input.period_end < input.period_start) {
      throw new E_VALIDATION([], {
        details: [
          {
            field: 'period_end',
            rule: 'afterOrEqual',
            message: 'The period ends before it starts',
          },
        ],
      })
    }
    return db.transaction(async (trx) => {
      // Serialises numbering per tenant: concurrent invoices never get the same number.
      await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', [
        `oryne:invoice:${tenant.id}`,
      ])
      const { rows } = await trx.rawQuery(
        'SELECT count(*) AS n FROM billing_invoices WHERE tenant_id = ?',
        [tenant.id]
      )
      const number =
        input.number ??
        `${tenant.slug.toUpperCase()}-${String(Number(rows[0].n) + 1).padStart(4, '0')}`
      const [row] = await trx
        .insertQuery()
        .table('billing_invoices')
        .insert({
          tenant_id: tenant.id,
          number,
          amount_minor: input.amount_minor,
          currency: input.currency,
          period_start: input.period_start,
          period_end: input.period_end,
          due_on: input.due_on ?? input.period_start,
        })
        .returning('*')
      await this.registry.record(trx, tenant.id, {
        event: 'billing.invoice',
        actor,
        data: {
          number,
          amount_minor: input.amount_minor,
          currency: input.currency,
          period_end: input.period_end,
        },
      })
      return hydrate(row)
    })
  }

  /**
   * Marks an invoice paid and extends `paid_until` to the end of its period
   * (never backwards). A tenant the sweep suspended for non-payment is resumed.
   */
  async pay(
    tenant: Tenant,
    number: string,
    payment: { reference?: string | null; paidAt?: Date },
    actor: Actor
  ): Promise<{ invoice: Invoice; tenant: Tenant }> {
    const result = await db.transaction(async (trx) => {
      const row = await trx
        .from('billing_invoices')
        .where({ tenant_id: tenant.id, number })
        .forUpdate()
        .first()
      if (!row) throw new E_INVOICE_NOT_FOUND([tenant.slug, number])
      if (row.status === 'paid') throw new E_INVOICE_ALREADY_PAID([number])
      const [paid] = await trx
        .from('billing_invoices')
        .where('id', row.id)
        .update({
          status: 'paid',
          paid_at: payment.paidAt ?? new Date(),
          payment_reference: payment.reference ?? null,
        })
        .returning('*')
      const invoice = hydrate(paid)
      const periodEnd = new Date(`${invoice.period_end}T23:59:59.999Z`)
      const paidUntil =
        tenant.paid_until && tenant.paid_until > periodEnd ? tenant.paid_until : periodEnd
      await trx
        .from('tenants')
        .where('id', tenant.id)
        .update({ paid_until: paidUntil, billing_warned_at: null, updated_at: new Date() })
      await this.registry.record(trx, tenant.id, {
        event: 'billing.payment',
        actor,
        data: { number, reference: payment.reference ?? null, paid_until: paidUntil.toISOString() },
      })
      return invoice
    })
    this.registry.invalidate()
    let updated = await this.registry.findOrFail(tenant.id)
    if (updated.status === 'suspended' && (await this.#suspendedForBilling(updated))) {
      updated = await this.registry.transition(updated, 'active', {
        actor,
        event: 'resumed',
        reason: `billing: invoice ${number} paid`,
      })
    }
    return { invoice: result, tenant: updated }
  }

  async #suspendedForBilling(tenant: Tenant) {
    const last = await db
      .from('tenant_history')
      .where({ tenant_id: tenant.id, to_status: 'suspended' })
      .orderBy('id', 'desc')
      .first()
    return last?.actor === BILLING_ACTOR
  }

  /**
   * The daily sweep: suspends active tenants past `paid_until` + grace, and
   * warns (once per billing period) those that will be within `warningDays`.
   * Tenants without `paid_until` are not billed.
   */
  async sweep(now = new Date()) {
    const tenants = await db.from('tenants').where('status', 'active').whereNotNull('paid_until')
    const warned: string[] = []
    const suspended: string[] = []
    for (const row of tenants) {
      const tenant = await this.registry.findOrFail(row.id)
      const graceEnd = new Date(tenant.paid_until!.getTime() + this.graceDays(tenant.plan) * DAY)
      if (now > graceEnd) {
        await this.registry.transition(tenant, 'suspended', {
          actor: BILLING_ACTOR,
          reason: `billing: unpaid since ${tenant.paid_until!.toISOString().slice(0, 10)} (grace ${this.graceDays(tenant.plan)} days)`,
        })
        suspended.push(tenant.slug)
      } else if (
        now.getTime() > graceEnd.getTime() - this.policy.warningDays * DAY &&
        !tenant.billing_warned_at
      ) {
        await db.transaction(async (trx) => {
          await trx.from('tenants').where('id', tenant.id).update({ billing_warned_at: now })
          await this.registry.record(trx, tenant.id, {
            event: 'billing.warning',
            actor: BILLING_ACTOR,
            reason: `suspension on ${graceEnd.toISOString().slice(0, 10)} unless paid`,
            data: { suspends_on: graceEnd.toISOString() },
          })
        })
        this.logger.warn(
          { tenant_id: tenant.id, suspends_on: graceEnd },
          'tenant warned of billing suspension'
        )
        warned.push(tenant.slug)
      }
    }
    if (warned.length) this.registry.invalidate()
    return { warned, suspended }
  }
}
