import type { PrivacyHooks } from '@oryne/sdk'

/**
 * A user's personal data in the AI module: their interactions (what they
 * took). Erasure deletes them; the next training (weekly) leaves them out of
 * the model's users.
 */
export const aiPrivacy: PrivacyHooks = {
  async exportPersonalData(userId, { trx }) {
    const interactions = await trx
      .from('ai_interactions')
      .where('user_id', userId)
      .orderBy('occurred_at')
      .select('item_type', 'item_id', 'weight', 'occurred_at', 'source')
    return { interactions }
  },
  async erasePersonalData(userId, { trx }) {
    const erased = await trx.from('ai_interactions').where('user_id', userId).delete()
    return { erased: Number(erased) || 0 }
  },
}
