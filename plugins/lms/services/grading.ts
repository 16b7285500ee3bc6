import {
  E_INVALID_TRANSITION,
  E_LMS_NOT_FOUND,
  E_POINTS_OUT_OF_RANGE,
  E_RUBRIC_MISMATCH,
} from '../errors.js'
import { actorOf, inTransaction, teaches, type Row } from './access.js'
import { assertUnchanged } from './validation.js'
import { applyPenalty, fromHundredths, scaleHundredths, toHundredths } from './points.js'
import {
  emitEvent,
  invalidField,
  recordAudit,
  userIdOf,
  withTenantDb,
  type Principal,
  type ResourceHooks,
  type Trx,
} from '@oryne/sdk'

/*
 * Grading: a teacher of the course grades a submitted attempt (points, or a
 * rubric selection that computes them), may regrade it until it is returned,
 * releases grades to students (lms.grade.published) and returns the attempt.
 */

function time(value: unknown) {
  return value === null || value === undefined ? null : new Date(value as string).getTime()
}

async function assertOfCourse(
  trx: Trx,
  table: string,
  id: unknown,
  courseId: unknown,
  field: string
) {
  if (id === null || id === undefined) return
  const row = await trx.from(table).where('id', String(id)).select('course_id').first()
  if (!row || String(row.course_id) !== String(courseId)) {
    throw invalidField(field, 'course', `The ${field.replace('_id', '')} belongs to another course`)
  }
}

export async function assertAssignment(trx: Trx, assignment: Row) {
  const due = time(assignment.due_at)
  const cutOff = time(assignment.cut_off_at)
  if (due !== null && cutOff !== null && cutOff < due) {
    throw invalidField(
      'cut_off_at',
      'afterOrEqual',
      'The cut-off date cannot come before the due date'
    )
  }
  if (cutOff !== null && due === null) {
    throw invalidField(
      'due_at',
      'requiredWith',
      'An assignment with a cut-off date needs a due date'
    )
  }
  if (assignment.late_policy === 'penalise' && !(Number(assignment.late_penalty_percent) > 0)) {
    throw invalidField(
      'late_penalty_percent',
      'required',
      'The penalise policy needs a penalty above 0'
    )
  }
  await assertOfCourse(
    trx,
    'lms_grade_categories',
    assignment.category_id,
    assignment.course_id,
    'category_id'
  )
  await assertOfCourse(trx, 'lms_rubrics', assignment.rubric_id, assignment.course_id, 'rubric_id')
}

/** Dates in order, category and rubric of the same course; a new due date re-arms the due-soon event. */
export const assignmentHooks: ResourceHooks = {
  async beforeCreate(data, { trx }) {
    await assertAssignment(trx, data)
  },
  async beforeUpdate(changes, before, { trx }) {
    assertUnchanged(changes, before, ['course_id'])
    await assertAssignment(trx, { ...before, ...changes })
    if ('due_at' in changes && time(changes.due_at) !== time(before.due_at))
      changes.due_soon_notified_at = null
  },
}

/** Criteria carry their rubric's course (row rules), levels their criterion's rubric and course. */
export const rubricCriterionHooks: ResourceHooks = {
  async beforeCreate(data, { trx }) {
    const rubric = await trx
      .from('lms_rubrics')
      .where('id', String(data.rubric_id))
      .select('course_id')
      .first()
    if (!rubric) throw new E_LMS_NOT_FOUND(['Rubric', String(data.rubric_id)])
    data.course_id = rubric.course_id
  },
  async beforeUpdate(changes, before) {
    assertUnchanged(changes, before, ['rubric_id'])
  },
}

export const rubricLevelHooks: ResourceHooks = {
  async beforeCreate(data, { trx }) {
    const criterion = await trx
      .from('lms_rubric_criteria')
      .where('id', String(data.criterion_id))
      .select('rubric_id', 'course_id')
      .first()
    if (!criterion) throw new E_LMS_NOT_FOUND(['Rubric criterion', String(data.criterion_id)])
    data.rubric_id = criterion.rubric_id
    data.course_id = criterion.course_id
  },
  async beforeUpdate(changes, before) {
    assertUnchanged(changes, before, ['criterion_id'])
  },
}

export type RubricSelection = { criterion_id: string; level_id: string }
export type GradeInput = { points?: number; rubric?: RubricSelection[]; feedback?: string | null }

/**
 * Points from a rubric selection: one level of every criterion of the
 * assignment's rubric. When the rubric's best total differs from the
 * assignment's maximum, the total is scaled to it (as Moodle does).
 */
async function rubricPoints(trx: Trx, assignment: Row, selection: RubricSelection[]) {
  if (!assignment.rubric_id)
    throw new E_RUBRIC_MISMATCH([`assignment ${assignment.id} has no rubric`])
  const levels = await trx
    .from('lms_rubric_levels as l')
    .join('lms_rubric_criteria as c', 'c.id', 'l.criterion_id')
    .where('c.rubric_id', String(assignment.rubric_id))
    .select('l.id', 'l.criterion_id', 'l.points')
  const byCriterion = new Map<string, Map<string, number>>()
  for (const level of levels) {
    const criterion = String(level.criterion_id)
    if (!byCriterion.has(criterion)) byCriterion.set(criterion, new Map())
    byCriterion.get(criterion)!.set(String(level.id), toHundredths(level.points))
  }
  const chosen = new Map(selection.map((item) => [item.criterion_id, item.level_id]))
  const missing = [...byCriterion.keys()].filter((criterion) => !chosen.has(criterion))
  const foreign = [...chosen.keys()].filter((criterion) => !byCriterion.has(criterion))
  if (missing.length || foreign.length) {
    throw new E_RUBRIC_MISMATCH(
      [
        [
          missing.length ? `criteria ${missing.join(', ')} have no level chosen` : '',
          foreign.length
            ? `criteria ${foreign.join(', ')} are not in rubric ${assignment.rubric_id}`
            : '',
        ]
          .filter(Boolean)
          .join('; '),
      ],
      { details: { missing, foreign } }
    )
  }
  let total = 0
  let best = 0
  const selections = []
  for (const [criterion, levelsOf] of byCriterion) {
    const levelId = chosen.get(criterion)!
    const points = levelsOf.get(levelId)
    if (points === undefined) {
      throw new E_RUBRIC_MISMATCH([`level ${levelId} is not a level of criterion ${criterion}`], {
        details: { criterion_id: criterion, level_id: levelId },
      })
    }
    total += points
    best += Math.max(...levelsOf.values())
    selections.push({ criterion_id: criterion, level_id: levelId, points: fromHundredths(points) })
  }
  const max = toHundredths(assignment.max_points)
  const points = best === 0 || best === max ? total : scaleHundredths(total, max, best)
  return { points, selections }
}

/** The submission, locked, when the principal teaches its course; 404 otherwise. */
async function lockSubmissionToGrade(trx: Trx, principal: Principal, id: string) {
  const submission = await trx.from('lms_submissions').where('id', id).forUpdate().first()
  if (
    !submission ||
    !(await teaches(inTransaction(trx), principal, String(submission.course_id)))
  ) {
    throw new E_LMS_NOT_FOUND(['Submission', id])
  }
  return submission as Row
}

function publishedPayload(grade: Row, extra: Record<string, unknown> = {}) {
  return {
    grade_id: String(grade.id),
    submission_id: String(grade.submission_id),
    assignment_id: String(grade.assignment_id),
    course_id: String(grade.course_id),
    student_id: String(grade.student_id),
    attempt: Number(grade.attempt),
    points: grade.points,
    final_points: grade.final_points,
    ...extra,
  }
}

/**
 * Grades a submitted (or regrades a graded) attempt: submitted|graded ->
 * graded. The late penalty of a late attempt under the penalise policy is
 * applied to the points that count (`final_points`). Regrading a released
 * grade publishes it again.
 */
export async function gradeSubmission(
  id: string,
  input: GradeInput,
  principal: Principal,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const submission = await lockSubmissionToGrade(trx, principal, id)
    if (submission.status !== 'submitted' && submission.status !== 'graded') {
      throw new E_INVALID_TRANSITION([`submission ${id}`, submission.status, 'graded'])
    }
    const assignment = await trx
      .from('lms_assignments')
      .where('id', String(submission.assignment_id))
      .first()
    const max = toHundredths(assignment.max_points)
    const rubric = input.rubric ? await rubricPoints(trx, assignment, input.rubric) : null
    const points = rubric ? rubric.points : toHundredths(input.points!)
    if (points < 0 || points > max) {
      throw new E_POINTS_OUT_OF_RANGE([
        fromHundredths(points),
        assignment.max_points,
        String(assignment.id),
      ])
    }
    const penalty =
      submission.late && assignment.late_policy === 'penalise'
        ? toHundredths(assignment.late_penalty_percent)
        : 0
    const now = new Date()
    const previous = await trx.from('lms_grades').where('submission_id', id).first()
    const values = {
      points: fromHundredths(points),
      penalty_percent: fromHundredths(penalty),
      final_points: fromHundredths(applyPenalty(points, penalty)),
      rubric_selections: rubric ? JSON.stringify(rubric.selections) : null,
      feedback: input.feedback === undefined ? (previous?.feedback ?? null) : input.feedback,
      graded_by: userIdOf(principal),
      graded_at: now,
      updated_at: now,
    }
    const [grade] = previous
      ? await trx.from('lms_grades').where('id', previous.id).update(values).returning('*')
      : await trx
          .insertQuery()
          .table('lms_grades')
          .insert({
            ...values,
            submission_id: id,
            assignment_id: submission.assignment_id,
            course_id: submission.course_id,
            student_id: submission.student_id,
            student_user_id: submission.student_user_id,
            attempt: submission.attempt,
            released: false,
          })
          .returning('*')
    await trx.from('lms_submissions').where('id', id).update({ status: 'graded', updated_at: now })
    const actor = actorOf(principal)
    await recordAudit(trx, {
      actor,
      action: 'lms.submissions.grade',
      subject: `lms.submissions:${id}`,
      data: {
        before: { status: submission.status, final_points: previous?.final_points ?? null },
        after: { status: 'graded', final_points: grade.final_points },
      },
      request_id: requestId,
    })
    if (grade.released)
      await emitEvent('lms.grade.published', publishedPayload(grade, { regraded: true }), actor)
    return grade
  })
}

/**
 * Releases the unreleased grades of an assignment (all, or those of the
 * named submissions) to students and guardians, emitting
 * `lms.grade.published` once per submission. Releasing again changes nothing.
 */
export async function releaseGrades(
  assignmentId: string,
  input: { submission_ids?: string[] },
  principal: Principal,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const assignment = await trx.from('lms_assignments').where('id', assignmentId).first()
    if (
      !assignment ||
      !(await teaches(inTransaction(trx), principal, String(assignment.course_id)))
    ) {
      throw new E_LMS_NOT_FOUND(['Assignment', assignmentId])
    }
    const now = new Date()
    const query = trx
      .from('lms_grades')
      .where('assignment_id', assignmentId)
      .where('released', false)
    if (input.submission_ids) query.whereIn('submission_id', input.submission_ids)
    const released = await query
      .update({ released: true, released_at: now, updated_at: now })
      .returning('*')
    const actor = actorOf(principal)
    await recordAudit(trx, {
      actor,
      action: 'lms.grades.release',
      subject: `lms.assignments:${assignmentId}`,
      data: { released: released.length },
      request_id: requestId,
    })
    for (const grade of released)
      await emitEvent('lms.grade.published', publishedPayload(grade), actor)
    return {
      assignment_id: assignmentId,
      released: released.length,
      submission_ids: released.map((grade: Row) => String(grade.submission_id)),
    }
  })
}

/**
 * Returns a graded attempt to the student: graded -> returned. Its grade is
 * released if it was not yet; the student may then start another attempt
 * when the assignment allows one.
 */
export async function returnSubmission(
  id: string,
  input: { feedback?: string | null },
  principal: Principal,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const submission = await lockSubmissionToGrade(trx, principal, id)
    if (submission.status !== 'graded') {
      throw new E_INVALID_TRANSITION([`submission ${id}`, submission.status, 'returned'])
    }
    const now = new Date()
    const before = await trx.from('lms_grades').where('submission_id', id).first()
    const [grade] = await trx
      .from('lms_grades')
      .where('id', before.id)
      .update({
        released: true,
        released_at: before.released_at ?? now,
        feedback: input.feedback === undefined ? before.feedback : input.feedback,
        updated_at: now,
      })
      .returning('*')
    const [updated] = await trx
      .from('lms_submissions')
      .where('id', id)
      .update({ status: 'returned', returned_at: now, updated_at: now })
      .returning('*')
    const actor = actorOf(principal)
    await recordAudit(trx, {
      actor,
      action: 'lms.submissions.return',
      subject: `lms.submissions:${id}`,
      data: {
        before: { status: 'graded' },
        after: { status: 'returned' },
        released: !before.released,
      },
      request_id: requestId,
    })
    if (!before.released) await emitEvent('lms.grade.published', publishedPayload(grade), actor)
    return { ...updated, grade }
  })
}
