import { DateTime } from 'luxon'
import { billTermCharges, findTerm } from '../../erp/index.js'
import { E_TERM_NOT_FOUND } from '../errors.js'
import { hostelSettings } from '../settings.js'
import { type Row } from './support.js'
import { actorOf, isoDate, tenantToday, withTenantDb, type Principal } from '@oryne/sdk'

/**
 * Bills a term's hostel rent into ERP invoices: one invoice per student with
 * an active allocation in a room that charges rent, at that room's rent.
 * The ERP claims each (term, student) in `hostel_term_charges` before its
 * invoice is made, so running it again, or twice at once, bills nobody
 * twice; students who arrive later are billed by the next run. Staff
 * residents are not billed: ERP invoices belong to students.
 */
export async function generateTermFees(
  input: { term_id: string; due_on?: string },
  principal: Principal
) {
  const settings = await hostelSettings()
  return withTenantDb(async (trx) => {
    const term = await findTerm(trx, input.term_id)
    if (!term) throw new E_TERM_NOT_FOUND([input.term_id])
    const dueOn =
      input.due_on ??
      DateTime.fromISO(tenantToday()).plus({ days: settings.fee_due_days }).toISODate()!
    const stays: Row[] = await trx
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
    const billed = await billTermCharges(trx, {
      claimsTable: 'hostel_term_charges',
      source: 'hostel',
      term,
      due_on: dueOn,
      note: `Hostel rent, ${term.name}`,
      charges: stays.map((stay) => ({
        student_id: stay.student_id,
        amount: Number(stay.rent_per_term),
        description: `Hostel rent ${term.name}: ${stay.hostel}, room ${stay.number}`,
        claim: { allocation_id: stay.id },
      })),
      actor: actorOf(principal),
    })
    const staff = await trx
      .from('hostel_allocations')
      .where('status', 'active')
      .whereNotNull('user_id')
      .count('* as n')
      .first()
    return {
      term_id: String(term.id),
      term_starts_on: isoDate(term.starts_on),
      due_on: dueOn,
      ...billed,
      staff_not_billed: Number(staff?.n ?? 0),
    }
  })
}
