import { OryneError } from '@oryne/sdk'
import { E_AI_NOT_PROMOTABLE } from '../errors.js'
import { trainRecommender } from './recommendations.js'
import { trainPlagiarismScorer } from './plagiarism_training.js'
import { trainAtRisk } from './at_risk.js'
import type { ModelKind } from './kinds.js'
import type { ModelIo } from './model_contract.js'
import {
  presentModel,
  promoteModel,
  promotedModel,
  recordFailure,
  registerModel,
  rejectModel,
} from './registry.js'

/** What a trainer hands to the registry. */
export type TrainedModel = {
  bytes: Uint8Array
  io: ModelIo
  metrics: Record<string, unknown>
  window: { from: Date | null; to: Date | null }
  vocabulary?: unknown
  /** Why the model must not be served even if nothing better is promoted; null when it may be. */
  refusal: string | null
}

export type Trainer = () => Promise<TrainedModel>

const TRAINERS: Record<ModelKind, Trainer> = {
  recommendations: trainRecommender,
  plagiarism: trainPlagiarismScorer,
  at_risk: trainAtRisk,
}

/**
 * Trains a model of the current tenant end to end: train, export, validate
 * (load + probe), store, record, then promote when it is acceptable and at
 * least as good as the promoted one; otherwise it stays listed as rejected.
 * A training that fails is recorded as failed and raised.
 */
export async function trainModel(kind: ModelKind, actor: string) {
  const trainer = TRAINERS[kind]
  let trained: TrainedModel
  try {
    trained = await trainer()
  } catch (error) {
    await recordFailure(kind, 'trained', (error as Error).message, actor)
    throw error
  }
  const row = await registerModel({ kind, source: 'trained', actor, ...trained })
  if (trained.refusal) {
    await rejectModel(row.id, trained.refusal)
    return {
      model: { ...presentModel(row), status: 'rejected', error: trained.refusal },
      promoted: false,
    }
  }
  try {
    const promoted = await promoteModel(kind, Number(row.version), actor)
    return { model: presentModel(promoted), promoted: true }
  } catch (error) {
    if (!(error instanceof OryneError) || error.code !== E_AI_NOT_PROMOTABLE.code) throw error
    await rejectModel(row.id, error.message)
    const current = await promotedModel(kind)
    return {
      model: { ...presentModel(row), status: 'rejected', error: error.message },
      promoted: false,
      promoted_version: current ? Number(current.version) : null,
    }
  }
}
