import {
  E_ERP_NOT_FOUND,
  E_INVOICE_CLOSED,
  E_OVER_REFUND,
  E_OVERPAYMENT,
  E_SCHEDULE_GENERATED,
} from '../errors.js'
import { formatNumber, nextNumbers } from './counters.js'
import {
  daysBetween,
  emitEvent,
  isoDate,
  recordAudit,
  tenantContext,
  tenantToday,
  withTenantDb,
  type Trx,
} from '@oryne/sdk'

type Row = Record<string, any>

export type InvoiceLineInput = {
  description: string
  /** Minor units of the tenant's currency. */
  amount: number
  category_id?: string | number | null
  discount?: number
}

export type NewInvoice = {
  student_id: string | number
  lines: InvoiceLineInput[]
  due_on: string
  issued_on?: string
  /** Who billed it: `fees`, `library`, `hostel`, `transport`, ... */
  source?: string
  schedule_id?: string | number | null
  late_fine_per_day?: number
  late_fine_cap?: number
  note?: string | null
}

function assertMinorUnits(value: number, what: string) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${what} must be a non-negative integer in minor units, got ${value}`)
  }
}

/** Late fine accrued on an invoice by `asOf`: overdue days times the daily fine, capped. */
export function fineAsOf(invoice: Row, asOf: string): number {
  const perDay = Number(invoice.late_fine_per_day ?? 0)
  if (!perDay) return 0
  const overdue = daysBetween(isoDate(invoice.due_on), asOf)
  if (overdue <= 0) return 0
  const cap = Number(invoice.late_fine_cap ?? 0)
  return cap ? Math.min(overdue * perDay, cap) : overdue * perDay
}

/** What is still owed on an invoice (fine included once it has been charged). */
export function balanceOf(invoice: Row): number {
  return (
    Number(invoice.amount) -
    Number(invoice.discount ?? 0) +
    Number(invoice.fine ?? 0) -
    Number(invoice.paid ?? 0) +
    Number(invoice.refunded ?? 0)
  )
}

/**
 * What is still to be paid on each of these invoices, by id: the balance, never
 * below zero; a cancelled invoice owes nothing. For plugins that billed on them.
 */
export async function unpaidBalances(trx: Trx, invoiceIds: string[]): Promise<Map<string, number>> {
  const balances = new Map<string, number>()
  if (!invoiceIds.length) return balances
  const invoices = await trx
    .from('erp_invoices')
    .whereIn('id', invoiceIds)
    .select('id', 'status', 'amount', 'discount', 'fine', 'paid', 'refunded')
  for (const invoice of invoices) {
    balances.set(
      String(invoice.id),
      invoice.status === 'cancelled' ? 0 : Math.max(0, balanceOf(invoice))
    )
  }
  return balances
}

/** The status the amounts give (a cancelled invoice stays cancelled). */
export function statusOf(invoice: Row) {
  if (invoice.status === 'cancelled') return 'cancelled'
  const owed = Number(invoice.amount) - Number(invoice.discount ?? 0) + Number(invoice.fine ?? 0)
  const kept = Number(invoice.paid ?? 0) - Number(invoice.refunded ?? 0)
  if (kept >= owed) return 'paid'
  return kept > 0 ? 'partially_paid' : 'open'
}

export async function lockInvoice(trx: Trx, id: unknown): Promise<Row> {
  const invoice = await trx
    .from('erp_invoices')
    .where('id', id as any)
    .forUpdate()
    .first()
  if (!invoice) throw new E_ERP_NOT_FOUND(['Invoice', String(id)])
  return invoice
}

/**
 * Creates invoices with their lines in the caller's transaction, numbered
 * without gaps. This is the fees service other plugins (library, hostel,
 * transport, e-store) bill through.
 */
export async function createInvoices(trx: Trx, invoices: NewInvoice[]): Promise<Row[]> {
  if (!invoices.length) return []
  const issuedDefault = tenantToday()
  const numbers = await nextNumbers(trx, 'invoice', invoices.length)
  const rows = invoices.map((invoice, i) => {
    let amount = 0
    let discount = 0
    for (const line of invoice.lines) {
      assertMinorUnits(line.amount, 'amount')
      assertMinorUnits(line.discount ?? 0, 'discount')
      amount += line.amount
      discount += line.discount ?? 0
    }
    return {
      number: formatNumber('INV', numbers[i]),
      student_id: invoice.student_id,
      schedule_id: invoice.schedule_id ?? null,
      source: invoice.source ?? 'fees',
      issued_on: invoice.issued_on ?? issuedDefault,
      due_on: invoice.due_on,
      amount,
      discount,
      paid: 0,
      refunded: 0,
      fine: 0,
      late_fine_per_day: invoice.late_fine_per_day ?? 0,
      late_fine_cap: invoice.late_fine_cap ?? 0,
      status: 'open',
      note: invoice.note ?? null,
    }
  })
  const created: Row[] = []
  // Chunks keep each statement under PostgreSQL's bind-parameter limit.
  for (let start = 0; start < rows.length; start += 1000) {
    created.push(
      ...(await trx
        .insertQuery()
        .table('erp_invoices')
        .multiInsert(rows.slice(start, start + 1000))
        .returning('*'))
    )
  }
  const lines = created.flatMap((row, i) =>
    invoices[i].lines.map((line) => ({
      invoice_id: row.id,
      student_id: row.student_id,
      category_id: line.category_id ?? null,
      description: line.description,
      amount: line.amount,
      discount: line.discount ?? 0,
    }))
  )
  for (let start = 0; start < lines.length; start += 1000) {
    await trx
      .insertQuery()
      .table('erp_invoice_lines')
      .multiInsert(lines.slice(start, start + 1000))
  }
  return created
}

/** One invoice: the fees service entry for a single charge (a library fine, a hostel term). */
export async function createInvoice(trx: Trx, invoice: NewInvoice): Promise<Row> {
  const [created] = await createInvoices(trx, [invoice])
  return created
}

/** One student's charge for a term, as a plugin that bills terms (hostel, transport) selected it. */
export type TermCharge = {
  student_id: string | number
  /** Minor units of the tenant's currency. */
  amount: number
  /** The invoice line's text. */
  description: string
  /** The claim row's own columns: what the charge is for (an allocation, an assignment and stop). */
  claim?: Record<string, unknown>
}

/**
 * Bills a term's charges into invoices, one per student, for a plugin that
 * keeps a claims table (`<plugin>_term_charges`, unique on term and student,
 * with `amount` and `invoice_id`). Each (term, student) is claimed before its
 * invoice is made, so a second run, or two at once, bill nobody twice; a
 * student claimed already is skipped. Records the `<source>.fees.generate`
 * audit entry and, when something was billed, emits `<source>.fees.generated`.
 */
export async function billTermCharges(
  trx: Trx,
  input: {
    claimsTable: string
    /** The billing plugin: the invoices' source and the prefix of its audit action and event. */
    source: string
    term: { id: string | number; name: string }
    due_on: string
    /** The invoices' note. */
    note: string
    charges: TermCharge[]
    actor: string
  }
) {
  const { claimsTable, source, term } = input
  // A student with two charges is claimed once, for the first.
  const byStudent = new Map<string, TermCharge>()
  for (const charge of input.charges) {
    if (!byStudent.has(String(charge.student_id))) byStudent.set(String(charge.student_id), charge)
  }
  const claimed: Row[] = byStudent.size
    ? await trx
        .insertQuery()
        .table(claimsTable)
        .multiInsert(
          [...byStudent.values()].map((charge) => ({
            ...charge.claim,
            term_id: term.id,
            student_id: charge.student_id,
            amount: charge.amount,
          }))
        )
        .onConflict(['term_id', 'student_id'])
        .ignore()
        .returning('*')
    : []
  const invoices = await createInvoices(
    trx,
    claimed.map((claim) => ({
      student_id: claim.student_id,
      source,
      due_on: input.due_on,
      note: input.note,
      lines: [
        {
          description: byStudent.get(String(claim.student_id))!.description,
          amount: Number(claim.amount),
        },
      ],
    }))
  )
  if (claimed.length) {
    await trx.rawQuery(
      `UPDATE ?? c SET invoice_id = v.invoice_id, updated_at = now()
         FROM unnest(?::bigint[], ?::bigint[]) AS v(id, invoice_id) WHERE c.id = v.id`,
      [claimsTable, claimed.map((c) => c.id), invoices.map((i) => i.id)]
    )
  }
  const billed = await trx.from(claimsTable).where('term_id', term.id).count('* as n').first()
  const result = {
    invoiced: invoices.length,
    amount: claimed.reduce((sum, c) => sum + Number(c.amount), 0),
    invoice_ids: invoices.map((i) => String(i.id)),
    already_billed: Number(billed?.n ?? 0) - invoices.length,
  }
  await recordAudit(trx, {
    actor: input.actor,
    action: `${source}.fees.generate`,
    subject: `erp.terms:${term.id}`,
    data: { invoiced: result.invoiced, amount: result.amount },
  })
  if (invoices.length) {
    await emitEvent(
      `${source}.fees.generated`,
      { term_id: String(term.id), invoices: invoices.length, amount: result.amount },
      input.actor
    )
  }
  return result
}

/** Payment hooks: checks the amount against the invoice, numbers the receipt, updates the invoice. */
export const paymentHooks = {
  async beforeCreate(data: Record<string, unknown>, { trx }: { trx: Trx }) {
    const invoice = await lockInvoice(trx, data.invoice_id)
    if (invoice.status === 'cancelled' || invoice.status === 'paid') {
      throw new E_INVOICE_CLOSED([invoice.number, invoice.status])
    }
    const today = tenantToday()
    // The late fine is charged once, by the first payment after the due date.
    if (!Number(invoice.fine) && fineAsOf(invoice, today) > 0) {
      invoice.fine = fineAsOf(invoice, today)
      await trx.from('erp_invoices').where('id', invoice.id).update({ fine: invoice.fine })
    }
    const balance = balanceOf(invoice)
    if (Number(data.amount) > balance) {
      throw new E_OVERPAYMENT([invoice.number, balance, data.amount])
    }
    const [receipt] = await nextNumbers(trx, 'receipt')
    data.receipt_no = formatNumber('RCT', receipt)
    data.student_id = invoice.student_id
    data.paid_on ??= today
    data.refunded = 0
  },
  async afterCreate(payment: Row, { trx }: { trx: Trx }) {
    const invoice = await lockInvoice(trx, payment.invoice_id)
    invoice.paid = Number(invoice.paid) + Number(payment.amount)
    await trx
      .from('erp_invoices')
      .where('id', invoice.id)
      .update({ paid: invoice.paid, status: statusOf(invoice), updated_at: new Date() })
  },
}

/** Refund hooks: never more than what is left of the payment; the invoice owes it again. */
export const refundHooks = {
  async beforeCreate(data: Record<string, unknown>, { trx }: { trx: Trx }) {
    const payment = await trx
      .from('erp_payments')
      .where('id', data.payment_id as any)
      .forUpdate()
      .first()
    if (!payment) throw new E_ERP_NOT_FOUND(['Payment', String(data.payment_id)])
    const left = Number(payment.amount) - Number(payment.refunded)
    if (Number(data.amount) > left) throw new E_OVER_REFUND([payment.receipt_no, left, data.amount])
  },
  async afterCreate(refund: Row, { trx }: { trx: Trx }) {
    const payment = await trx
      .from('erp_payments')
      .where('id', refund.payment_id)
      .forUpdate()
      .first()
    await trx
      .from('erp_payments')
      .where('id', payment.id)
      .update({
        refunded: Number(payment.refunded) + Number(refund.amount),
        updated_at: new Date(),
      })
    const invoice = await lockInvoice(trx, payment.invoice_id)
    invoice.refunded = Number(invoice.refunded) + Number(refund.amount)
    await trx
      .from('erp_invoices')
      .where('id', invoice.id)
      .update({ refunded: invoice.refunded, status: statusOf(invoice), updated_at: new Date() })
  },
}

/**
 * Bills a fee schedule: one invoice per active student of the structure's
 * class, with one line per component and the student's standing discounts.
 * Runs once (a second call is ERR_ERP_SCHEDULE_GENERATED), in one transaction.
 */
export async function generateSchedule(scheduleId: string, actor: string) {
  return withTenantDb(async (trx) => {
    const schedule = await trx.from('erp_fee_schedules').where('id', scheduleId).forUpdate().first()
    if (!schedule) throw new E_ERP_NOT_FOUND(['Fee schedule', scheduleId])
    if (schedule.status === 'generated') throw new E_SCHEDULE_GENERATED([scheduleId])
    const structure = await trx
      .from('erp_fee_structures')
      .where('id', schedule.structure_id)
      .first()
    const components = await trx
      .from('erp_fee_components as c')
      .join('erp_fee_categories as k', 'k.id', 'c.category_id')
      .where('c.structure_id', schedule.structure_id)
      .orderBy('c.id')
      .select('c.category_id', 'c.amount', 'k.name')
    const students = await trx
      .from('erp_students')
      .where({ class_id: structure.class_id, status: 'active' })
      .orderBy('enrollment_no')
      .select('id')
    const discounts = await trx
      .from('erp_fee_discounts')
      .whereIn(
        'student_id',
        students.map((s) => s.id)
      )
      .select('student_id', 'category_id', 'percent')
    const discountsOf = new Map<string, Row[]>()
    for (const d of discounts) {
      discountsOf.set(String(d.student_id), [...(discountsOf.get(String(d.student_id)) ?? []), d])
    }
    const invoices: NewInvoice[] = students.map((student) => ({
      student_id: student.id,
      schedule_id: schedule.id,
      source: 'fees',
      issued_on: isoDate(schedule.issued_on),
      due_on: isoDate(schedule.due_on),
      late_fine_per_day: Number(schedule.late_fine_per_day ?? 0),
      late_fine_cap: Number(schedule.late_fine_cap ?? 0),
      lines: components.map((component) => {
        const amount = Number(component.amount)
        // The best standing discount that applies to this category.
        const percent = Math.max(
          0,
          ...(discountsOf.get(String(student.id)) ?? [])
            .filter(
              (d) =>
                d.category_id === null || String(d.category_id) === String(component.category_id)
            )
            .map((d) => Number(d.percent))
        )
        // Discounts round down to whole minor units: the institution never loses a fraction.
        return {
          description: component.name,
          category_id: component.category_id,
          amount,
          discount: Math.floor((amount * percent) / 100),
        }
      }),
    }))
    const created = await createInvoices(trx, invoices)
    await trx
      .from('erp_fee_schedules')
      .where('id', schedule.id)
      .update({ status: 'generated', invoices_generated: created.length, updated_at: new Date() })
    await emitEvent(
      'erp.fee_schedule.generated',
      { schedule_id: schedule.id, invoices: created.length },
      actor
    )
    return { schedule_id: String(schedule.id), invoices: created.length }
  })
}

/** What each student owes as of today (tenant time zone), late fines included (charged or accrued so far). */
export async function outstandingReport(filters: { class_id?: string; section_id?: string }) {
  const today = tenantToday()
  tenantContext.require()
  return withTenantDb(async (trx) => {
    const query = trx
      .from('erp_invoices as i')
      .join('erp_students as s', 's.id', 'i.student_id')
      .whereIn('i.status', ['open', 'partially_paid'])
      .orderBy('s.enrollment_no')
      .orderBy('i.due_on')
      .select(
        'i.id',
        'i.number',
        'i.student_id',
        's.enrollment_no',
        's.first_name',
        's.last_name',
        'i.due_on',
        'i.amount',
        'i.discount',
        'i.fine',
        'i.paid',
        'i.refunded',
        'i.late_fine_per_day',
        'i.late_fine_cap',
        'i.status'
      )
    if (filters.class_id) query.where('s.class_id', filters.class_id)
    if (filters.section_id) query.where('s.section_id', filters.section_id)
    const rows = await query
    const byStudent = new Map<string, Row>()
    for (const row of rows) {
      // The fine charged by a payment, or the one accrued so far on an invoice nobody paid late yet.
      const fine = Number(row.fine) || fineAsOf(row, today)
      const balance = balanceOf({ ...row, fine })
      const entry = byStudent.get(String(row.student_id)) ?? {
        student_id: String(row.student_id),
        enrollment_no: row.enrollment_no,
        name: `${row.first_name} ${row.last_name}`,
        invoices: 0,
        balance: 0,
        fine_accrued: 0,
        overdue: 0,
      }
      entry.invoices += 1
      entry.balance += balance
      entry.fine_accrued += fine
      if (isoDate(row.due_on) < today) entry.overdue += balance
      byStudent.set(String(row.student_id), entry)
    }
    const students = [...byStudent.values()]
    return {
      as_of: today,
      currency: tenantContext.require().settings.currency,
      students,
      total: students.reduce((sum, s) => sum + s.balance, 0),
      total_fine_accrued: students.reduce((sum, s) => sum + s.fine_accrued, 0),
    }
  })
}
