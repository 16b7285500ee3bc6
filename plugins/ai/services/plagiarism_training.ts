import { readTenantDb } from '@oryne/sdk'
import { trainScorer } from '../plagiarism/scorer.js'
import { PASSAGE_FEATURES } from '../plagiarism/detect.js'
import { aiSettings } from '../settings.js'
import type { TrainedModel } from './lifecycle.js'

/** Tenant texts the scorer is trained around: the latest sources, when the tenant has some. */
async function hostTexts() {
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('ai_plagiarism_sources', 's'))
      .where('s.words', '>=', 100)
      .orderBy('s.id', 'desc')
      .limit(200)
      .select('s.text')
  )
  return rows.map((row) => String(row.text))
}

/**
 * Trains the tenant's passage scorer with its winnowing settings: passages
 * planted into (and copied from) the tenant's own texts and generated ones,
 * measured on held-out passages next to "report every detected passage".
 */
export async function trainPlagiarismScorer(): Promise<TrainedModel> {
  const settings = await aiSettings()
  const hosts = await hostTexts()
  const started = new Date()
  const trained = trainScorer({
    threshold: settings.plagiarism_threshold,
    hosts,
  })
  return {
    bytes: trained.bytes,
    io: {
      inputs: [{ name: 'features', type: 'float', shape: ['n', PASSAGE_FEATURES.length] }],
      outputs: [
        { name: 'probability', type: 'float' },
        { name: 'contributions', type: 'float' },
      ],
    },
    metrics: { ...trained.metrics, baseline: trained.baseline, tenant_texts: hosts.length },
    window: { from: null, to: started },
    refusal:
      trained.metrics.f1 <= trained.baseline.f1
        ? `its F1 ${trained.metrics.f1} does not beat reporting every passage (${trained.baseline.f1})`
        : null,
  }
}

/** The scorer's held-out figures next to the baseline, without storing a model. */
export async function evaluatePlagiarismScorer() {
  const trained = await trainPlagiarismScorer()
  const metrics = trained.metrics as Record<string, any>
  return {
    rows: [
      {
        name: 'scorer (logistic)',
        metrics: { precision: metrics.precision, recall: metrics.recall, f1: metrics.f1 },
      },
      { name: 'report every passage', metrics: metrics.baseline },
    ],
    summary: `Held-out: ${metrics.held_out} of ${metrics.examples} detected passages (planted obfuscated copies vs chance matches; ${metrics.tenant_texts} tenant texts used).`,
    details: metrics,
  }
}
