import type { Command } from 'commander'
import type { TenancyService } from '#core/tenancy/tenancy_service'
import { cliActor } from '../../actor.js'
import { interactive } from '../../output.js'
import { withRuntime } from '../../runtime.js'
import { describeTenant, printTenant, tenancyOf, type TenantDescription } from './present.js'

const TRANSITIONS = [
  ['suspend', 'refuse the tenant’s users until it is resumed'],
  ['resume', 'let a suspended tenant’s users in again'],
  ['archive', 'take the tenant offline, keeping its data'],
  ['restore', 'bring an archived tenant back'],
] as const

/**
 * A person at a terminal confirms a deletion by typing the slug; scripts pass
 * --force. Only asked when the deletion could go ahead (the tenant is archived).
 */
async function confirmedAtTerminal(tenancy: TenancyService, slug: string) {
  if (!interactive()) return false
  const tenant = await tenancy.registry.findOrFail(slug)
  if (tenant.status !== 'archived') return false
  const { input } = await import('@inquirer/prompts')
  // The prompt goes to stderr so that stdout stays parseable with --json.
  try {
    const typed = await input(
      {
        message: `Deleting "${tenant.slug}" drops its schema and every row in it; this cannot be undone. Type the slug to confirm:`,
      },
      { output: process.stderr }
    )
    return typed.trim() === tenant.slug
  } catch (error) {
    // Ctrl+C at the prompt is a refusal like any other.
    if ((error as Error).name === 'ExitPromptError') return false
    throw error
  }
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

  tenant
    .command('delete <slug>')
    .description(
      'drop an archived tenant’s schema for good (needs --force, or typing the slug at a terminal)'
    )
    .option('--force', 'confirm the deletion without a prompt')
    .option('--reason <reason>', 'recorded in the tenant history')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { force?: boolean; reason?: string; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const { transitionValidator } = await import('#core/tenancy/validators')
        const { reason } = await transitionValidator.validate({ reason: options.reason })
        const tenancy = await tenancyOf(runtime)
        const force = options.force === true || (await confirmedAtTerminal(tenancy, slug))
        const deleted = await tenancy.delete(slug, cliActor(), { force, reason })
        printOutcome(await describeTenant(tenancy, deleted), options.json)
      })
    })
}
