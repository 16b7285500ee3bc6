import { seededRandom } from '@oryne/sdk'
import type { Factors } from '../onnx/recommender_graph.js'
import type { Observations } from './als.js'

/**
 * Bayesian personalised ranking matrix factorisation (Rendle et al. 2009),
 * plain: stochastic gradient steps on (user, taken item, random item not
 * taken) triples. A baseline the benchmark compares the served models with.
 */
export function trainBpr(
  userCount: number,
  itemCount: number,
  observations: Observations,
  options: { factors: number; epochs?: number; rate?: number; lambda?: number; seed?: number }
): Factors {
  const f = options.factors
  const { epochs = 40, rate = 0.05, lambda = 0.01 } = options
  const random = seededRandom(options.seed ?? 11)
  const users = new Float32Array(userCount * f).map(() => (random() - 0.5) * 0.1)
  const items = new Float32Array(itemCount * f).map(() => (random() - 0.5) * 0.1)
  const taken = new Map<number, Set<number>>()
  for (const { user, item } of observations)
    taken.set(user, (taken.get(user) ?? new Set()).add(item))
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let step = 0; step < observations.length; step++) {
      const { user, item } = observations[Math.floor(random() * observations.length)]
      let other = Math.floor(random() * itemCount)
      while (taken.get(user)!.has(other)) other = Math.floor(random() * itemCount)
      let difference = 0
      for (let d = 0; d < f; d++)
        difference += users[user * f + d] * (items[item * f + d] - items[other * f + d])
      const gradient = 1 / (1 + Math.exp(difference))
      for (let d = 0; d < f; d++) {
        const u = users[user * f + d]
        const i = items[item * f + d]
        const j = items[other * f + d]
        users[user * f + d] += rate * (gradient * (i - j) - lambda * u)
        items[item * f + d] += rate * (gradient * u - lambda * i)
        items[other * f + d] += rate * (-gradient * u - lambda * j)
      }
    }
  }
  return { users, items, userCount, itemCount, factors: f }
}
