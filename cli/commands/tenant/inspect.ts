import type { Command } from 'commander'
import type { Tenant } from '#core/tenancy/types'
import { printJson, printTable } from '../../output.js'
import { withRuntime } from '../../runtime.js'
import { describeTenant, printTenant, tenancyOf, when } from './present.js'

const PAGE_SIZE = 200
/** Listing reads the registry only: no plugin host, no listeners. */
const READ_ONLY = { plugins: false }

export function registerTenantInspect(tenant: Command) {
  tenant
    .command('list')
    .description('list tenants (deleted ones only with --status deleted)')
    .option('--status <status>', 'only tenants in this status')
    .option('--json', 'print JSON')
    .action(async (options: { status?: string; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const { listTenantsValidator } = await import('#core/tenancy/validators')
        const { status } = await listTenantsValidator.validate({ status: options.status })
        const tenancy = await tenancyOf(runtime)
        const tenants: Tenant[] = []
        for (let page = 1; ; page++) {
          const result = await tenancy.registry.list({ status, page, perPage: PAGE_SIZE })
          tenants.push(...result.tenants)
          if (page >= result.pagination.last_page) break
        }
        if (options.json) {
          printJson(
            tenants.map((t) => ({
              slug: t.slug,
              name: t.name,
              status: t.status,
              plan: t.plan,
              created_at: t.created_at,
            }))
          )
        } else {
          printTable(
            ['slug', 'name', 'status', 'plan', 'paid until', 'created'],
            tenants.map((t) => [
              t.slug,
              t.name,
              t.status,
              t.plan,
              when(t.paid_until),
              when(t.created_at),
            ])
          )
        }
      }, READ_ONLY)
    })

  tenant
    .command('show <slug>')
    .description('a tenant with its settings, domains, provisioning state and history')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const tenancy = await tenancyOf(runtime)
        const description = await describeTenant(tenancy, await tenancy.registry.findOrFail(slug))
        printTenant(description, Boolean(options.json))
        if (options.json) return
        printTable(
          ['when', 'event', 'status', 'actor', 'reason'],
          description.history.map((entry) => [
            when(entry.created_at),
            entry.event,
            entry.to_status ? `${entry.from_status ?? '—'} → ${entry.to_status}` : '',
            entry.actor,
            entry.reason,
          ])
        )
      })
    })
}
