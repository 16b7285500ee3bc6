import type { Factors } from '../onnx/recommender_graph.js'
import { scoreItems } from '../onnx/recommender_graph.js'
import { trainAls, type Observations } from './als.js'
import { EASE_MAX_ITEMS, trainEase } from './ease.js'
import { rankingMetrics, topK, type RankingMetrics } from './ranking_metrics.js'

/*
 * Hyper-parameters chosen at training time on the held-out split: every
 * candidate (implicit ALS over a grid of factors, regularisation and
 * confidence; EASE over a grid of regularisation when the catalogue is small
 * enough) trains on the training part and is ranked by NDCG@10 on the
 * held-out part; the best one is retrained on everything and served.
 */

export type RecommenderChoice =
  | { model: 'als'; factors: number; lambda: number; alpha: number; iterations: number }
  | { model: 'ease'; lambda: number }

export type Candidate = { choice: RecommenderChoice; validation: RankingMetrics }

/** Held-out items per user (columns), and what each user has seen in training. */
export type HeldOut = Map<number, Set<number>>

export function trainChoice(
  choice: RecommenderChoice,
  userCount: number,
  itemCount: number,
  observations: Observations
): Factors {
  return choice.model === 'ease'
    ? trainEase(userCount, itemCount, observations, { lambda: choice.lambda })
    : trainAls(userCount, itemCount, observations, choice)
}

/** NDCG@10 and friends of a trained model on held-out items, seen items excluded. */
export function measure(factors: Factors, train: Observations, heldOut: HeldOut): RankingMetrics {
  const seen = new Map<number, Set<number>>()
  for (const { user, item } of train) seen.set(user, (seen.get(user) ?? new Set()).add(item))
  const cases = [...heldOut].map(([user, relevant]) => ({
    ranked: topK(scoreItems(factors, user), 10, (item) => seen.get(user)?.has(item) ?? false),
    relevant,
  }))
  return rankingMetrics(cases)
}

export function candidates(itemCount: number, options: { factors: number; iterations: number }) {
  const grid: RecommenderChoice[] = []
  for (const factors of [...new Set([options.factors, Math.max(2, options.factors * 2)])])
    for (const lambda of [10, 50, 100])
      for (const alpha of [10, 40])
        grid.push({ model: 'als', factors, lambda, alpha, iterations: options.iterations })
  if (itemCount <= EASE_MAX_ITEMS)
    for (const lambda of [20, 100, 400]) grid.push({ model: 'ease', lambda })
  return grid
}

/** Trains every candidate on `train`, measures it on `heldOut`: the best first. */
export function chooseRecommender(
  userCount: number,
  itemCount: number,
  train: Observations,
  heldOut: HeldOut,
  options: { factors: number; iterations: number }
): Candidate[] {
  return candidates(itemCount, options)
    .map((choice) => ({
      choice,
      validation: measure(trainChoice(choice, userCount, itemCount, train), train, heldOut),
    }))
    .sort((a, b) => b.validation.ndcg_at_10 - a.validation.ndcg_at_10)
}
