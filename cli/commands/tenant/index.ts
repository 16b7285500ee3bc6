import type { Command } from 'commander'
import { registerTenantBilling } from './billing.js'
import { registerTenantClone } from './clone.js'
import { registerTenantSeedDemo } from './seed_demo.js'
import { registerTenantCreate } from './create.js'
import { registerTenantDomains } from './domains.js'
import { registerTenantInspect } from './inspect.js'
import { registerTenantLifecycle } from './lifecycle.js'

export function registerTenant(program: Command) {
  const tenant = program
    .command('tenant')
    .description('create, inspect, suspend, archive and delete tenants; domains and billing')
  registerTenantCreate(tenant)
  registerTenantInspect(tenant)
  registerTenantLifecycle(tenant)
  registerTenantDomains(tenant)
  registerTenantBilling(tenant)
  registerTenantClone(tenant)
  registerTenantSeedDemo(tenant)
}
