import app from '@adonisjs/core/services/app'
import { tenantCache } from '../cache/index.js'
import { ResourceCatalog, resourceCatalogOf } from '../resources/catalog.js'
import { compileResource, type ResourceModel } from '../resources/model.js'
import { ResourceService } from '../resources/resource_service.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb } from '../tenancy/tenant_db.js'
import {
  COLLECTIONS,
  keyOfCollection,
  toResourceDefinition,
  type CollectionDefinition,
} from './definition.js'
import { E_COLLECTION_NOT_FOUND } from './errors.js'

/*
 * The collections of the current tenant, compiled into resource models once
 * per change and kept in the tenant cache (kind `collections`); every change
 * to the `collections` table calls invalidateCollections, which every Oryne
 * process hears on the cache's change channel.
 */

export type CollectionRow = {
  id: string
  name: string
  label: string
  description: string | null
  table_name: string
  definition: CollectionDefinition
  version: number
  created_by: string | null
  created_at: Date
  updated_at: Date
}

/**
 * The plugin catalog with a tenant's collections beside it: references and
 * includes between collections and plugin resources resolve through one
 * catalog, and the ResourceService runs unchanged.
 */
export class TenantResourceCatalog extends ResourceCatalog {
  constructor(
    readonly plugins: ResourceCatalog,
    readonly collections: Map<string, ResourceModel>
  ) {
    super([])
  }

  get(key: string): ResourceModel | undefined {
    return this.collections.get(key) ?? this.plugins.get(key)
  }

  ofPlugin(plugin: string): ResourceModel[] {
    return plugin === COLLECTIONS ? [...this.collections.values()] : this.plugins.ofPlugin(plugin)
  }

  all(): ResourceModel[] {
    return [...this.plugins.all(), ...this.collections.values()]
  }
}

export type TenantCollections = {
  list: CollectionRow[]
  /** By collection name. */
  models: Map<string, ResourceModel>
  catalog: TenantResourceCatalog
  /** The resource engine over `catalog` (its projections are cached per compiled version). */
  service: ResourceService
}

/** The catalog of every available plugin's resources. */
export async function pluginCatalog(): Promise<ResourceCatalog> {
  return resourceCatalogOf(await app.container.make('oryne.plugins'))
}

export function compileCollection(row: Pick<CollectionRow, 'name' | 'definition' | 'description'>) {
  return compileResource(COLLECTIONS, {
    ...toResourceDefinition(row.name, row.definition),
    description: row.description ?? undefined,
  })
}

const COLUMNS = [
  'id',
  'name',
  'label',
  'description',
  'table_name',
  'definition',
  'version',
  'created_by',
  'created_at',
  'updated_at',
]

/** The current tenant's collections with their compiled models (cached until a change). */
export async function collectionsOfTenant(): Promise<TenantCollections> {
  const tenant = tenantContext.require()
  return tenantCache.get('collections', tenant.id, '', async () => {
    const rows = (await readTenantDb((client, table) =>
      client.from(table('collections')).orderBy('id').select(COLUMNS)
    )) as CollectionRow[]
    const list = rows.map((row) => ({ ...row, id: String(row.id) }))
    const models = new Map<string, ResourceModel>()
    for (const row of list) {
      try {
        models.set(row.name, compileCollection(row))
      } catch (error) {
        // One definition the engine cannot compile must not take the tenant's other collections down.
        const logger = await app.container.make('logger')
        logger.error({ err: error, collection: row.name }, 'collection not served')
      }
    }
    const catalog = new TenantResourceCatalog(
      await pluginCatalog(),
      new Map([...models.values()].map((model) => [model.key, model]))
    )
    return { list, models, catalog, service: new ResourceService(catalog) }
  })
}

/** The model of one collection of the current tenant, or ERR_COLLECTION_NOT_FOUND. */
export async function collectionModel(name: string): Promise<ResourceModel> {
  const { models } = await collectionsOfTenant()
  const model = models.get(name)
  if (!model) throw new E_COLLECTION_NOT_FOUND([name])
  return model
}

/** One collection's stored row, or ERR_COLLECTION_NOT_FOUND. */
export async function collectionRow(name: string): Promise<CollectionRow> {
  const { list } = await collectionsOfTenant()
  const row = list.find((entry) => entry.name === name)
  if (!row) throw new E_COLLECTION_NOT_FOUND([name])
  return row
}

/** Whether `key` (`collections.<name>`) is a collection of the current tenant. */
export async function isCollectionKey(key: string) {
  const { catalog } = await collectionsOfTenant()
  return catalog.collections.has(key)
}

/**
 * Every process forgets the tenant's compiled collections; call after any
 * change to `collections`. Inside a tenant transaction that is still open
 * (a template import creating a collection with its views), they are
 * forgotten again when it ends, so that nothing read from it before its
 * commit or rollback stays cached.
 */
export function invalidateCollections(tenantId: string) {
  const forget = () =>
    tenantCache.invalidate({ tenantId, kind: 'collections' }, { broadcast: true })
  forget()
  const open = tenantContext.transaction()
  if (open) open.after('commit', forget).after('rollback', forget)
}

export { keyOfCollection }

/**
 * The resources the current tenant has: those of the plugins it enabled, then
 * its collections (what search, exports and the OpenAPI document list).
 */
export async function tenantResourceModels(): Promise<ResourceModel[]> {
  const host = await app.container.make('oryne.plugins')
  const enabled = await host.enabledNames(tenantContext.require().id)
  const { catalog } = await collectionsOfTenant()
  return [
    ...catalog.plugins.all().filter((model) => enabled.has(model.plugin)),
    ...catalog.collections.values(),
  ]
}

/** The resource engine that serves `model`: a collection's is compiled with its tenant's collections. */
export async function serviceFor(model: ResourceModel, plugins: ResourceService) {
  if (model.plugin !== COLLECTIONS) return plugins
  const { service } = await collectionsOfTenant()
  return service
}

/** The permissions the current tenant's collections check (per action, and of sensitive fields). */
export async function collectionPermissions(): Promise<string[]> {
  const { models } = await collectionsOfTenant()
  const names = new Set<string>()
  for (const model of models.values()) {
    for (const permission of Object.values(model.permissions))
      if (permission !== false) names.add(permission)
    for (const field of model.declared) if (field.sensitive) names.add(field.sensitive.permission)
  }
  return [...names].sort()
}

/** One resource of the current tenant by `<plugin>.<resource>` (see tenantResourceModels). */
export async function tenantResourceModel(key: string): Promise<ResourceModel | undefined> {
  const models = await tenantResourceModels()
  return models.find((model) => model.key === key)
}
