import { Adapter, BaseModel } from '@adonisjs/lucid/orm'
import type { LucidModel, ModelAdapterOptions } from '@adonisjs/lucid/types/model'
import db from '@adonisjs/lucid/services/db'
import { E_NO_TENANT_CONTEXT } from '../errors.js'
import { tenantContext } from './context.js'

/**
 * Sends every query of a tenant model to the current tenant's transaction
 * (opened by withTenantDb), whatever the call: Model.query(), find(), create(),
 * instance.save(). Outside one it fails loudly rather than reach `public`.
 */
class TenantAdapter extends Adapter {
  modelConstructorClient(modelConstructor: LucidModel, options?: ModelAdapterOptions) {
    if (options?.client) return options.client
    const trx = tenantContext.transaction()
    if (!trx) {
      throw new E_NO_TENANT_CONTEXT([], {
        hint: `Query ${modelConstructor.name} inside withTenantDb(...) in a tenant-scoped route, job or command.`,
      })
    }
    return trx
  }
}

/**
 * Base class of Lucid models whose table lives in each tenant's schema:
 *
 * ```ts
 * export class Student extends TenantModel { @column() declare name: string }
 * await withTenantDb(() => Student.query().where('class_id', id))
 * ```
 */
export class TenantModel extends BaseModel {
  static get $adapter() {
    return tenantAdapter()
  }

  static set $adapter(_adapter) {
    // Lucid assigns the shared adapter to every model at boot; tenant models keep theirs.
  }
}

let adapter: TenantAdapter | undefined
function tenantAdapter() {
  adapter ??= new TenantAdapter(db)
  return adapter
}
