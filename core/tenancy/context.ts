import { AsyncLocalStorage } from 'node:async_hooks'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { E_NO_TENANT_CONTEXT } from '../errors.js'
import type { Tenant } from './types.js'

type Store = { tenant: Tenant; trx?: TransactionClientContract }

const storage = new AsyncLocalStorage<Store>()

/**
 * The tenant the current code runs for. Set by the HTTP resolver, restored by
 * the job runner from the payload's tenant id, set by CLI commands that take
 * `--tenant`, and by tests. Code that needs a tenant and has none fails loudly.
 */
export const tenantContext = {
  run<T>(tenant: Tenant, fn: () => T): T {
    return storage.run({ tenant }, fn)
  },

  current(): Tenant | undefined {
    return storage.getStore()?.tenant
  },

  require(): Tenant {
    const store = storage.getStore()
    if (!store) throw new E_NO_TENANT_CONTEXT()
    return store.tenant
  },

  /** The tenant transaction already open in this context, if any (see withTenantDb). */
  transaction(): TransactionClientContract | undefined {
    return storage.getStore()?.trx
  },

  runInTransaction<T>(trx: TransactionClientContract, fn: () => T): T {
    const store = storage.getStore()
    if (!store) throw new E_NO_TENANT_CONTEXT()
    return storage.run({ ...store, trx }, fn)
  },
}
