import type { PrivacyHooks } from '@oryne/sdk'
import { studentIdsOfUser } from '../../erp/index.js'
import { eraseStudentWork, studentWork } from './plagiarism.js'

/**
 * A user's personal data in the AI module: their interactions (what they
 * took) and, when they are a student, the work the plagiarism checks keep
 * (submission texts and code files). Erasure deletes both: the next training
 * (weekly) leaves them out of the model's users, and no later check compares
 * against their work.
 */
export const aiPrivacy: PrivacyHooks = {
  async exportPersonalData(userId, { trx }) {
    const [interactions, students] = await Promise.all([
      trx
        .from('ai_interactions')
        .where('user_id', userId)
        .orderBy('occurred_at')
        .select('item_type', 'item_id', 'weight', 'occurred_at', 'source'),
      studentIdsOfUser(trx, userId),
    ])
    const work = await studentWork(
      trx,
      students.map((row: { id: string | number }) => String(row.id))
    )
    return { interactions, plagiarism_texts: work.texts, plagiarism_code_files: work.code_files }
  },
  async erasePersonalData(userId, { trx }) {
    const students = await studentIdsOfUser(trx, userId)
    const interactions = await trx.from('ai_interactions').where('user_id', userId).delete()
    const work = await eraseStudentWork(
      trx,
      students.map((row: { id: string | number }) => String(row.id))
    )
    return { erased: (Number(interactions) || 0) + work }
  },
}
