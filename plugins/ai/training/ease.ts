import type { Factors } from '../onnx/recommender_graph.js'
import type { Observations } from './als.js'

/*
 * EASE (Steck 2019): an item-item model with a closed form. With X the
 * user x item matrix, B = I - P diag(1 / diag(P)), P = (X'X + lambda I)^-1,
 * and a zero diagonal; a user's scores are their row of X times B. It is
 * served by the same graph as the factor models: the "user factors" are the
 * user's row of X and the "item factors" the columns of B.
 */

/** Largest item count EASE is tried with (it inverts an items x items matrix). */
export const EASE_MAX_ITEMS = 1500

/** Inverts a symmetric positive definite matrix (n x n, row-major) by Gauss-Jordan elimination. */
function invert(a: Float64Array, n: number): Float64Array {
  const inverse = new Float64Array(n * n)
  for (let i = 0; i < n; i++) inverse[i * n + i] = 1
  for (let col = 0; col < n; col++) {
    const pivot = a[col * n + col]
    for (let j = 0; j < n; j++) {
      a[col * n + j] /= pivot
      inverse[col * n + j] /= pivot
    }
    for (let row = 0; row < n; row++) {
      if (row === col) continue
      const factor = a[row * n + col]
      if (factor === 0) continue
      for (let j = 0; j < n; j++) {
        a[row * n + j] -= factor * a[col * n + j]
        inverse[row * n + j] -= factor * inverse[col * n + j]
      }
    }
  }
  return inverse
}

export function trainEase(
  userCount: number,
  itemCount: number,
  observations: Observations,
  options: { lambda: number }
): Factors {
  const n = itemCount
  const users = new Float32Array(userCount * n)
  const byUser = new Map<number, number[]>()
  for (const { user, item } of observations) {
    users[user * n + item] = 1
    byUser.set(user, [...(byUser.get(user) ?? []), item])
  }
  const gram = new Float64Array(n * n)
  for (const items of byUser.values())
    for (const i of new Set(items)) for (const j of new Set(items)) gram[i * n + j] += 1
  for (let i = 0; i < n; i++) gram[i * n + i] += options.lambda
  const p = invert(gram, n)
  // B[i][j] = -P[i][j] / P[j][j]; "item factors" row j = column j of B.
  const items = new Float32Array(n * n)
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) items[j * n + i] = i === j ? 0 : -p[i * n + j] / p[j * n + j]
  return { users, items, userCount, itemCount, factors: n }
}
