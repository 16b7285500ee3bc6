import {
  E_ATTEMPT_OPEN,
  E_ATTEMPTS_EXHAUSTED,
  E_COURSE_CLOSED,
  E_INVALID_TRANSITION,
  E_LATE_REJECTED,
  E_LMS_NOT_FOUND,
  E_NOT_ENROLLED,
  E_PAST_CUT_OFF,
  E_SUBMISSION_LOCKED,
} from '../errors.js'
import {
  actorOf,
  courseReach,
  inTransaction,
  ownStudent,
  seesUnpublished,
  unrestricted,
  type Row,
} from './access.js'
import { removeFile, storeUpload, type StoredFile } from './files.js'
import {
  E_FORBIDDEN,
  emitEvent,
  invalidField,
  recordAudit,
  withTenantDb,
  type MultipartFile,
  type Principal,
  type Trx,
} from '@oryne/sdk'

/** At most this many files on one attempt. */
const MAX_FILES = 20

/*
 * Submissions: one row per attempt of a student at an assignment.
 *   draft -> submitted -> graded -> returned
 * A student starts attempt n+1 only once attempt n was returned, within the
 * attempts the assignment allows, and never after its cut-off date; after the
 * due date the late policy accepts (late flag), penalises (late flag, penalty
 * at grading) or refuses the attempt.
 */

/** When the assignment takes no more work: after the cut-off, or after the due date under the reject policy. */
export function assertTakesWork(assignment: Row, now: Date) {
  if (assignment.cut_off_at && now > new Date(assignment.cut_off_at)) {
    throw new E_PAST_CUT_OFF([String(assignment.id), new Date(assignment.cut_off_at).toISOString()])
  }
  if (assignment.late_policy === 'reject' && isLate(assignment, now)) {
    throw new E_LATE_REJECTED([String(assignment.id), new Date(assignment.due_at).toISOString()])
  }
}

function isLate(assignment: Row, now: Date) {
  return Boolean(assignment.due_at) && now > new Date(assignment.due_at)
}

/** The assignment and its course, when the principal may see it (students: published ones of their courses); 404 otherwise. */
async function visibleAssignment(trx: Trx, principal: Principal, assignmentId: string) {
  const assignment = await trx.from('lms_assignments').where('id', assignmentId).first()
  const reach =
    assignment && (await courseReach(inTransaction(trx), principal, String(assignment.course_id)))
  const visible =
    reach &&
    Object.values(reach).some(Boolean) &&
    (assignment.status === 'published' || seesUnpublished(reach))
  if (!visible) throw new E_LMS_NOT_FOUND(['Assignment', assignmentId])
  const course = await trx.from('lms_courses').where('id', String(assignment.course_id)).first()
  return { assignment: assignment as Row, course: course as Row }
}

/**
 * Whose work this is: a Student's own; the unrestricted (an admin, the
 * platform) name the student. Anyone else may not hand in work.
 */
async function submittingStudent(
  trx: Trx,
  principal: Principal,
  studentId?: string
): Promise<string> {
  if (unrestricted(principal)) {
    if (!studentId)
      throw invalidField('student_id', 'required', 'Name the student this work is handed in for')
    return studentId
  }
  if (!principal.roles.includes('Student'))
    throw new E_FORBIDDEN(['only students hand in their own work'])
  const student = await ownStudent(inTransaction(trx), principal)
  if (studentId && studentId !== String(student.id)) {
    throw new E_FORBIDDEN(['students hand in their own work only'])
  }
  return String(student.id)
}

/** The submission, locked, when it is the caller's own work (or the caller is unrestricted); 404 otherwise. */
async function lockOwnSubmission(trx: Trx, principal: Principal, id: string) {
  const submission = await trx.from('lms_submissions').where('id', id).forUpdate().first()
  const own =
    submission &&
    (unrestricted(principal) ||
      (principal.roles.includes('Student') && submission.student_user_id === principal.id))
  if (!own) throw new E_LMS_NOT_FOUND(['Submission', id])
  return submission as Row
}

export type StartAttempt = { text?: string | null; student_id?: string; submit?: boolean }

/**
 * Starts the next attempt of a student at an assignment, as a draft (or
 * submitted at once with `submit: true`). The student's enrolment row is
 * locked, so two concurrent starts cannot take the same attempt number.
 */
export async function startAttempt(
  assignmentId: string,
  input: StartAttempt,
  principal: Principal,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const now = new Date()
    const { assignment, course } = await visibleAssignment(trx, principal, assignmentId)
    if (course.status === 'archived') throw new E_COURSE_CLOSED([String(course.id), course.status])
    if (assignment.status !== 'published') {
      throw new E_INVALID_TRANSITION([`assignment ${assignmentId}`, assignment.status, 'submitted'])
    }
    const studentId = await submittingStudent(trx, principal, input.student_id)
    const enrolment = await trx
      .from('lms_enrolments')
      .where({ course_id: String(course.id), student_id: studentId })
      .forUpdate()
      .first()
    if (!enrolment || enrolment.status !== 'active')
      throw new E_NOT_ENROLLED([studentId, String(course.id)])

    const attempts = await trx
      .from('lms_submissions')
      .where({ assignment_id: assignmentId, student_id: studentId })
      .orderBy('attempt', 'desc')
      .select('attempt', 'status')
    const latest = attempts[0]
    if (latest && latest.status !== 'returned') {
      throw new E_ATTEMPT_OPEN([latest.attempt, assignmentId, latest.status])
    }
    const allowed = Number(assignment.attempts_allowed ?? 1)
    if (allowed > 0 && attempts.length >= allowed)
      throw new E_ATTEMPTS_EXHAUSTED([assignmentId, allowed])
    assertTakesWork(assignment, now)

    const [submission] = await trx
      .insertQuery()
      .table('lms_submissions')
      .insert({
        assignment_id: assignmentId,
        course_id: course.id,
        student_id: studentId,
        student_user_id: enrolment.student_user_id,
        attempt: (latest ? Number(latest.attempt) : 0) + 1,
        text: input.text ?? null,
        files: JSON.stringify([]),
        status: 'draft',
        late: false,
      })
      .returning('*')
    const actor = actorOf(principal)
    await recordAudit(trx, {
      actor,
      action: 'lms.submissions.start',
      subject: `lms.submissions:${submission.id}`,
      data: { assignment_id: assignmentId, student_id: studentId, attempt: submission.attempt },
      request_id: requestId,
    })
    if (!input.submit) return submission
    return handIn(trx, submission, assignment, { actor, requestId, now })
  })
}

/** Replaces the text of a draft. */
export async function saveDraft(
  id: string,
  text: string | null,
  principal: Principal,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const submission = await lockOwnSubmission(trx, principal, id)
    if (submission.status !== 'draft') throw new E_SUBMISSION_LOCKED([id, submission.status])
    const [updated] = await trx
      .from('lms_submissions')
      .where('id', id)
      .update({ text, updated_at: new Date() })
      .returning('*')
    await recordAudit(trx, {
      actor: actorOf(principal),
      action: 'lms.submissions.draft',
      subject: `lms.submissions:${id}`,
      data: { text_length: text?.length ?? 0 },
      request_id: requestId,
    })
    return updated
  })
}

/** Adds an uploaded file to a draft. The file is removed again if the change rolls back. */
export async function attachFile(
  id: string,
  file: MultipartFile,
  principal: Principal,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const submission = await lockOwnSubmission(trx, principal, id)
    if (submission.status !== 'draft') throw new E_SUBMISSION_LOCKED([id, submission.status])
    const files = (submission.files ?? []) as StoredFile[]
    if (files.length >= MAX_FILES)
      throw invalidField('file', 'maxFiles', `An attempt takes at most ${MAX_FILES} files`)
    const stored = await storeUpload(file, `lms/submissions/${id}`)
    trx.after('rollback', () => void removeFile(stored.key))
    const [updated] = await trx
      .from('lms_submissions')
      .where('id', id)
      .update({ files: JSON.stringify([...files, stored]), updated_at: new Date() })
      .returning('*')
    await recordAudit(trx, {
      actor: actorOf(principal),
      action: 'lms.submissions.attach',
      subject: `lms.submissions:${id}`,
      data: { file: stored.name, size: stored.size },
      request_id: requestId,
    })
    return updated
  })
}

/** Hands in a draft: draft -> submitted. */
export async function submit(id: string, principal: Principal, requestId?: string) {
  return withTenantDb(async (trx) => {
    const submission = await lockOwnSubmission(trx, principal, id)
    if (submission.status !== 'draft') {
      throw new E_INVALID_TRANSITION([`submission ${id}`, submission.status, 'submitted'])
    }
    const assignment = await trx
      .from('lms_assignments')
      .where('id', submission.assignment_id)
      .first()
    return handIn(trx, submission, assignment, {
      actor: actorOf(principal),
      requestId,
      now: new Date(),
    })
  })
}

async function handIn(
  trx: Trx,
  submission: Row,
  assignment: Row,
  options: { actor: string; requestId?: string; now: Date }
) {
  assertTakesWork(assignment, options.now)
  const files = (submission.files ?? []) as StoredFile[]
  if (!submission.text?.trim() && !files.length) {
    throw invalidField('text', 'required', 'A submission needs text or at least one file')
  }
  const late = isLate(assignment, options.now)
  const [updated] = await trx
    .from('lms_submissions')
    .where('id', submission.id)
    .update({ status: 'submitted', submitted_at: options.now, late, updated_at: options.now })
    .returning('*')
  await recordAudit(trx, {
    actor: options.actor,
    action: 'lms.submissions.submit',
    subject: `lms.submissions:${submission.id}`,
    data: { before: { status: submission.status }, after: { status: 'submitted', late } },
    request_id: options.requestId,
  })
  await emitEvent(
    'lms.submission.created',
    {
      submission_id: String(submission.id),
      assignment_id: String(submission.assignment_id),
      course_id: String(submission.course_id),
      student_id: String(submission.student_id),
      attempt: Number(submission.attempt),
      late,
      submitted_at: options.now.toISOString(),
    },
    options.actor
  )
  return updated
}
