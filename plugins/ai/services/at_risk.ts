import ort from '../onnx/runtime.js'
import type { Principal } from '@oryne/sdk'
import { E_AI_NO_MODEL, E_AI_NOT_ENOUGH_DATA } from '../errors.js'
import {
  fitLogistic,
  logisticModelGraph,
  logisticPredict,
  type LogisticModel,
} from '../onnx/logistic_graph.js'
import { currentTenantId, promotedModel } from './registry.js'
import { modelSession } from './sessions.js'
import { readsFeatures } from './model_contract.js'
import { laterGradeMeans, studentSignals, unrestricted, type StudentSignals } from './school.js'
import type { TrainedModel } from './lifecycle.js'
import type { Evaluation } from './evaluation.js'

/*
 * At-risk prediction: a logistic model per tenant, exported to ONNX, that
 * reads a student's records from before a prediction date (attendance, prior
 * grades and their trend, late or missing work, fee arrears) and learns the
 * outcome after it: failing, a mean grade below half the points over the
 * grades given from that date on. No label leaks into a feature. It is
 * promoted only when its cross-validated AUC beats every single-signal
 * baseline (attendance alone, prior grades alone) by a margin; its
 * probabilities are calibrated on out-of-fold predictions (Platt scaling).
 */

export const AT_RISK_FEATURES = [
  'attendance_rate',
  'prior_grade_mean',
  'grade_trend',
  'late_or_missing_rate',
  'fee_arrears',
] as const

const PASS_SHARE = 0.5
/** How far back the prediction date lies: outcomes are the grades given in the last this many days. */
const HORIZON_DAYS = 21
/** How much the model's AUC must beat the best baseline's by to be promoted. */
export const PROMOTION_MARGIN = 0.01
const FOLDS = 4

/** The model's input row; arrears in log of major units (a large debt is not 1,000 times a small one). */
function featureRow(signals: StudentSignals) {
  return [
    signals.attendance_rate ?? 1,
    signals.mean_grade ?? PASS_SHARE,
    signals.grade_trend,
    signals.late_or_missing_rate,
    Math.log1p(signals.fee_arrears / 100),
  ]
}

/** Area under the ROC curve of scores against labels (ties count half). */
export function auc(scores: number[], labels: number[]) {
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

const round = (value: number) => Math.round(value * 1e4) / 1e4

/** Students with records before the prediction date and grades after it, labelled by those grades. */
async function labelled(asOf: Date) {
  const signals = await studentSignals(undefined, asOf)
  const later = await laterGradeMeans(
    signals.map((s) => s.student_id),
    asOf
  )
  const students = signals.filter((s) => s.grades >= 1 && later.has(s.student_id))
  const labels = students.map((s) => (later.get(s.student_id)! < PASS_SHARE ? 1 : 0))
  const failing = labels.filter(Boolean).length
  if (students.length < 20 || failing < 3 || failing > students.length - 3)
    throw new E_AI_NOT_ENOUGH_DATA([
      'at_risk',
      `${students.length} students with grades both before and after ${asOf.toISOString().slice(0, 10)}, ${failing} of them failing after it (20 students and 3 of each outcome needed)`,
    ])
  return { students, labels }
}

/** The logistic model with Platt scaling p = sigmoid(a * logit + b) folded into its weights. */
function calibrated(model: LogisticModel, a: number, b: number): LogisticModel {
  return { ...model, weights: model.weights.map((w) => w * a), bias: model.bias * a + b }
}

const logitOf = (model: LogisticModel, row: number[]) => {
  const p = Math.min(1 - 1e-9, Math.max(1e-9, logisticPredict(model, row).probability))
  return Math.log(p / (1 - p))
}

/**
 * Out-of-fold predictions (every fourth student in turn held out), their AUC
 * next to the baselines', the calibration fitted on them, then the model fitted
 * on everyone and calibrated.
 */
async function measure() {
  const asOf = new Date(Date.now() - HORIZON_DAYS * 86_400_000)
  const { students, labels } = await labelled(asOf)
  const rows = students.map(featureRow)
  const logits = new Array<number>(rows.length)
  for (let fold = 0; fold < FOLDS; fold++) {
    const train = rows.map((_, i) => i).filter((i) => i % FOLDS !== fold)
    const model = fitLogistic(
      [...AT_RISK_FEATURES],
      train.map((i) => rows[i]),
      train.map((i) => labels[i])
    )
    for (let i = fold; i < rows.length; i += FOLDS) logits[i] = logitOf(model, rows[i])
  }
  const platt = fitLogistic(
    ['logit'],
    logits.map((l) => [l]),
    labels
  )
  const a = platt.weights[0] / platt.scale[0]
  const b = platt.bias - (platt.mean[0] * platt.weights[0]) / platt.scale[0]
  const probabilities = logits.map((l) => 1 / (1 + Math.exp(-(a * l + b))))
  const metrics = {
    auc: auc(logits, labels),
    // The single signals a teacher would look at: the lower, the riskier.
    baseline_attendance_auc: auc(
      rows.map((row) => -row[0]),
      labels
    ),
    baseline_prior_grades_auc: auc(
      rows.map((row) => -row[1]),
      labels
    ),
    promotion_margin: PROMOTION_MARGIN,
    brier: round(probabilities.reduce((sum, p, i) => sum + (p - labels[i]) ** 2, 0) / rows.length),
    calibration: { a: round(a), b: round(b) },
    prediction_date: asOf.toISOString(),
    students: students.length,
    failing: labels.filter(Boolean).length,
    folds: FOLDS,
  }
  const model = calibrated(fitLogistic([...AT_RISK_FEATURES], rows, labels), a, b)
  return { model, metrics }
}

/** Why a measured model may not be promoted, or null: it must beat every baseline by the margin. */
export function promotionRefusal(metrics: {
  auc: number
  baseline_attendance_auc: number
  baseline_prior_grades_auc: number
}) {
  const best = Math.max(metrics.baseline_attendance_auc, metrics.baseline_prior_grades_auc)
  return metrics.auc >= best + PROMOTION_MARGIN
    ? null
    : `its AUC ${metrics.auc} does not beat the best single-signal baseline (${best}) by ${PROMOTION_MARGIN}`
}

export async function trainAtRisk(): Promise<TrainedModel> {
  const { model, metrics } = await measure()
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
    window: { from: null, to: new Date(metrics.prediction_date) },
    refusal: promotionRefusal(metrics),
  }
}

export async function evaluateAtRisk(): Promise<Evaluation> {
  const { metrics } = await measure()
  return {
    rows: [
      { name: 'model (logistic)', metrics: { auc: metrics.auc } },
      { name: 'attendance alone', metrics: { auc: metrics.baseline_attendance_auc } },
      { name: 'prior grades alone', metrics: { auc: metrics.baseline_prior_grades_auc } },
    ],
    summary:
      `${FOLDS}-fold cross-validated over ${metrics.students} students with grades before and after ` +
      `${metrics.prediction_date.slice(0, 10)} (${metrics.failing} failing after it); features from before it, labels after.`,
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
  // A model trained on other features than today's is no model: retrain it.
  if (!model?.file_id || !readsFeatures(model.io, AT_RISK_FEATURES.length))
    throw new E_AI_NO_MODEL(['at_risk'])
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
        prior_grade_mean:
          student.mean_grade === null ? null : Math.round(student.mean_grade * 1e4) / 1e4,
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
