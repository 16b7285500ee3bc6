import { actorOf, courseToTeach, inTransaction, type Row } from './access.js'
import { assertAssignment } from './grading.js'
import { emitEvent, recordAudit, withTenantDb, type Principal, type Trx } from '@oryne/sdk'

export type LevelInput = { title: string; description?: string | null; points: number }
export type CriterionInput = { title: string; description?: string | null; levels: LevelInput[] }
export type RubricInput = {
  title?: string
  description?: string | null
  criteria: CriterionInput[]
}

export type AssignmentInput = {
  title: string
  instructions?: string | null
  due_at?: string | null
  cut_off_at?: string | null
  max_points: number
  attempts_allowed?: number
  late_policy?: 'accept' | 'penalise' | 'reject'
  late_penalty_percent?: number
  category_id?: string | null
  status?: 'draft' | 'published'
  rubric?: RubricInput | null
}

async function insert(trx: Trx, table: string, row: Row): Promise<Row> {
  const [saved] = await trx.insertQuery().table(table).insert(row).returning('*')
  return saved
}

/**
 * Posts an assignment to a course its teacher teaches, with its rubric
 * (criteria, levels) when one is given, in one transaction: the rubric is
 * written first, then the assignment pointing at it, and any refusal (a
 * date, category or constraint the assignment breaks) leaves neither.
 */
export async function postAssignment(
  courseId: string,
  input: AssignmentInput,
  principal: Principal,
  requestId?: string
): Promise<Row> {
  const actor = actorOf(principal)
  return withTenantDb(async (trx) => {
    await courseToTeach(inTransaction(trx), principal, courseId)
    const created: Array<{ resource: string; record: Row }> = []
    let rubricId: string | null = null
    let criteriaCount = 0
    if (input.rubric) {
      const rubric = await insert(trx, 'lms_rubrics', {
        course_id: courseId,
        title: input.rubric.title || input.title,
        description: input.rubric.description ?? null,
      })
      rubricId = String(rubric.id)
      created.push({ resource: 'rubrics', record: rubric })
      for (const [position, criterion] of input.rubric.criteria.entries()) {
        const savedCriterion = await insert(trx, 'lms_rubric_criteria', {
          rubric_id: rubricId,
          course_id: courseId,
          title: criterion.title,
          description: criterion.description ?? null,
          position,
        })
        created.push({ resource: 'rubric_criteria', record: savedCriterion })
        criteriaCount++
        for (const [levelPosition, level] of criterion.levels.entries()) {
          const savedLevel = await insert(trx, 'lms_rubric_levels', {
            criterion_id: savedCriterion.id,
            rubric_id: rubricId,
            course_id: courseId,
            title: level.title,
            description: level.description ?? null,
            points: level.points,
            position: levelPosition,
          })
          created.push({ resource: 'rubric_levels', record: savedLevel })
        }
      }
    }
    const fields: Row = {
      course_id: courseId,
      title: input.title,
      instructions: input.instructions ?? null,
      due_at: input.due_at ?? null,
      cut_off_at: input.cut_off_at ?? null,
      max_points: input.max_points,
      attempts_allowed: input.attempts_allowed ?? 1,
      late_policy: input.late_policy ?? 'accept',
      late_penalty_percent: input.late_penalty_percent ?? 0,
      category_id: input.category_id ?? null,
      rubric_id: rubricId,
      status: input.status ?? 'draft',
    }
    // The same checks as the assignments resource (dates in order, category of this course).
    await assertAssignment(trx, fields)
    const assignment = await insert(trx, 'lms_assignments', fields)
    created.push({ resource: 'assignments', record: assignment })
    await recordAudit(trx, {
      actor,
      action: 'lms.assignments.post',
      subject: `lms.assignments:${assignment.id}`,
      data: { course_id: courseId, rubric_id: rubricId, criteria: criteriaCount },
      request_id: requestId,
    })
    for (const { resource, record } of created) {
      await emitEvent(
        `lms.${resource}.created`,
        { resource: `lms.${resource}`, id: String(record.id), record },
        actor
      )
    }
    return { ...assignment, rubric_id: rubricId }
  })
}
