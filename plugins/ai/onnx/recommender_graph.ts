import { encodeModel } from './graph.js'

/** The learnt factors of a matrix factorisation: row-major, `factors` columns each. */
export type Factors = {
  users: Float32Array
  items: Float32Array
  userCount: number
  itemCount: number
  factors: number
}

/** Far below any real score: excluded items sink to the bottom of TopK. */
export const EXCLUDED_SCORE = -3.0e38

/**
 * The recommender as an ONNX graph:
 *   Gather(user factors, user) -> MatMul(item factors^T) -> Where(exclude, -inf) -> TopK(k)
 * Inputs: `user` int64 [1] (row of the user), `exclude` bool [1, items] (items
 * already seen, or of another type than asked), `k` int64 [1].
 * Outputs: `scores` float [1, k] and `items` int64 [1, k] (columns), best first.
 */
export function recommenderModel(factors: Factors, metadata: Record<string, string> = {}) {
  const { userCount, itemCount, factors: f } = factors
  // The item factors transposed, so that one MatMul scores every item.
  const itemsT = new Float32Array(f * itemCount)
  for (let item = 0; item < itemCount; item++)
    for (let d = 0; d < f; d++) itemsT[d * itemCount + item] = factors.items[item * f + d]
  return encodeModel({
    name: 'oryne_recommender',
    metadata,
    inputs: [
      { name: 'user', type: 'int64', shape: [1] },
      { name: 'exclude', type: 'bool', shape: [1, itemCount] },
      { name: 'k', type: 'int64', shape: [1] },
    ],
    outputs: [
      { name: 'scores', type: 'float', shape: [1, 'k'] },
      { name: 'items', type: 'int64', shape: [1, 'k'] },
    ],
    initializers: [
      { name: 'user_factors', type: 'float', dims: [userCount, f], values: factors.users },
      { name: 'item_factors_t', type: 'float', dims: [f, itemCount], values: itemsT },
      { name: 'excluded_score', type: 'float', dims: [], values: [EXCLUDED_SCORE] },
    ],
    nodes: [
      { op: 'Gather', inputs: ['user_factors', 'user'], outputs: ['u'], attributes: { axis: 0 } },
      { op: 'MatMul', inputs: ['u', 'item_factors_t'], outputs: ['all_scores'] },
      { op: 'Where', inputs: ['exclude', 'excluded_score', 'all_scores'], outputs: ['masked'] },
      {
        op: 'TopK',
        inputs: ['masked', 'k'],
        outputs: ['scores', 'items'],
        attributes: { axis: -1, largest: 1, sorted: 1 },
      },
    ],
  })
}

/** The same scores in plain TypeScript (what tests compare the graph against). */
export function scoreItems(factors: Factors, user: number): Float32Array {
  const f = factors.factors
  const scores = new Float32Array(factors.itemCount)
  for (let item = 0; item < factors.itemCount; item++) {
    let sum = 0
    for (let d = 0; d < f; d++) sum += factors.users[user * f + d] * factors.items[item * f + d]
    scores[item] = sum
  }
  return scores
}
