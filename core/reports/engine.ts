import app from '@adonisjs/core/services/app'
import { resourceCatalogOf } from '../resources/catalog.js'
import type { ResourceModel } from '../resources/model.js'
import { ResourceService } from '../resources/resource_service.js'
import { serviceFor, tenantResourceModel } from '../collections/registry.js'
import { E_REPORT_RESOURCE_UNKNOWN } from './errors.js'

/*
 * The resource engine as reports use it: the same catalog and the same list
 * service as /api/v1/<plugin>/<resource>, so an export applies exactly the
 * filters, permissions, row rules and field visibility the list does.
 */

let service: ResourceService | undefined

export async function resourceEngine() {
  const host = await app.container.make('oryne.plugins')
  const catalog = resourceCatalogOf(host)
  service ??= new ResourceService(catalog)
  return { host, catalog, service }
}

/** A listable resource of a plugin the current tenant enabled or a collection of it; ERR_REPORT_RESOURCE_UNKNOWN otherwise. */
export async function listableResource(key: string): Promise<ResourceModel> {
  const model = await tenantResourceModel(key)
  if (!model || model.permissions.list === false) throw new E_REPORT_RESOURCE_UNKNOWN([key])
  return model
}

/** The list service of `model` (a collection's knows the tenant's other collections). */
export async function listServiceOf(model: ResourceModel) {
  const engine = await resourceEngine()
  return serviceFor(model, engine.service)
}
