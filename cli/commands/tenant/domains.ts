import type { Command } from 'commander'
import { cliActor } from '../../actor.js'
import { printJson } from '../../output.js'
import { withRuntime } from '../../runtime.js'
import { tenancyOf } from './present.js'

export function registerTenantDomains(tenant: Command) {
  const domain = tenant.command('domain').description('custom domains that resolve to a tenant')

  for (const action of ['add', 'remove'] as const) {
    domain
      .command(`${action} <slug> <domain>`)
      .description(
        action === 'add' ? 'route a domain to the tenant' : 'stop routing a domain to the tenant'
      )
      .option('--json', 'print JSON')
      .action(async (slug: string, name: string, options: { json?: boolean }) => {
        await withRuntime(async (runtime) => {
          const { domainValidator } = await import('#core/tenancy/validators')
          const { domain: normalized } =
            action === 'add' ? await domainValidator.validate({ domain: name }) : { domain: name }
          const tenancy = await tenancyOf(runtime)
          const found = await tenancy.registry.findOrFail(slug)
          if (action === 'add') await tenancy.registry.addDomain(found, normalized, cliActor())
          else await tenancy.registry.removeDomain(found, normalized, cliActor())
          const domains = await tenancy.registry.domains(found.id)
          if (options.json) printJson({ slug: found.slug, domains })
          else
            process.stdout.write(
              `Tenant "${found.slug}" domains: ${domains.length ? domains.join(', ') : 'none'}\n`
            )
        })
      })
  }
}
