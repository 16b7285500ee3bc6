import {
  notify,
  permits,
  tenantContext,
  withTenantDb,
  type NotificationTemplate,
  type OryneEvent,
} from '@oryne/sdk'

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
  online_payment_received: {
    channels: ['email', 'in_app'],
    subject: 'Payment received: invoice {{invoice_number}}',
    body:
      'We received {{amount}} online for invoice {{invoice_number}} of {{student_name}} ' +
      '(receipt {{receipt_no}}). The invoice is now {{status}}.',
    description: 'A payment made online was recorded (to the guardians and the student)',
  },
  online_payment_expired: {
    channels: ['email', 'in_app'],
    subject: 'Online payment not completed: invoice {{invoice_number}}',
    body:
      'The online payment you started for invoice {{invoice_number}} of {{student_name}} ' +
      'expired before it was paid; nothing was taken. You can pay the invoice online again.',
    description: 'An online payment session expired unpaid (to the person who started it)',
  },
  online_payment_unmatched: {
    channels: ['email', 'in_app'],
    subject: 'Online payment to refund: invoice {{invoice_number}}',
    body:
      'The card gateway took {{amount}} for invoice {{invoice_number}}, but the invoice could not ' +
      'record it ({{reason}}). Refund session {{session_id}} at the gateway; the fees desk lists ' +
      'such payments.',
    description:
      'A card payment was taken but refused by its invoice (to users who record fee payments)',
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

/** `erp.invoice.paid_online`: tells the student and their guardians who have an account. */
export async function notifyOnlinePayment(event: OryneEvent) {
  const payload = event.payload as {
    invoice_number: string
    student_id: string
    receipt_no: string
    amount: number
    status: string
    event_id: string
  }
  const people = await withTenantDb(async (trx) => {
    const student = await trx
      .from('erp_students')
      .where('id', payload.student_id)
      .select('user_id', 'first_name', 'last_name')
      .first()
    const guardians = await trx
      .from('erp_guardians')
      .where('student_id', payload.student_id)
      .whereNotNull('user_id')
      .select('user_id')
    return { student, userIds: [student?.user_id, ...guardians.map((g) => g.user_id)] }
  })
  const userIds = people.userIds.filter((id) => id !== null && id !== undefined).map(String)
  if (!userIds.length || !people.student) return
  const { currency, locale } = tenantContext.require().settings
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  await notify({
    userIds,
    template: 'erp.online_payment_received',
    data: {
      invoice_number: payload.invoice_number,
      student_name: `${people.student.first_name} ${people.student.last_name}`,
      amount: new Intl.NumberFormat(locale, { style: 'currency', currency }).format(
        payload.amount / 10 ** digits
      ),
      receipt_no: payload.receipt_no,
      status: payload.status === 'paid' ? 'paid' : 'partly paid',
    },
    once: payload.event_id,
  })
}

/** `erp.invoice.online_payment_expired`: tells the user who started the payment. */
export async function notifyExpiredOnlinePayment(event: OryneEvent) {
  const payload = event.payload as {
    invoice_number: string
    student_id: string
    payer: string
    event_id: string
  }
  // Sessions are opened by signed-in users (`user:<id>`); an API key has nobody to tell.
  const userId = /^user:(.+)$/.exec(payload.payer)?.[1]
  if (!userId) return
  const student = await withTenantDb((trx) =>
    trx
      .from('erp_students')
      .where('id', payload.student_id)
      .select('first_name', 'last_name')
      .first()
  )
  if (!student) return
  await notify({
    userIds: [userId],
    template: 'erp.online_payment_expired',
    data: {
      invoice_number: payload.invoice_number,
      student_name: `${student.first_name} ${student.last_name}`,
    },
    once: payload.event_id,
  })
}

/** `erp.invoice.online_payment_unmatched`: tells everyone who may record fee payments. */
export async function notifyUnmatchedOnlinePayment(event: OryneEvent) {
  const payload = event.payload as {
    invoice_number: string
    session_id: string
    amount: number
    outcome: string
    event_id: string
  }
  const staff = await withTenantDb(async (trx) => {
    const roles = await trx.from('roles').select('name', 'permissions')
    const office = roles
      .filter(
        (role) =>
          role.name === 'TenantAdmin' || permits(role.permissions ?? [], 'erp.payments.create')
      )
      .map((role) => role.name)
    if (!office.length) return []
    return trx
      .from('user_roles as ur')
      .join('roles as r', 'r.id', 'ur.role_id')
      .whereIn('r.name', office)
      .distinct('ur.user_id')
  })
  if (!staff.length) return
  const { currency, locale } = tenantContext.require().settings
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  await notify({
    userIds: staff.map((row) => String(row.user_id)),
    template: 'erp.online_payment_unmatched',
    data: {
      invoice_number: payload.invoice_number,
      session_id: payload.session_id,
      amount: new Intl.NumberFormat(locale, { style: 'currency', currency }).format(
        payload.amount / 10 ** digits
      ),
      reason:
        payload.outcome === 'invoice_closed'
          ? 'it was already paid or cancelled'
          : 'the amount is more than what is left to pay',
    },
    once: payload.event_id,
  })
}
