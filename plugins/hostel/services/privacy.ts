import { isoDate, type PrivacyHooks, type Trx } from '@oryne/sdk'
import { joinErp, rowsAboutUser } from '../../erp/index.js'

/** What an erased free-text field that may not be empty reads (a leave pass's destination). */
const ERASED = '(erased)'

/** The rows of `table` about the user (as a student, and as staff unless `staff` is false). */
const rowsOf = (trx: Trx, userId: string, table: string, alias: string, staff = true) =>
  rowsAboutUser(trx, userId, table, alias, { staff })

const day = (value: unknown) => (value ? isoDate(value) : null)
const instant = (value: unknown) => (value ? new Date(value as string).toISOString() : null)
const id = (value: unknown) => (value === null || value === undefined ? null : String(value))

/**
 * A user's hostel data: their stays, requests, transfers, term charges and
 * leave passes, as a resident student or a staff resident, and the hostels
 * they are the warden of. Erasure keeps what occupancy and finance need
 * (allocations, term charges, the transfer history, the leave register) and
 * removes what is only about the person: free text (request notes, decision
 * notes, transfer reasons, leave destinations and reasons), requests and
 * passes that never took effect, and the warden's contact on a hostel.
 */
export const hostelPrivacy: PrivacyHooks = {
  async exportPersonalData(userId, { trx }) {
    const allocations = await rowsOf(trx, userId, 'hostel_allocations', 'a')
      .join('hostel_hostels as h', 'h.id', 'a.hostel_id')
      .join('hostel_rooms as r', 'r.id', 'a.room_id')
      .join('hostel_blocks as b', 'b.id', 'r.block_id')
      .orderBy('a.id')
      .select(
        'a.id',
        'a.student_id',
        'a.user_id',
        'h.name as hostel',
        'b.name as block',
        'r.number as room',
        'a.starts_on',
        'a.ended_on',
        'a.status'
      )
    const requests = await joinErp(
      rowsOf(trx, userId, 'hostel_allocation_requests', 'q').join(
        'hostel_hostels as h',
        'h.id',
        'q.hostel_id'
      ),
      'terms',
      't',
      'q.term_id',
      { left: true }
    )
      .orderBy('q.id')
      .select(
        'q.id',
        'q.student_id',
        'q.user_id',
        'h.name as hostel',
        't.name as term',
        'q.note',
        'q.status',
        'q.decision_note',
        'q.decided_at',
        'q.allocation_id',
        'q.created_at'
      )
    const transfers = await rowsOf(trx, userId, 'hostel_transfers', 'x')
      .join('hostel_rooms as fr', 'fr.id', 'x.from_room_id')
      .join('hostel_rooms as tr', 'tr.id', 'x.to_room_id')
      .orderBy('x.id')
      .select('x.id', 'fr.number as from_room', 'tr.number as to_room', 'x.reason', 'x.created_at')
    const charges = await joinErp(
      rowsOf(trx, userId, 'hostel_term_charges', 'c', false),
      'terms',
      't',
      'c.term_id'
    )
      .orderBy('c.id')
      .select('c.id', 'c.student_id', 't.name as term', 'c.amount', 'c.invoice_id', 'c.created_at')
    const passes = await rowsOf(trx, userId, 'hostel_leave_passes', 'p', false)
      .leftJoin('hostel_hostels as h', 'h.id', 'p.hostel_id')
      .orderBy('p.id')
      .select(
        'p.id',
        'p.student_id',
        'h.name as hostel',
        'p.destination',
        'p.reason',
        'p.leaves_at',
        'p.returns_by',
        'p.status',
        'p.returned_at',
        'p.late'
      )
    const wardened = await trx
      .from('hostel_hostels')
      .where('warden_id', userId)
      .orderBy('id')
      .select('id', 'name', 'warden_phone')
    return {
      allocations: allocations.map((row) => ({
        ...row,
        id: id(row.id),
        student_id: id(row.student_id),
        starts_on: day(row.starts_on),
        ended_on: day(row.ended_on),
      })),
      allocation_requests: requests.map((row) => ({
        ...row,
        id: id(row.id),
        student_id: id(row.student_id),
        allocation_id: id(row.allocation_id),
        decided_at: instant(row.decided_at),
        created_at: instant(row.created_at),
      })),
      transfers: transfers.map((row) => ({
        ...row,
        id: id(row.id),
        created_at: instant(row.created_at),
      })),
      term_charges: charges.map((row) => ({
        ...row,
        id: id(row.id),
        student_id: id(row.student_id),
        invoice_id: id(row.invoice_id),
        created_at: instant(row.created_at),
      })),
      leave_passes: passes.map((row) => ({
        ...row,
        id: id(row.id),
        student_id: id(row.student_id),
        leaves_at: instant(row.leaves_at),
        returns_by: instant(row.returns_by),
        returned_at: instant(row.returned_at),
      })),
      wardened_hostels: wardened.map((row) => ({ ...row, id: id(row.id) })),
    }
  },

  /** Idempotent: a second run finds nothing left to change and reports zeros. */
  async erasePersonalData(userId, { trx }) {
    const now = new Date()
    const ids = (table: string, staff = true) =>
      rowsOf(trx, userId, table, 'x', staff).select('x.id')
    // Pending and rejected requests never became a stay: nothing else needs them.
    const requestsWithdrawn = await trx
      .from('hostel_allocation_requests')
      .whereIn('id', ids('hostel_allocation_requests'))
      .whereIn('status', ['pending', 'rejected'])
      .delete()
    const requestsRedacted = await trx
      .from('hostel_allocation_requests')
      .whereIn('id', ids('hostel_allocation_requests'))
      .where((text) => text.whereNotNull('note').orWhereNotNull('decision_note'))
      .update({ note: null, decision_note: null, updated_at: now })
    const transfersRedacted = await trx
      .from('hostel_transfers')
      .whereIn('id', ids('hostel_transfers'))
      .whereNotNull('reason')
      .update({ reason: null, updated_at: now })
    // A pending pass was never used; decided ones stay in the register of who was out when.
    const passesWithdrawn = await trx
      .from('hostel_leave_passes')
      .whereIn('id', ids('hostel_leave_passes', false))
      .where('status', 'pending')
      .delete()
    const passesRedacted = await trx
      .from('hostel_leave_passes')
      .whereIn('id', ids('hostel_leave_passes', false))
      .where((text) => text.whereNot('destination', ERASED).orWhereNotNull('reason'))
      .update({ destination: ERASED, reason: null, updated_at: now })
    const wardenships = await trx
      .from('hostel_hostels')
      .where('warden_id', userId)
      .update({ warden_id: null, warden_phone: null, updated_at: now })
    return {
      allocation_requests_withdrawn: Number(requestsWithdrawn),
      allocation_requests_redacted: Number(requestsRedacted),
      transfers_redacted: Number(transfersRedacted),
      leave_passes_withdrawn: Number(passesWithdrawn),
      leave_passes_redacted: Number(passesRedacted),
      wardenships_ended: Number(wardenships),
    }
  },
}
