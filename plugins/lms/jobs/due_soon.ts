import { lmsSettings } from '../settings.js'
import { withTenantDb, emitEvent, defineJob } from '@oryne/sdk'

/** How often each tenant's sweep runs: an assignment is announced at most 15 minutes late. */
export const DUE_SOON_CRON = '*/15 * * * *'

/**
 * Emits `lms.assignment.due_soon` once for every published assignment that
 * falls due within the next `due_soon_hours` (24 by default), naming the
 * enrolled students who have not handed in an attempt yet. Each assignment is
 * marked in the same transaction (events leave after the commit), and rows
 * another sweep holds are skipped, so overlapping runs never announce twice.
 * Changing the due date re-arms the announcement (see assignmentHooks).
 */
export async function announceDueSoon(now = new Date()) {
  const { due_soon_hours: hours } = await lmsSettings()
  return withTenantDb(async (trx) => {
    const due = await trx
      .from('lms_assignments as a')
      .where('a.status', 'published')
      .whereNull('a.due_soon_notified_at')
      .where('a.due_at', '>', now)
      .where('a.due_at', '<=', new Date(now.getTime() + hours * 3_600_000))
      .orderBy('a.due_at')
      .forUpdate()
      .skipLocked()
      .select('a.id', 'a.course_id', 'a.title', 'a.due_at')
    for (const assignment of due) {
      const { rows: pending } = await trx.rawQuery(
        `SELECT e.student_id::text AS student_id, e.student_user_id AS user_id
           FROM lms_enrolments e
          WHERE e.course_id = ? AND e.status = 'active'
            AND NOT EXISTS (
              SELECT 1 FROM lms_submissions s
               WHERE s.assignment_id = ? AND s.student_id = e.student_id AND s.status <> 'draft')
          ORDER BY e.student_id`,
        [assignment.course_id, assignment.id]
      )
      await trx
        .from('lms_assignments')
        .where('id', assignment.id)
        .update({ due_soon_notified_at: now })
      await emitEvent('lms.assignment.due_soon', {
        assignment_id: String(assignment.id),
        course_id: String(assignment.course_id),
        title: assignment.title,
        due_at: new Date(assignment.due_at).toISOString(),
        pending: pending,
      })
    }
    return { announced: due.length }
  })
}

/** The repeatable job: one schedule per tenant, run in that tenant's context by the worker. */
export const assignmentDueSoonJob = defineJob<Record<string, never>>({
  name: 'lms.assignment_due_soon',
  queue: 'default',
  attempts: 3,
  backoff: 60_000,
  async handle(_data, context) {
    if (!context.tenantId)
      throw new TypeError('lms.assignment_due_soon runs for one tenant; schedule it with tenantId')
    return announceDueSoon()
  },
})
