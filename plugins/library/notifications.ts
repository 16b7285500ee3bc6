import { notify, readTenantDb, type NotificationTemplate, type OryneEvent } from '@oryne/sdk'

/** Templates the library sends through the notification service (tenants may override their text). */
export const libraryNotifications: Record<string, NotificationTemplate> = {
  loan_due_soon: {
    channels: ['email', 'push', 'in_app'],
    subject: 'Library book due {{due_on}}: {{title}}',
    body: '"{{title}}" is due back at the library on {{due_on}}. Return or renew it to avoid a fine.',
    description: 'A loan falls due within the due-soon window (library setting due_soon_days)',
  },
  loan_overdue: {
    channels: ['email', 'push', 'in_app'],
    subject: 'Overdue library book: {{title}}',
    body:
      '"{{title}}" was due on {{due_on}} and is {{days_overdue}} day(s) overdue. ' +
      'A fine accrues for every day until it is returned.',
    description: 'A loan passed its due date without being returned',
  },
  reservation_ready: {
    channels: ['email', 'push', 'in_app'],
    subject: 'Your reserved book is ready: {{title}}',
    body: '"{{title}}" is waiting for you at the library desk until {{hold_until}}.',
    description: 'A reserved title has a copy on the hold shelf for the member',
  },
}

async function titleOf(titleId: string) {
  const row = await readTenantDb((client, table) =>
    client.from(table('library_titles', 't')).where('t.id', titleId).select('t.title').first()
  )
  return row?.title ?? 'A library book'
}

type LoanPayload = {
  loan_id: string
  title_id: string
  user_id: string | null
  due_on: string
  days_overdue?: number
}

/** `library.loan.due_soon`: reminds the borrower. */
export async function notifyLoanDueSoon(event: OryneEvent) {
  const payload = event.payload as LoanPayload
  if (!payload.user_id) return
  await notify({
    userIds: [payload.user_id],
    template: 'library.loan_due_soon',
    data: { title: await titleOf(payload.title_id), due_on: payload.due_on },
    dedupKey: `${payload.loan_id}:${payload.due_on}`,
  })
}

/** `library.loan.overdue`: tells the borrower once the loan is past due. */
export async function notifyLoanOverdue(event: OryneEvent) {
  const payload = event.payload as LoanPayload
  if (!payload.user_id) return
  await notify({
    userIds: [payload.user_id],
    template: 'library.loan_overdue',
    data: {
      title: await titleOf(payload.title_id),
      due_on: payload.due_on,
      days_overdue: payload.days_overdue ?? 1,
    },
    priority: 'high',
    dedupKey: `${payload.loan_id}:overdue:${payload.due_on}`,
  })
}

/** `library.reservation.ready`: tells the member their copy is on the hold shelf. */
export async function notifyReservationReady(event: OryneEvent) {
  const payload = event.payload as {
    reservation_id: string
    title_id: string
    user_id: string | null
    hold_until: string
  }
  if (!payload.user_id) return
  await notify({
    userIds: [payload.user_id],
    template: 'library.reservation_ready',
    data: { title: await titleOf(payload.title_id), hold_until: payload.hold_until },
    dedupKey: `${payload.reservation_id}:ready`,
  })
}
