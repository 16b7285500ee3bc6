import { InvalidArgumentError, type Command } from 'commander'
import { DEFAULT_SETTINGS } from '#core/tenancy/default_settings'
import type { TenancyService } from '#core/tenancy/tenancy_service'
import type { Tenant } from '#core/tenancy/types'
import { pausepoint } from '#core/utils/failpoint'
import { cliActor } from '../../actor.js'
import { EXIT } from '../../output.js'
import { withRuntime } from '../../runtime.js'
import { describeTenant, printTenant, tenancyOf } from './present.js'

const NUMERIC_SETTINGS = new Set(['academic_year_start_month', 'week_start_day'])

/** `--setting key=value`, repeatable. */
function collectSetting(value: string, previous: Record<string, string> = {}) {
  const at = value.indexOf('=')
  if (at <= 0) throw new InvalidArgumentError('Expected key=value, e.g. time_zone=Africa/Nairobi.')
  return { ...previous, [value.slice(0, at).trim()]: value.slice(at + 1).trim() }
}

function splitList(value: string) {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}

/** `--setting` values as the validator expects them: the numeric settings as numbers. */
function parseSettings(raw: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [
      key,
      NUMERIC_SETTINGS.has(key) && /^\d+$/.test(value) ? Number(value) : value,
    ])
  )
}

/**
 * Provisions in this process (the queued run, if a worker also picks it up,
 * waits on the same per-tenant lock and then finds the tenant active).
 * Returns the tenant as provisioning left it, and an invite token for its
 * admin: the one this run created, or, when a worker provisioned first (its
 * token went nowhere but its log), a fresh one while the admin has not
 * accepted yet.
 */
async function provisionHere(tenancy: TenancyService, tenant: Tenant) {
  try {
    await pausepoint('tenant:before_provision_here')
    const result = await tenancy.provisionNow(tenant.id, cliActor())
    // A prepared schema taken (method `template`) is replaced before this short-lived process exits.
    await tenancy.provisioner.templates.settled()
    const inviteToken =
      result.inviteToken ?? (await tenancy.provisioner.reinvitePendingAdmin(result.tenant))
    return { tenant: result.tenant, inviteToken }
  } catch {
    // The pipeline recorded the failure on the tenant; report it from there.
    return { tenant: await tenancy.registry.findOrFail(tenant.id), inviteToken: null }
  }
}

/** Prints a tenant after create or retry; a failed provisioning exits 1 with its error. */
async function report(
  tenancy: TenancyService,
  queued: Tenant,
  options: { wait?: boolean; json?: boolean }
) {
  const { tenant, inviteToken } = options.wait
    ? await provisionHere(tenancy, queued)
    : { tenant: queued, inviteToken: null }
  const description = await describeTenant(tenancy, tenant)
  printTenant(
    inviteToken ? { ...description, admin_invite_token: inviteToken } : description,
    Boolean(options.json)
  )
  if (tenant.status === 'failed') {
    process.exitCode = EXIT.failed
    if (!options.json) {
      process.stderr.write(
        `Error: provisioning failed at ${tenant.provisioning.step}: ${tenant.provisioning.error}\n` +
          `Hint: fix the cause, then run \`oryne tenant retry ${tenant.slug} --wait\`.\n`
      )
    }
  } else if (!options.json && tenant.status === 'provisioning') {
    process.stdout.write(
      `Provisioning is queued; \`oryne worker\` or \`oryne up\` runs it. Follow it with \`oryne tenant show ${tenant.slug}\`, or pass --wait.\n`
    )
  }
}

export function registerTenantCreate(tenant: Command) {
  tenant
    .command('create <slug>')
    .description('register a tenant and queue its provisioning (schema, migrations, roles, admin)')
    .requiredOption('--name <name>', 'the institution name')
    .option('--plan <plan>', 'billing plan (default: standard)')
    .option('--admin-email <email>', 'invite this address as the tenant admin')
    .option('--plugins <names>', 'comma-separated plugins to enable', splitList)
    .option(
      '--setting <key=value>',
      `a tenant setting, repeatable (${Object.keys(DEFAULT_SETTINGS).join(', ')})`,
      collectSetting
    )
    .option('--wait', 'provision in this process and return when the tenant is active or failed')
    .option('--json', 'print JSON')
    .action(
      async (
        slug: string,
        options: {
          name: string
          plan?: string
          adminEmail?: string
          plugins?: string[]
          setting?: Record<string, string>
          wait?: boolean
          json?: boolean
        }
      ) => {
        await withRuntime(async (runtime) => {
          const { validateCreateTenant } = await import('#core/tenancy/validators')
          const input = await validateCreateTenant({
            slug,
            name: options.name,
            plan: options.plan,
            admin_email: options.adminEmail,
            settings: parseSettings(options.setting ?? {}),
            plugins: options.plugins,
          })
          const tenancy = await tenancyOf(runtime)
          const created = await tenancy.create(input, cliActor())
          await report(tenancy, created, options)
        })
      }
    )

  tenant
    .command('retry <slug>')
    .description('queue provisioning again for a failed tenant, or one whose run crashed')
    .option('--wait', 'provision in this process and return when the tenant is active or failed')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { wait?: boolean; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const tenancy = await tenancyOf(runtime)
        await report(tenancy, await tenancy.retry(slug, cliActor()), options)
      })
    })
}
