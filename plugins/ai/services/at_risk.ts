import ort from '../onnx/runtime.js'
import type { Principal } from '@oryne/sdk'
import { E_AI_NO_MODEL, E_AI_NOT_ENOUGH_DATA } from '../errors.js'
import { fitLogistic, logisticModelGraph, logisticPredict } from '../onnx/logistic_graph.js'
import { currentTenantId, promotedModel } from './registry.js'
import { modelSession } from './sessions.js'
import { studentSignals, unrestricted, type StudentSignals } from './school.js'
import type { TrainedModel } from './lifecycle.js'
import type { Evaluation } from './evaluation.js'

/*
 * At-risk prediction: a logistic model per tenant over attendance, grade
 * trend, late or missing work and fee arrears, exported to ONNX. The label it
 * learns is "failing": a mean released grade below half of the points, for
 * students with at least two released grades; every student is then scored.
 */

export const AT_RISK_FEATURES = [
  'attendance_rate',
  'grade_trend',
  'late_or_missing_rate',
  'fee_arrears',
] as const

const PASS_SHARE = 0.5

/** The model's input row; arrears in log of major units (a large debt is not 1,000 times a small one). */
function featureRow(signals: StudentSignals) {
  return [
    signals.attendance_rate ?? 1,
    signals.grade_trend,
    signals.late_or_missing_rate,
    Math.log1p(signals.fee_arrears / 100),
  ]
}

/** Area under the ROC curve of scores against labels (ties count half). */
function auc(scores: number[], labels: number[]) {
  let positives = 0
  let wins = 0
  let pairs = 0
  scores.forEach((score, i) => {
    if (!labels[i]) return
    positives++
    scores.forEach((other, j) => {
      if (labels[j]) return
      pairs++
      wins += score > other ? 1 : score === other ? 0.5 : 0
    })
  })
  return positives && pairs ? Math.round((wins / pairs) * 1e4) / 1e4 : 0
}

async function labelled() {
  const signals = await studentSignals()
  const students = signals.filter((s) => s.grades >= 2 && s.mean_grade !== null)
  const labels = students.map((s) => (s.mean_grade! < PASS_SHARE ? 1 : 0))
  const failing = labels.filter(Boolean).length
  if (students.length < 20 || failing < 3 || failing > students.length - 3)
    throw new E_AI_NOT_ENOUGH_DATA([
      'at_risk',
      `${students.length} students with 2 or more released grades, ${failing} of them failing (20 students and 3 of each outcome needed)`,
    ])
  return { students, labels }
}

/** Trains on every fourth student held out, measures, then fits on everyone. */
async function measure() {
  const { students, labels } = await labelled()
  const rows = students.map(featureRow)
  const train = rows.map((_, i) => i).filter((i) => i % 4 !== 0)
  const test = rows.map((_, i) => i).filter((i) => i % 4 === 0)
  const heldOut = fitLogistic(
    [...AT_RISK_FEATURES],
    train.map((i) => rows[i]),
    train.map((i) => labels[i])
  )
  const testLabels = test.map((i) => labels[i])
  return {
    rows,
    labels,
    metrics: {
      auc: auc(
        test.map((i) => logisticPredict(heldOut, rows[i]).probability),
        testLabels
      ),
      // The rule of thumb: the lower the attendance, the higher the risk.
      baseline_attendance_auc: auc(
        test.map((i) => -rows[i][0]),
        testLabels
      ),
      students: students.length,
      failing: labels.filter(Boolean).length,
      held_out: test.length,
    },
  }
}

export async function trainAtRisk(): Promise<TrainedModel> {
  const { rows, labels, metrics } = await measure()
  const model = fitLogistic([...AT_RISK_FEATURES], rows, labels)
  return {
    bytes: logisticModelGraph(model, { kind: 'at_risk' }),
    io: {
      inputs: [{ name: 'features', type: 'float', shape: ['n', AT_RISK_FEATURES.length] }],
      outputs: [
        { name: 'probability', type: 'float' },
        { name: 'contributions', type: 'float' },
      ],
    },
    metrics,
    window: { from: null, to: new Date() },
    refusal: null,
  }
}

export async function evaluateAtRisk(): Promise<Evaluation> {
  const { metrics } = await measure()
  return {
    rows: [
      { name: 'model (logistic)', metrics: { auc: metrics.auc } },
      { name: 'attendance alone', metrics: { auc: metrics.baseline_attendance_auc } },
    ],
    summary: `Held-out: every fourth of ${metrics.students} students with 2 or more released grades (${metrics.failing} failing).`,
    details: metrics,
  }
}

export type AtRiskQuery = { limit: number; min_risk: number }

/**
 * Students with their risk and the features that push it up most: every
 * student for admins (and other unrestricted roles), a teacher's own students
 * (active in a course they teach) for a teacher.
 */
export async function atRiskStudents(principal: Principal, query: AtRiskQuery) {
  const model = await promotedModel('at_risk')
  if (!model?.file_id) throw new E_AI_NO_MODEL(['at_risk'])
  const signals = unrestricted(principal)
    ? await studentSignals()
    : principal.kind === 'user' && principal.roles.includes('Teacher')
      ? await studentSignals(principal.id)
      : []
  if (!signals.length) return { model_version: Number(model.version), students: [] }
  const { session } = await modelSession(currentTenantId(), { ...model, file_id: model.file_id })
  const rows = signals.map(featureRow)
  const output = await session.run({
    features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [
      rows.length,
      AT_RISK_FEATURES.length,
    ]),
  })
  const probability = output.probability.data as Float32Array
  const contributions = output.contributions.data as Float32Array
  const d = AT_RISK_FEATURES.length
  const students = signals
    .map((student, i) => ({
      student_id: student.student_id,
      user_id: student.user_id,
      name: student.name,
      risk: Math.round(probability[i] * 1e4) / 1e4,
      features: {
        attendance_rate: student.attendance_rate,
        grade_trend: Math.round(student.grade_trend * 1e4) / 1e4,
        late_or_missing_rate: Math.round(student.late_or_missing_rate * 1e4) / 1e4,
        fee_arrears: student.fee_arrears,
      },
      top_features: AT_RISK_FEATURES.map((feature, j) => ({
        feature,
        contribution: Math.round(contributions[i * d + j] * 1e4) / 1e4,
      }))
        .filter((entry) => entry.contribution > 0)
        .sort((a, b) => b.contribution - a.contribution)
        .slice(0, 2),
    }))
    .filter((student) => student.risk >= query.min_risk)
    .sort((a, b) => b.risk - a.risk || Number(a.student_id) - Number(b.student_id))
    .slice(0, query.limit)
  return { model_version: Number(model.version), students }
}
