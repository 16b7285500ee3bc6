import { DateTime } from 'luxon'
import { billTermCharges, findTerm } from '../../erp/index.js'
import { E_TERM_NOT_FOUND } from '../errors.js'
import { transportSettings } from '../settings.js'
import { type Row } from './support.js'
import { actorOf, tenantToday, withTenantDb, type Principal } from '@oryne/sdk'

/**
 * Bills a term's transport fares into ERP invoices: one invoice per student
 * with an active assignment at a stop whose fare is above zero, at that
 * stop's fare. The ERP claims each (term, student) in
 * `transport_term_charges` before its invoice is made, so running it again,
 * or twice at once, bills nobody twice. Staff passengers are not billed: ERP
 * invoices belong to students.
 */
export async function generateTermFees(
  input: { term_id: string; due_on?: string },
  principal: Principal
) {
  const settings = await transportSettings()
  return withTenantDb(async (trx) => {
    const term = await findTerm(trx, input.term_id)
    if (!term) throw new E_TERM_NOT_FOUND([input.term_id])
    const dueOn =
      input.due_on ??
      DateTime.fromISO(tenantToday()).plus({ days: settings.fee_due_days }).toISODate()!
    const rides: Row[] = await trx
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
    const billed = await billTermCharges(trx, {
      claimsTable: 'transport_term_charges',
      source: 'transport',
      term,
      due_on: dueOn,
      note: `Transport fare, ${term.name}`,
      charges: rides.map((ride) => ({
        student_id: ride.student_id,
        amount: Number(ride.fare_per_term),
        description: `Transport ${term.name}: ${ride.route}, stop ${ride.stop}`,
        claim: { assignment_id: ride.id, stop_id: ride.stop_id },
      })),
      actor: actorOf(principal),
    })
    const staff = await trx
      .from('transport_assignments')
      .where('status', 'active')
      .whereNotNull('user_id')
      .count('* as n')
      .first()
    return {
      term_id: String(term.id),
      due_on: dueOn,
      ...billed,
      staff_not_billed: Number(staff?.n ?? 0),
    }
  })
}
