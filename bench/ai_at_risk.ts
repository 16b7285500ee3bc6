/*
 * At-risk prediction quality (plugins/ai) on generated cohorts: 600 ERP
 * students, each with a hidden risk r in [0, 1) that makes them absent
 * (5% + 30% r of 20 marks over two months), miss and hand in late work,
 * fall behind on fees, and score lower (0.85 - 0.3 r - 0.06 r week, noise
 * ±0.3) on six weekly assignments, the last two graded after the
 * prediction date (21 days back). `oryne ai evaluate at_risk` (the same
 * service) then compares, with 4-fold cross-validation: the model (features
 * from before the date, label = failing the grades after it) against
 * attendance alone and prior grades alone. BENCH_SEED changes the cohort.
 */
process.env.LOG_LEVEL ??= 'warn'

import type { Tenant } from '#core/tenancy/types'
import { startOryne } from './support/oryne.js'
import { printTable } from './support/report.js'

const STUDENTS = 600
const DAY = 86_400_000

const oryne = await startOryne('console')
try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb } = await import('#core/tenancy/tenant_db')
  const { seededRandom } = await import('#core/sdk/demo')
  const { evaluate } = await import('#plugins/ai/services/evaluation')
  const plugins = await oryne.app.container.make('oryne.plugins')

  const slug = `bench-risk-${Date.now().toString(36)}`
  const created = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
  const { tenant } = (await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }
  await plugins.enable(tenant, ['ai'], { actor: 'bench', withDependencies: true })
  const random = seededRandom(Number(process.env.BENCH_SEED) || 99)

  await tenantContext.run(tenant, () =>
    withTenantDb(async (trx) => {
      const [course] = await trx
        .insertQuery()
        .table('lms_courses')
        .insert({ code: 'RISK', title: 'Risk course', status: 'active' })
        .returning('id')
      const assignments = await trx
        .insertQuery()
        .table('lms_assignments')
        .multiInsert(
          Array.from({ length: 6 }, (_, week) => ({
            course_id: course.id,
            title: `Week ${week}`,
            due_at: new Date(Date.now() - (7 - week) * 7 * DAY),
            max_points: 10,
            status: 'published',
          }))
        )
        .returning(['id', 'due_at'])
      for (let n = 0; n < STUDENTS; n++) {
        const risk = random()
        const [student] = await trx
          .insertQuery()
          .table('erp_students')
          .insert({ enrollment_no: `R-${n}`, first_name: 'Pupil', last_name: `R${n}` })
          .returning('id')
        await trx
          .insertQuery()
          .table('lms_enrolments')
          .insert({ course_id: course.id, student_id: student.id, status: 'active' })
        await trx
          .insertQuery()
          .table('erp_attendance_marks')
          .multiInsert(
            Array.from({ length: 20 }, (_, day) => ({
              student_id: student.id,
              date: new Date(Date.now() - (3 * day + 1) * DAY).toISOString().slice(0, 10),
              status: random() < 0.05 + 0.3 * risk ? 'absent' : 'present',
            }))
          )
        for (const [week, assignment] of assignments.entries()) {
          if (random() < 0.4 * risk) continue
          const [submission] = await trx
            .insertQuery()
            .table('lms_submissions')
            .insert({
              assignment_id: assignment.id,
              course_id: course.id,
              student_id: student.id,
              attempt: 1,
              status: 'graded',
              submitted_at: assignment.due_at,
              late: random() < 0.6 * risk,
            })
            .returning('id')
          const share = Math.min(
            1,
            Math.max(0, 0.85 - 0.3 * risk - 0.06 * risk * week + 0.6 * (random() - 0.5))
          )
          const points = Math.round(share * 1000) / 100
          await trx
            .insertQuery()
            .table('lms_grades')
            .insert({
              submission_id: submission.id,
              assignment_id: assignment.id,
              course_id: course.id,
              student_id: student.id,
              attempt: 1,
              points,
              penalty_percent: 0,
              final_points: points,
              released: true,
              released_at: new Date(),
              graded_at: new Date(new Date(assignment.due_at).getTime() + DAY),
            })
        }
        if (random() < risk - 0.3)
          await trx
            .insertQuery()
            .table('erp_invoices')
            .insert({
              number: `INV-R-${n}`,
              student_id: student.id,
              issued_on: '2026-01-10',
              due_on: '2026-02-10',
              amount: 50_000,
              status: 'open',
            })
      }
    })
  )

  const evaluation = await tenantContext.run(tenant, () => evaluate('at_risk'))
  console.log(evaluation.summary)
  console.log(JSON.stringify(evaluation.details))
  printTable(
    `At-risk: ${STUDENTS} generated students, AUC against failing the grades given after the prediction date`,
    ['contender', 'AUC'],
    evaluation.rows.map((row) => [row.name, row.metrics.auc.toFixed(3)])
  )
  const [model, ...baselines] = evaluation.rows.map((row) => row.metrics.auc)
  const beats = baselines.every((auc) => model >= auc + 0.01)
  console.log(
    `Targets: AUC ≥ 0.85 (${model.toFixed(3)}: ${model >= 0.85 ? 'met' : 'MISSED'}), above both baselines by 0.01 (${beats ? 'met' : 'MISSED'}).`
  )
} finally {
  await oryne.stop()
}
