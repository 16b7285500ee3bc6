import { notify, withTenantDb, type NotificationTemplate, type OryneEvent } from '@oryne/sdk'

/** Templates the ERP sends through the notification service (tenants may override their text). */
export const erpNotifications: Record<string, NotificationTemplate> = {
  attendance_below_threshold: {
    channels: ['email', 'push', 'in_app'],
    subject: 'Attendance alert: {{student_name}}',
    body:
      "{{student_name}}'s attendance is {{percent}}% over the last {{window_days}} days " +
      '(as of {{as_of}}), under the {{threshold}}% the school expects.',
    description: "A student's attendance fell under the threshold (to the guardians)",
  },
  fee_reminder: {
    channels: ['email', 'push', 'in_app'],
    subject: 'Fee reminder: invoice {{invoice_number}} for {{student_name}}',
    body:
      'Invoice {{invoice_number}} for {{student_name}} ({{balance}} outstanding) {{when}}. ' +
      'Please pay it, or contact the school office if you already have.',
    description:
      'An unpaid invoice is due soon or overdue (to the guardians and the student), at most daily',
  },
}

/** `erp.attendance.below_threshold`: tells the student's guardians who have an account. */
export async function notifyGuardiansOfAttendance(event: OryneEvent) {
  const payload = event.payload as {
    student_id: string
    percent: number
    threshold: number
    window_days: number
    as_of: string
  }
  const guardians = await withTenantDb((trx) =>
    trx
      .from('erp_guardians as g')
      .join('erp_students as s', 's.id', 'g.student_id')
      .where('g.student_id', payload.student_id)
      .whereNotNull('g.user_id')
      .select('g.user_id', 's.first_name', 's.last_name')
  )
  if (!guardians.length) return
  await notify({
    userIds: guardians.map((row) => row.user_id),
    template: 'erp.attendance_below_threshold',
    data: {
      student_name: `${guardians[0].first_name} ${guardians[0].last_name}`,
      percent: payload.percent,
      threshold: payload.threshold,
      window_days: payload.window_days,
      as_of: payload.as_of,
    },
    priority: 'high',
    // Marking the same day again does not alert twice.
    dedupKey: `${payload.student_id}:${payload.as_of}`,
  })
}
