import type { Command } from 'commander'
import type { TenancyService } from '#core/tenancy/tenancy_service'
import { cliActor } from '../../actor.js'
import { confirmed, confirmedByFlag, confirmationOption, type Confirmation } from '../../confirm.js'
import { interactive } from '../../output.js'
import { withRuntime } from '../../runtime.js'
import { describeTenant, printTenant, tenancyOf, type TenantDescription } from './present.js'

const TRANSITIONS = [
  ['suspend', 'refuse the tenant’s users until it is resumed'],
  ['resume', 'let a suspended tenant’s users in again'],
  ['archive', 'take the tenant offline, keeping its data'],
  ['restore', 'bring an archived tenant back'],
] as const

/** The prompt is shown only when the deletion could go ahead (the tenant is archived). */
async function deletionConfirmed(tenancy: TenancyService, slug: string, options: Confirmation) {
  if (confirmedByFlag(options)) return true
  if (!interactive()) return false
  const tenant = await tenancy.registry.findOrFail(slug)
  if (tenant.status !== 'archived') return false
  return confirmed(options, {
    message: `Deleting "${tenant.slug}" drops its schema and every row in it; this cannot be undone.`,
    expected: tenant.slug,
  })
}

function printOutcome(description: TenantDescription, json?: boolean) {
  if (json) printTenant(description, true)
  else process.stdout.write(`Tenant "${description.slug}" is ${description.status}.\n`)
}

export function registerTenantLifecycle(tenant: Command) {
  for (const [action, description] of TRANSITIONS) {
    tenant
      .command(`${action} <slug>`)
      .description(description)
      .option('--reason <reason>', 'recorded in the tenant history')
      .option('--json', 'print JSON')
      .action(async (slug: string, options: { reason?: string; json?: boolean }) => {
        await withRuntime(async (runtime) => {
          const { transitionValidator } = await import('#core/tenancy/validators')
          const { reason } = await transitionValidator.validate({ reason: options.reason })
          const tenancy = await tenancyOf(runtime)
          const changed = await tenancy[action](slug, cliActor(), reason)
          printOutcome(await describeTenant(tenancy, changed), options.json)
        })
      })
  }

  const remove = tenant
    .command('delete <slug>')
    .description(
      'drop an archived tenant’s schema for good (needs --yes, or typing the slug at a terminal)'
    )
  confirmationOption(remove, 'confirm the deletion', '--force')
    .option('--reason <reason>', 'recorded in the tenant history')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: Confirmation & { reason?: string; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const { transitionValidator } = await import('#core/tenancy/validators')
        const { reason } = await transitionValidator.validate({ reason: options.reason })
        const tenancy = await tenancyOf(runtime)
        const force = await deletionConfirmed(tenancy, slug, options)
        const deleted = await tenancy.delete(slug, cliActor(), { force, reason })
        printOutcome(await describeTenant(tenancy, deleted), options.json)
      })
    })
}
