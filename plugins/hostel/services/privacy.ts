import { type PrivacyHooks, type Trx } from '@oryne/sdk'
import { rowsAboutUser } from '../../erp/index.js'

/** The ids of the rows of `table` about the user (as a student, and as staff unless `staff` is false). */
const idsOf = (trx: Trx, userId: string, table: string, staff = true) =>
  rowsAboutUser(trx, userId, table, 'x', { staff }).select('x.id')

/**
 * A user's hostel data. Most of it is declared on the resources (`personal`
 * fields): core exports a resident's stays, requests, transfers, term charges
 * and leave passes, and erasure empties their free text (request and decision
 * notes, transfer reasons, leave destinations and reasons) while keeping what
 * occupancy and finance need. This hook adds what is particular to hostels:
 * requests and passes that never took effect are withdrawn (before core
 * redacts the rest), and a warden's hostels and contact number are exported,
 * then the wardenship ends.
 */
export const hostelPrivacy: PrivacyHooks = {
  async exportPersonalData(userId, { trx }) {
    const wardened = await trx
      .from('hostel_hostels')
      .where('warden_id', userId)
      .orderBy('id')
      .select('id', 'name', 'warden_phone')
    return { wardened_hostels: wardened.map((row) => ({ ...row, id: String(row.id) })) }
  },

  /** Idempotent: a second run finds nothing left to change and reports zeros. */
  async erasePersonalData(userId, { trx }) {
    // Pending and rejected requests never became a stay: nothing else needs them.
    const requestsWithdrawn = await trx
      .from('hostel_allocation_requests')
      .whereIn('id', idsOf(trx, userId, 'hostel_allocation_requests'))
      .whereIn('status', ['pending', 'rejected'])
      .delete()
    // A pending pass was never used; decided ones stay in the register of who was out when.
    const passesWithdrawn = await trx
      .from('hostel_leave_passes')
      .whereIn('id', idsOf(trx, userId, 'hostel_leave_passes', false))
      .where('status', 'pending')
      .delete()
    const wardenships = await trx
      .from('hostel_hostels')
      .where('warden_id', userId)
      .update({ warden_id: null, warden_phone: null, updated_at: new Date() })
    return {
      allocation_requests_withdrawn: Number(requestsWithdrawn),
      leave_passes_withdrawn: Number(passesWithdrawn),
      wardenships_ended: Number(wardenships),
    }
  },
}
