import type { Command } from 'commander'
import type { Tenant } from '#core/tenancy/types'
import { interactive, printJson, printTable } from '../output.js'
import { withRuntime, type Runtime } from '../runtime.js'

type TenantReport = { tenant: string; resources: Array<{ resource: string; indexed: number }> }

/** The tenants to reindex: the one named, else every active or suspended one (their schemas exist). */
async function tenantsOf(runtime: Runtime, slug?: string): Promise<Tenant[]> {
  const tenancy = await runtime.app.container.make('oryne.tenancy')
  if (slug) {
    const { E_TENANT_NOT_READY } = await import('#core/errors')
    const tenant = await tenancy.registry.findOrFail(slug)
    if (tenant.status !== 'active' && tenant.status !== 'suspended')
      throw new E_TENANT_NOT_READY([tenant.slug, tenant.status])
    return [tenant]
  }
  const tenants: Tenant[] = []
  for (let page = 1; ; page++) {
    const { tenants: found, pagination } = await tenancy.registry.list({ page, perPage: 200 })
    tenants.push(...found.filter((t) => t.status === 'active' || t.status === 'suspended'))
    if (page >= pagination.last_page) return tenants
  }
}

export function registerSearch(program: Command) {
  const search = program
    .command('search')
    .description('the search index of tenants’ searchable resources (docs/search.md)')

  search
    .command('reindex')
    .description(
      'rebuild the search index of every searchable resource of the enabled plugins and the tenants’ collections (Typesense); with PostgreSQL there is nothing to index'
    )
    .option('--tenant <slug>', 'only this tenant (default: every active or suspended tenant)')
    .option(
      '--resource <plugin.resource>',
      'only this resource, e.g. erp.students or collections.<name>'
    )
    .option('--json', 'print one JSON summary')
    .action(async (options: { tenant?: string; resource?: string; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const { tenantContext } = await import('#core/tenancy/context')
        const { searchDriver, reindexTenant } = await import('#core/search/index')
        const { searchableResource } = await import('#core/search/search_service')
        const { resourceCatalogOf } = await import('#core/resources/catalog')
        const { tenantResourceModels } = await import('#core/collections/registry')
        const { E_RESOURCE_NOT_FOUND } = await import('#core/errors')
        const host = await runtime.app.container.make('oryne.plugins')
        const catalog = resourceCatalogOf(host)
        // A collection (collections.<name>) is some tenants' own: looked for in each below.
        const collection = options.resource?.startsWith('collections.')
        if (options.resource && !collection && !catalog.get(options.resource))
          throw new E_RESOURCE_NOT_FOUND([options.resource])
        const tenants = await tenantsOf(runtime, options.tenant)
        const driver = await searchDriver()

        // Per tenant, the searchable resources of its enabled plugins and its collections (or the one named).
        const plan: Array<{
          tenant: Tenant
          models: Awaited<ReturnType<typeof searchableResource>>[]
        }> = []
        for (const tenant of tenants) {
          const models = await tenantContext.run(tenant, async () => {
            const served = await tenantResourceModels()
            if (!options.resource) return served.filter((model) => model.searchFields.length)
            return served.some((model) => model.key === options.resource)
              ? [await searchableResource(options.resource)]
              : []
          })
          plan.push({ tenant, models })
        }
        const total = plan.reduce((sum, entry) => sum + entry.models.length, 0)
        if (collection && !total) throw new E_RESOURCE_NOT_FOUND([options.resource])

        const reports: TenantReport[] = []
        if (driver.kind === 'postgres') {
          for (const { tenant, models } of plan)
            reports.push({
              tenant: tenant.slug,
              resources: models.map((model) => ({ resource: model.key, indexed: 0 })),
            })
        } else {
          const showBar = interactive() && !options.json && total > 0
          const { SingleBar, Presets } = await import('cli-progress')
          const bar = showBar
            ? new SingleBar(
                {
                  format: 'Resources {bar} {value}/{total} | {tenant} {resource}',
                  stream: process.stderr,
                  hideCursor: true,
                },
                Presets.shades_classic
              )
            : null
          bar?.start(total, 0, { tenant: '', resource: '' })
          try {
            for (const { tenant, models } of plan) {
              const resources = await tenantContext.run(tenant, () =>
                reindexTenant({
                  only: models,
                  onResource: (outcome) =>
                    bar?.increment({ tenant: tenant.slug, resource: outcome.resource }),
                })
              )
              reports.push({ tenant: tenant.slug, resources })
            }
          } finally {
            bar?.stop()
          }
        }

        const indexed = reports
          .flatMap((report) => report.resources)
          .reduce((sum, resource) => sum + resource.indexed, 0)
        const nothingToDo = driver.kind === 'postgres'
        if (options.json)
          return printJson({
            ok: true,
            driver: driver.kind,
            nothing_to_do: nothingToDo,
            resources: total,
            indexed,
            tenants: reports,
          })
        if (nothingToDo) {
          process.stdout.write(
            `Nothing to do: the PostgreSQL search driver reads the tables themselves ` +
              `(${total} searchable resource(s) in ${reports.length} tenant(s)).\n`
          )
          return
        }
        printTable(
          ['tenant', 'resource', 'indexed'],
          reports.flatMap((report) =>
            report.resources.map((resource) => [report.tenant, resource.resource, resource.indexed])
          )
        )
        process.stdout.write(
          `Reindexed ${total} resource(s) in ${reports.length} tenant(s): ${indexed} document(s) (Typesense).\n`
        )
      })
    })
}
