import { librarySettings } from './settings.js'
import { shelveCopy } from './services/reservations.js'
import { type PrivacyHooks, type Trx } from '@oryne/sdk'
import { studentIdsOfUser } from '../erp/index.js'

/** The member rows of a user: their staff membership, and the membership of the ERP student they are. */
function membersOf(trx: Trx, userId: string) {
  return trx
    .from('library_members')
    .where('user_id', userId)
    .orWhereIn('student_id', studentIdsOfUser(trx, userId))
    .orderBy('id')
}

/**
 * A user's library data. Erasure keeps loans and fines (the institution's
 * stock and money records, already tied to an ERP invoice when billed) and
 * removes what is only about the person: free-text notes on the member row
 * and their places in reservation queues.
 */
export const libraryPrivacy: PrivacyHooks = {
  async exportPersonalData(userId, { trx }) {
    const members = await membersOf(trx, userId)
    const ids = members.map((member) => member.id)
    const of = (table: string) =>
      trx.from(table).whereIn('member_id', ids).orderBy('id').select('*')
    return {
      members,
      loans: await of('library_loans'),
      reservations: await of('library_reservations'),
      fines: await of('library_fines'),
    }
  },
  async erasePersonalData(userId, { trx }) {
    const members = await membersOf(trx, userId)
    const ids = members.map((member) => member.id)
    const notes = await trx
      .from('library_members')
      .whereIn('id', ids)
      .whereNotNull('note')
      .update({ note: null, updated_at: new Date() })
    const open = await trx
      .from('library_reservations')
      .whereIn('member_id', ids)
      .whereIn('status', ['waiting', 'ready'])
      .select('id', 'status', 'copy_id')
    const settings = await librarySettings()
    for (const reservation of open) {
      // A held copy goes to the next member, as when the member cancels.
      const copy = reservation.copy_id
        ? await trx.from('library_copies').where('id', reservation.copy_id).forUpdate().first()
        : null
      await trx
        .from('library_reservations')
        .where('id', reservation.id)
        .update({ status: 'cancelled', closed_at: new Date(), updated_at: new Date() })
      if (reservation.status === 'ready' && copy) await shelveCopy(trx, copy, settings, 'system')
    }
    return { members: ids.length, notes_erased: notes, reservations_cancelled: open.length }
  },
}
