import { defineJob } from '@oryne/sdk'
import { modelKind } from '../services/kinds.js'
import { trainModel } from '../services/lifecycle.js'

/** Trains one model kind of the job's tenant (on demand: `oryne ai train`, or by a schedule). */
export const trainModelJob = defineJob<{ kind: string; actor?: string }>({
  name: 'ai.train_model',
  queue: 'default',
  attempts: 1,
  timeout: 30 * 60_000,
  async handle(data, context) {
    if (!context.tenantId)
      throw new TypeError('ai.train_model runs for one tenant; dispatch it with a tenant')
    return trainModel(modelKind(data.kind), data.actor ?? 'system')
  },
})

/** The weekly retraining schedules: each kind's own job, so one failing does not stop the others. */
export const trainRecommendationsWeekly = defineJob<Record<string, never>>({
  name: 'ai.train_recommendations',
  queue: 'default',
  attempts: 1,
  timeout: 30 * 60_000,
  handle: () => trainModel('recommendations', 'schedule'),
})

export const trainAtRiskWeekly = defineJob<Record<string, never>>({
  name: 'ai.train_at_risk',
  queue: 'default',
  attempts: 1,
  timeout: 30 * 60_000,
  handle: () => trainModel('at_risk', 'schedule'),
})
