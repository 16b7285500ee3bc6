import type { ModelKind } from './kinds.js'
import { evaluateRecommendations } from './recommendations.js'
import { evaluatePlagiarismScorer } from './plagiarism_training.js'
import { evaluateAtRisk } from './at_risk.js'
import type { RecommenderChoice } from '../training/tuning.js'

/** What `oryne ai evaluate` prints: one row per contender, measured in the same run. */
export type Evaluation = {
  rows: Array<{ name: string; metrics: Record<string, number> }>
  summary: string
  details: Record<string, unknown>
}

function describeChoice(choice: RecommenderChoice) {
  return choice.model === 'ease'
    ? `EASE with lambda ${choice.lambda}`
    : `implicit ALS with ${choice.factors} factors, lambda ${choice.lambda}, alpha ${choice.alpha}`
}

async function recommendations(): Promise<Evaluation> {
  const result = await evaluateRecommendations()
  return {
    rows: [
      {
        name: `model (${result.hyperparameters.model === 'ease' ? 'EASE' : 'implicit ALS'})`,
        metrics: result.model,
      },
      { name: 'popularity baseline', metrics: result.popularity },
    ],
    summary:
      `Held-out split: the latest fifth of the items of ${result.test_users} users ` +
      `(${result.users} users, ${result.items} items, ${result.interactions} interactions); ` +
      `chosen there among ${result.candidates.length} candidates: ${describeChoice(result.hyperparameters)}.`,
    details: result,
  }
}

const EVALUATORS: Record<ModelKind, () => Promise<Evaluation>> = {
  recommendations,
  plagiarism: evaluatePlagiarismScorer,
  at_risk: evaluateAtRisk,
}

/** Measures a kind on the current tenant's data, next to its baseline. */
export async function evaluate(kind: ModelKind): Promise<Evaluation> {
  return EVALUATORS[kind]()
}
