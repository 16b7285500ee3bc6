import type { Invoice } from '#core/tenancy/billing'
import type { TenancyService } from '#core/tenancy/tenancy_service'
import type { Tenant } from '#core/tenancy/types'
import { serializeTenant } from '#core/tenancy/serialize'
import type { Runtime } from '../../runtime.js'
import { printJson, printTable } from '../../output.js'

/** The tenancy service of a booted runtime. */
export function tenancyOf(runtime: Runtime) {
  return runtime.app.container.make('oryne.tenancy')
}

/**
 * A tenant as `oryne tenant show --json` prints it, as the platform API's show
 * does: its plugins are the installed ones (enabled or disabled), with versions.
 */
export async function describeTenant(tenancy: TenancyService, tenant: Tenant) {
  const [domains, history, states] = await Promise.all([
    tenancy.registry.domains(tenant.id),
    tenancy.registry.history(tenant.id),
    tenancy.plugins.forTenant(tenant),
  ])
  const plugins = states.filter((plugin) => plugin.status !== 'not_installed')
  return { ...serializeTenant(tenant), domains, plugins, history }
}

export type TenantDescription = Awaited<ReturnType<typeof describeTenant>>

export function when(value: Date | string | null | undefined) {
  return value instanceof Date ? value.toISOString() : (value ?? '')
}

/** Amounts are stored in minor units; people read them in the currency's own units. */
export function money(amountMinor: number, currency: string) {
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency })
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2
    return format.format(amountMinor / 10 ** digits)
  } catch {
    return `${amountMinor} ${currency} (minor units)`
  }
}

function provisioningSummary(state: Tenant['provisioning']) {
  if (state.error) return `failed at ${state.step}: ${state.error}`
  if (state.step === 'done') return `done (${state.method}, ${state.duration_ms} ms)`
  return state.step ?? 'queued'
}

/** One tenant: JSON for scripts, a field/value table for people. */
export function printTenant(
  tenant: TenantDescription & { admin_invite_token?: string },
  json: boolean
) {
  if (json) return printJson(tenant)
  printTable(
    ['field', 'value'],
    [
      ['slug', tenant.slug],
      ['name', tenant.name],
      ['status', tenant.status],
      ['plan', tenant.plan],
      ['paid until', when(tenant.paid_until)],
      ['admin email', tenant.admin_email],
      ...(tenant.admin_invite_token ? [['admin invite token', tenant.admin_invite_token]] : []),
      ['schema', tenant.schema],
      ['domains', tenant.domains.join('\n')],
      [
        'plugins',
        tenant.plugins
          .map((plugin) => `${plugin.name} ${plugin.version} (${plugin.status})`)
          .join('\n'),
      ],
      [
        'settings',
        Object.entries(tenant.settings)
          .map(([key, value]) => `${key}=${value}`)
          .join('\n'),
      ],
      ['provisioning', provisioningSummary(tenant.provisioning)],
      ['created', when(tenant.created_at)],
      ['updated', when(tenant.updated_at)],
    ]
  )
}

export function printInvoices(invoices: Invoice[]) {
  printTable(
    ['number', 'amount', 'period', 'due', 'status', 'paid at', 'reference'],
    invoices.map((invoice) => [
      invoice.number,
      money(invoice.amount_minor, invoice.currency),
      `${invoice.period_start} – ${invoice.period_end}`,
      invoice.due_on,
      invoice.status,
      when(invoice.paid_at),
      invoice.payment_reference,
    ])
  )
}
