import { DateTime } from 'luxon'
import { createInvoices } from '../../erp/index.js'
import { E_TERM_NOT_FOUND } from '../errors.js'
import { transportSettings } from '../settings.js'
import { tenantToday, type Row } from './support.js'
import { actorOf, emitEvent, recordAudit, withTenantDb, type Principal } from '@oryne/sdk'

/**
 * Bills a term's transport fares into ERP invoices: one invoice per student
 * with an active assignment at a stop whose fare is above zero, at that
 * stop's fare. Each (term, student) is claimed in `transport_term_charges`
 * (unique) before its invoice is made, so running it again, or twice at once,
 * bills nobody twice. Staff passengers are not billed: ERP invoices belong to
 * students.
 */
export async function generateTermFees(
  input: { term_id: string; due_on?: string },
  principal: Principal
) {
  const settings = await transportSettings()
  return withTenantDb(async (trx) => {
    const term = await trx.from('erp_terms').where('id', input.term_id).first()
    if (!term) throw new E_TERM_NOT_FOUND([input.term_id])
    const dueOn =
      input.due_on ??
      DateTime.fromISO(tenantToday()).plus({ days: settings.fee_due_days }).toISODate()!
    const candidates: Row[] = await trx
      .from('transport_assignments as a')
      .join('transport_stops as s', 's.id', 'a.stop_id')
      .join('transport_routes as r', 'r.id', 'a.route_id')
      .where('a.status', 'active')
      .whereNotNull('a.student_id')
      .where('s.fare_per_term', '>', 0)
      .whereNotExists((sub) =>
        sub
          .from('transport_term_charges as c')
          .whereRaw('c.student_id = a.student_id')
          .where('c.term_id', term.id)
      )
      .orderBy('a.student_id')
      .select(
        'a.id',
        'a.student_id',
        'a.stop_id',
        's.fare_per_term',
        's.name as stop',
        'r.name as route'
      )
    const claimed: Row[] = candidates.length
      ? await trx
          .insertQuery()
          .table('transport_term_charges')
          .multiInsert(
            candidates.map((c) => ({
              term_id: term.id,
              student_id: c.student_id,
              assignment_id: c.id,
              stop_id: c.stop_id,
              amount: Number(c.fare_per_term),
            }))
          )
          .onConflict(['term_id', 'student_id'])
          .ignore()
          .returning('*')
      : []
    const byAssignment = new Map(candidates.map((c) => [String(c.id), c]))
    const invoices = await createInvoices(
      trx,
      claimed.map((charge) => {
        const ride = byAssignment.get(String(charge.assignment_id))!
        return {
          student_id: charge.student_id,
          source: 'transport',
          due_on: dueOn,
          note: `Transport fare, ${term.name}`,
          lines: [
            {
              description: `Transport ${term.name}: ${ride.route}, stop ${ride.stop}`,
              amount: Number(charge.amount),
            },
          ],
        }
      })
    )
    if (claimed.length) {
      await trx.rawQuery(
        `UPDATE transport_term_charges c SET invoice_id = v.invoice_id, updated_at = now()
           FROM unnest(?::bigint[], ?::bigint[]) AS v(id, invoice_id) WHERE c.id = v.id`,
        [claimed.map((c) => c.id), invoices.map((i) => i.id)]
      )
    }
    const billed = await trx
      .from('transport_term_charges')
      .where('term_id', term.id)
      .count('* as n')
      .first()
    const staff = await trx
      .from('transport_assignments')
      .where('status', 'active')
      .whereNotNull('user_id')
      .count('* as n')
      .first()
    const result = {
      term_id: String(term.id),
      due_on: dueOn,
      invoiced: invoices.length,
      amount: claimed.reduce((sum, c) => sum + Number(c.amount), 0),
      invoice_ids: invoices.map((i) => String(i.id)),
      already_billed: Number(billed?.n ?? 0) - invoices.length,
      staff_not_billed: Number(staff?.n ?? 0),
    }
    const actor = actorOf(principal)
    await recordAudit(trx, {
      actor,
      action: 'transport.fees.generate',
      subject: `erp.terms:${term.id}`,
      data: { invoiced: result.invoiced, amount: result.amount },
    })
    if (invoices.length) {
      await emitEvent(
        'transport.fees.generated',
        { term_id: result.term_id, invoices: invoices.length, amount: result.amount },
        actor
      )
    }
    return result
  })
}
