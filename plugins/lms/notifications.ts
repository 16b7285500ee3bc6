import { notify, withTenantDb, type NotificationTemplate, type OryneEvent } from '@oryne/sdk'

/** Templates the LMS sends through the notification service (tenants may override their text). */
export const lmsNotifications: Record<string, NotificationTemplate> = {
  grade_published: {
    channels: ['email', 'push', 'in_app'],
    subject: 'New grade: {{assignment}}',
    body: 'Your grade for "{{assignment}}" in {{course}} is {{points}} out of {{max_points}}.',
    description: 'A grade was released to the student',
  },
  assignment_due: {
    channels: ['push', 'in_app'],
    subject: 'Due soon: {{assignment}}',
    body: '"{{assignment}}" is due {{due_at}} and you have not handed it in yet.',
    description: 'An assignment falls due within the due-soon window (students yet to submit)',
  },
}

/** `lms.grade.published`: tells the student (through their enrolment's user). */
export async function notifyGradePublished(event: OryneEvent) {
  const payload = event.payload as {
    grade_id: string
    assignment_id: string
    course_id: string
    student_id: string
    final_points: unknown
    points: unknown
  }
  const row = await withTenantDb((trx) =>
    trx
      .from('lms_enrolments as e')
      .join('lms_courses as c', 'c.id', 'e.course_id')
      .join('lms_assignments as a', 'a.course_id', 'c.id')
      .where('e.course_id', payload.course_id)
      .where('e.student_id', payload.student_id)
      .where('a.id', payload.assignment_id)
      .whereNotNull('e.student_user_id')
      .select('e.student_user_id', 'c.title as course', 'a.title as assignment', 'a.max_points')
      .first()
  )
  if (!row) return
  await notify({
    userIds: [row.student_user_id],
    template: 'lms.grade_published',
    data: {
      assignment: row.assignment,
      course: row.course,
      points: Number(payload.final_points ?? payload.points),
      max_points: Number(row.max_points),
    },
    dedupKey: `${payload.grade_id}:${payload.final_points ?? payload.points}`,
  })
}

/** `lms.assignment.due_soon`: reminds the students who have not handed in. */
export async function notifyAssignmentDue(event: OryneEvent) {
  const payload = event.payload as {
    assignment_id: string
    title: string
    due_at: string
    pending: Array<{ user_id: string | null }>
  }
  const userIds = payload.pending.map((entry) => entry.user_id).filter((id): id is string => !!id)
  if (!userIds.length) return
  await notify({
    userIds,
    template: 'lms.assignment_due',
    data: { assignment: payload.title, due_at: payload.due_at },
    dedupKey: `${payload.assignment_id}:${payload.due_at}`,
  })
}
