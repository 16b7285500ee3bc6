import type { ResourcePrincipal } from '../resources/define_resource.js'
import type { CallOrigin } from '../resources/resource_service.js'
import { collectionsOfTenant } from './registry.js'
import { E_COLLECTION_NOT_FOUND } from './errors.js'
import { checkRowQuota } from './quotas.js'

/*
 * Records of the current tenant's collections, through the resource engine:
 * the permissions, row rules, field visibility, validation, audit entries,
 * events and search indexing a plugin resource gets. HTTP routes, views,
 * forms and automations all go through here.
 */

/** A principal that may do everything: for system work (automations, public form submissions). */
export const SYSTEM_PRINCIPAL: ResourcePrincipal = {
  kind: 'platform',
  id: 'platform',
  roles: [],
  can: () => true,
}

async function served(name: string) {
  const { models, service } = await collectionsOfTenant()
  const model = models.get(name)
  if (!model) throw new E_COLLECTION_NOT_FOUND([name])
  return { model, service }
}

export const collectionRecords = {
  async list(name: string, principal: ResourcePrincipal, query?: string | null) {
    const { model, service } = await served(name)
    return service.list(model, principal, query)
  },

  async show(name: string, principal: ResourcePrincipal, id: string, query?: string | null) {
    const { model, service } = await served(name)
    return service.show(model, principal, id, query)
  },

  async create(name: string, body: unknown, origin: CallOrigin) {
    const { model, service } = await served(name)
    await checkRowQuota(model)
    return service.create(model, body, origin)
  },

  async update(name: string, id: string, body: unknown, origin: CallOrigin) {
    const { model, service } = await served(name)
    return service.update(model, id, body, origin)
  },

  async delete(name: string, id: string, origin: CallOrigin) {
    const { model, service } = await served(name)
    return service.delete(model, id, origin)
  },
}
