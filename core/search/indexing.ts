import { onCoreEvent, type OryneEvent } from '../events/events.js'
import { defineJob } from '../jobs/define_job.js'
import { collectionsOfTenant, tenantResourceModels } from '../collections/registry.js'
import type { ResourceModel } from '../resources/model.js'
import { searchDriver } from './search_service.js'

/*
 * Keeps a search index in step with the tables: the resource engine's
 * `<plugin>.<resource>.created|updated|deleted` events of searchable resources
 * queue a `core.search_index` job, which re-reads the rows and upserts or
 * removes their documents. The PostgreSQL driver searches the tables
 * themselves, so nothing is queued for it.
 */

const CHANGE = /\.(created|updated|deleted)$/

/** The plugins' resources and the current tenant's collections. */
async function catalog() {
  const { catalog: resources } = await collectionsOfTenant()
  return resources
}

/** Re-reads these records of a resource and updates their index entries (the current tenant). */
export const searchIndexJob = defineJob<{ resource: string; ids: string[] }>({
  name: 'core.search_index',
  queue: 'search',
  attempts: 5,
  backoff: 2000,
  handle: async (data) => {
    const resources = await catalog()
    const model = resources.get(data.resource)
    if (!model?.searchFields.length) return
    const driver = await searchDriver()
    await driver.sync(model, data.ids)
  },
})

async function onResourceChange(event: OryneEvent) {
  const driver = await searchDriver()
  if (driver.kind === 'postgres') return
  const resource = event.payload.resource
  const id = event.payload.id
  if (typeof resource !== 'string' || id === undefined || id === null) return
  if (`${resource}.${event.name.split('.').at(-1)}` !== event.name) return
  const resources = await catalog()
  const model = resources.get(resource)
  if (!model?.searchFields.length) return
  const { default: jobs } = await import('../services/jobs.js')
  await jobs.dispatch(searchIndexJob, { resource: model.key, ids: [String(id)] })
}

onCoreEvent((event) => CHANGE.test(event.name), onResourceChange)

export type ReindexOutcome = { resource: string; indexed: number }

/**
 * Rebuilds the index of the current tenant's searchable resources (those of
 * its enabled plugins, or only `only`), one after the other; `onResource`
 * hears of each as it finishes (the CLI's progress bar).
 */
export async function reindexTenant(
  options: { only?: ResourceModel[]; onResource?: (outcome: ReindexOutcome) => void } = {}
): Promise<ReindexOutcome[]> {
  const served = await tenantResourceModels()
  const models = options.only ?? served.filter((model) => model.searchFields.length)
  const outcomes: ReindexOutcome[] = []
  const driver = await searchDriver()
  for (const model of models.filter((candidate) => served.some((m) => m.key === candidate.key))) {
    const { indexed } = await driver.reindex(model)
    const outcome = { resource: model.key, indexed }
    outcomes.push(outcome)
    options.onResource?.(outcome)
  }
  return outcomes
}
