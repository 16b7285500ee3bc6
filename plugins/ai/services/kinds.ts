import { E_AI_UNKNOWN_KIND } from '../errors.js'

/** What the plugin trains and serves; one promoted model of each per tenant. */
export const MODEL_KINDS = ['recommendations', 'plagiarism', 'at_risk'] as const
export type ModelKind = (typeof MODEL_KINDS)[number]

export function modelKind(value: string): ModelKind {
  if (!(MODEL_KINDS as readonly string[]).includes(value)) throw new E_AI_UNKNOWN_KIND([value])
  return value as ModelKind
}

/**
 * The metric a new model of the kind must at least match to replace the
 * promoted one (higher is better), read from its metrics; null when the model
 * carries none (an uploaded model, validated but never measured here).
 */
export function primaryMetric(kind: ModelKind, metrics: Record<string, any>): number | null {
  const value =
    kind === 'recommendations'
      ? metrics?.model?.ndcg_at_10
      : kind === 'plagiarism'
        ? metrics?.f1
        : metrics?.auc
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/** The name of that metric, for messages and docs. */
export const PRIMARY_METRIC: Record<ModelKind, string> = {
  recommendations: 'NDCG@10',
  plagiarism: 'F1',
  at_risk: 'AUC',
}
