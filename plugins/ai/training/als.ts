import { seededRandom } from '@oryne/sdk'
import type { Factors } from '../onnx/recommender_graph.js'

/**
 * Implicit-feedback matrix factorisation by alternating least squares (Hu,
 * Koren and Volinsky 2008): preference 1 for every observed (user, item),
 * confidence 1 + alpha * weight; each half-step solves one small linear
 * system per user (or item) exactly. Seeded and free of sampling, so the same
 * interactions always give the same factors.
 */

/** Observed (user row, item column, weight) triples. */
export type Observations = { user: number; item: number; weight: number }[]

export type AlsOptions = {
  factors: number
  iterations: number
  /** L2 regularisation. */
  lambda?: number
  /** How much a weight adds to the confidence. */
  alpha?: number
  seed?: number
}

/** Solves A x = b for a symmetric positive definite A (n x n, row-major) by Cholesky; A is overwritten. */
function solveSpd(a: Float64Array, b: Float64Array, n: number, x: Float64Array) {
  for (let j = 0; j < n; j++) {
    let diagonal = a[j * n + j]
    for (let k = 0; k < j; k++) diagonal -= a[j * n + k] * a[j * n + k]
    const root = Math.sqrt(Math.max(diagonal, 1e-12))
    a[j * n + j] = root
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j]
      for (let k = 0; k < j; k++) sum -= a[i * n + k] * a[j * n + k]
      a[i * n + j] = sum / root
    }
  }
  for (let i = 0; i < n; i++) {
    let sum = b[i]
    for (let k = 0; k < i; k++) sum -= a[i * n + k] * x[k]
    x[i] = sum / a[i * n + i]
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i]
    for (let k = i + 1; k < n; k++) sum -= a[k * n + i] * x[k]
    x[i] = sum / a[i * n + i]
  }
}

/** Rows of a sparse matrix: for each row, its columns and confidences. */
function rowsOf(count: number, pairs: Array<[row: number, column: number, weight: number]>) {
  const rows: Array<{ columns: number[]; weights: number[] }> = Array.from(
    { length: count },
    () => ({
      columns: [],
      weights: [],
    })
  )
  for (const [row, column, weight] of pairs) {
    rows[row].columns.push(column)
    rows[row].weights.push(weight)
  }
  return rows
}

/** One half-step: recomputes every row of `target` with `fixed` held. */
function halfStep(
  target: Float64Array,
  fixed: Float64Array,
  fixedCount: number,
  rows: Array<{ columns: number[]; weights: number[] }>,
  f: number,
  lambda: number,
  alpha: number
) {
  // Gram matrix of the fixed side, shared by every row.
  const gram = new Float64Array(f * f)
  for (let r = 0; r < fixedCount; r++)
    for (let i = 0; i < f; i++) {
      const v = fixed[r * f + i]
      for (let j = 0; j < f; j++) gram[i * f + j] += v * fixed[r * f + j]
    }
  const a = new Float64Array(f * f)
  const b = new Float64Array(f)
  const x = new Float64Array(f)
  rows.forEach((row, index) => {
    a.set(gram)
    b.fill(0)
    for (let i = 0; i < f; i++) a[i * f + i] += lambda
    row.columns.forEach((column, n) => {
      const confidence = 1 + alpha * row.weights[n]
      const offset = column * f
      for (let i = 0; i < f; i++) {
        const vi = fixed[offset + i]
        b[i] += confidence * vi
        const scaled = (confidence - 1) * vi
        for (let j = 0; j < f; j++) a[i * f + j] += scaled * fixed[offset + j]
      }
    })
    solveSpd(a, b, f, x)
    target.set(x, index * f)
  })
}

export function trainAls(
  userCount: number,
  itemCount: number,
  observations: Observations,
  options: AlsOptions
): Factors {
  const f = options.factors
  const lambda = options.lambda ?? 0.1
  const alpha = options.alpha ?? 20
  const random = seededRandom(options.seed ?? 42)
  const users = new Float64Array(userCount * f)
  const items = new Float64Array(itemCount * f)
  for (let i = 0; i < items.length; i++) items[i] = (random() - 0.5) * 0.1
  for (let i = 0; i < users.length; i++) users[i] = (random() - 0.5) * 0.1
  const byUser = rowsOf(
    userCount,
    observations.map((o) => [o.user, o.item, o.weight])
  )
  const byItem = rowsOf(
    itemCount,
    observations.map((o) => [o.item, o.user, o.weight])
  )
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    halfStep(users, items, itemCount, byUser, f, lambda, alpha)
    halfStep(items, users, userCount, byItem, f, lambda, alpha)
  }
  return {
    users: Float32Array.from(users),
    items: Float32Array.from(items),
    userCount,
    itemCount,
    factors: f,
  }
}
