import { withTenantDb, type CalendarEntry, type CalendarQuery } from '@oryne/sdk'
import { childIdsOfGuardian, joinErp } from '../../erp/index.js'

/**
 * The user's leave passes in calendars (the events plugin's iCalendar feed):
 * pending and approved passes of the student the user is, or of the
 * children they are a guardian of, that overlap the window.
 */
export async function hostelCalendar({
  userId,
  from,
  to,
}: CalendarQuery): Promise<CalendarEntry[]> {
  const passes = await withTenantDb((trx) =>
    joinErp(trx.from('hostel_leave_passes as p'), 'students', 's', 'p.student_id')
      .whereIn('p.status', ['pending', 'approved'])
      .where('p.leaves_at', '<', to)
      .where('p.returns_by', '>', from)
      .where((who) =>
        who.where('s.user_id', userId).orWhereIn('p.student_id', childIdsOfGuardian(trx, userId))
      )
      .orderBy('p.leaves_at')
      .select('p.*', 's.first_name')
  )
  return passes.map((pass) => ({
    uid: `leave-pass-${pass.id}`,
    title: `Leave (${pass.status}): ${pass.first_name} to ${pass.destination}`,
    starts_at: new Date(pass.leaves_at).toISOString(),
    ends_at: new Date(pass.returns_by).toISOString(),
    description: pass.reason ?? null,
    kind: 'leave_pass',
  }))
}
