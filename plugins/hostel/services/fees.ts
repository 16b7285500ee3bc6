import { DateTime } from 'luxon'
import { createInvoices } from '../../erp/index.js'
import { E_TERM_NOT_FOUND } from '../errors.js'
import { hostelSettings } from '../settings.js'
import { isoDate, tenantToday, type Row } from './support.js'
import { actorOf, emitEvent, recordAudit, withTenantDb, type Principal } from '@oryne/sdk'

/**
 * Bills a term's hostel rent into ERP invoices: one invoice per student with
 * an active allocation in a room that charges rent, at that room's rent.
 * Each (term, student) is claimed in `hostel_term_charges` (unique) before
 * its invoice is made, so running it again, or twice at once, bills nobody
 * twice; students who arrive later are billed by the next run. Staff
 * residents are not billed: ERP invoices belong to students.
 */
export async function generateTermFees(
  input: { term_id: string; due_on?: string },
  principal: Principal
) {
  const settings = await hostelSettings()
  return withTenantDb(async (trx) => {
    const term = await trx.from('erp_terms').where('id', input.term_id).first()
    if (!term) throw new E_TERM_NOT_FOUND([input.term_id])
    const dueOn =
      input.due_on ??
      DateTime.fromISO(tenantToday()).plus({ days: settings.fee_due_days }).toISODate()!
    const candidates: Row[] = await trx
      .from('hostel_allocations as a')
      .join('hostel_rooms as r', 'r.id', 'a.room_id')
      .join('hostel_hostels as h', 'h.id', 'a.hostel_id')
      .where('a.status', 'active')
      .whereNotNull('a.student_id')
      .where('r.rent_per_term', '>', 0)
      .whereNotExists((sub) =>
        sub
          .from('hostel_term_charges as c')
          .whereRaw('c.student_id = a.student_id')
          .where('c.term_id', term.id)
      )
      .orderBy('a.student_id')
      .select('a.id', 'a.student_id', 'r.rent_per_term', 'r.number', 'h.name as hostel')
    const claimed: Row[] = candidates.length
      ? await trx
          .insertQuery()
          .table('hostel_term_charges')
          .multiInsert(
            candidates.map((c) => ({
              term_id: term.id,
              student_id: c.student_id,
              allocation_id: c.id,
              amount: Number(c.rent_per_term),
            }))
          )
          .onConflict(['term_id', 'student_id'])
          .ignore()
          .returning('*')
      : []
    const byAllocation = new Map(candidates.map((c) => [String(c.id), c]))
    const invoices = await createInvoices(
      trx,
      claimed.map((charge) => {
        const stay = byAllocation.get(String(charge.allocation_id))!
        return {
          student_id: charge.student_id,
          source: 'hostel',
          due_on: dueOn,
          note: `Hostel rent, ${term.name}`,
          lines: [
            {
              description: `Hostel rent ${term.name}: ${stay.hostel}, room ${stay.number}`,
              amount: Number(charge.amount),
            },
          ],
        }
      })
    )
    if (claimed.length) {
      await trx.rawQuery(
        `UPDATE hostel_term_charges c SET invoice_id = v.invoice_id, updated_at = now()
           FROM unnest(?::bigint[], ?::bigint[]) AS v(id, invoice_id) WHERE c.id = v.id`,
        [claimed.map((c) => c.id), invoices.map((i) => i.id)]
      )
    }
    const billedBefore = await trx
      .from('hostel_term_charges')
      .where('term_id', term.id)
      .count('* as n')
      .first()
    const staff = await trx
      .from('hostel_allocations')
      .where('status', 'active')
      .whereNotNull('user_id')
      .count('* as n')
      .first()
    const result = {
      term_id: String(term.id),
      term_starts_on: isoDate(term.starts_on),
      due_on: dueOn,
      invoiced: invoices.length,
      amount: claimed.reduce((sum, c) => sum + Number(c.amount), 0),
      invoice_ids: invoices.map((i) => String(i.id)),
      already_billed: Number(billedBefore?.n ?? 0) - invoices.length,
      staff_not_billed: Number(staff?.n ?? 0),
    }
    const actor = actorOf(principal)
    await recordAudit(trx, {
      actor,
      action: 'hostel.fees.generate',
      subject: `erp.terms:${term.id}`,
      data: { invoiced: result.invoiced, amount: result.amount },
    })
    if (invoices.length) {
      await emitEvent(
        'hostel.fees.generated',
        { term_id: result.term_id, invoices: invoices.length, amount: result.amount },
        actor
      )
    }
    return result
  })
}
