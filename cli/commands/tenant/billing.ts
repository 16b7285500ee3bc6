import type { Command } from 'commander'
import { cliActor } from '../../actor.js'
import { printJson } from '../../output.js'
import { withRuntime } from '../../runtime.js'
import { describeTenant, money, printInvoices, tenancyOf, when } from './present.js'

export function registerTenantBilling(tenant: Command) {
  const invoice = tenant.command('invoice').description('a tenant’s invoices and payments')

  invoice
    .command('list <slug>')
    .description('the tenant’s invoices, oldest first')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const tenancy = await tenancyOf(runtime)
        const invoices = await tenancy.billing.invoices(await tenancy.registry.findOrFail(slug))
        if (options.json) printJson(invoices)
        else printInvoices(invoices)
      })
    })

  invoice
    .command('add <slug>')
    .description('record an invoice for a billing period')
    .requiredOption('--amount <minor>', 'amount in minor units (cents), an integer')
    .requiredOption('--currency <code>', 'ISO 4217 currency code, e.g. KES')
    .requiredOption('--period-start <date>', 'first day billed, YYYY-MM-DD')
    .requiredOption('--period-end <date>', 'last day billed, YYYY-MM-DD')
    .option('--due-on <date>', 'due date, YYYY-MM-DD (default: the period start)')
    .option('--number <number>', 'invoice number (default: <SLUG>-<sequence>)')
    .option('--json', 'print JSON')
    .action(
      async (
        slug: string,
        options: {
          amount: string
          currency: string
          periodStart: string
          periodEnd: string
          dueOn?: string
          number?: string
          json?: boolean
        }
      ) => {
        await withRuntime(async (runtime) => {
          const { invoiceValidator } = await import('#core/tenancy/validators')
          const input = await invoiceValidator.validate({
            number: options.number,
            amount_minor: options.amount,
            currency: options.currency,
            period_start: options.periodStart,
            period_end: options.periodEnd,
            due_on: options.dueOn,
          })
          const tenancy = await tenancyOf(runtime)
          const found = await tenancy.registry.findOrFail(slug)
          const recorded = await tenancy.billing.recordInvoice(found, input, cliActor())
          if (options.json) printJson(recorded)
          else
            process.stdout.write(
              `Invoice ${recorded.number} recorded for "${found.slug}": ${money(recorded.amount_minor, recorded.currency)}, ${recorded.period_start} – ${recorded.period_end}, due ${recorded.due_on}.\n`
            )
        })
      }
    )

  invoice
    .command('pay <slug> <number>')
    .description('mark an invoice paid: extends paid_until, resumes a tenant suspended for billing')
    .option('--reference <reference>', 'payment reference (bank transfer, receipt, ...)')
    .option('--json', 'print JSON')
    .action(
      async (slug: string, number: string, options: { reference?: string; json?: boolean }) => {
        await withRuntime(async (runtime) => {
          const { paymentValidator } = await import('#core/tenancy/validators')
          const { reference } = await paymentValidator.validate({ reference: options.reference })
          const tenancy = await tenancyOf(runtime)
          const found = await tenancy.registry.findOrFail(slug)
          const paid = await tenancy.billing.pay(found, number, { reference }, cliActor())
          if (options.json) {
            printJson({ invoice: paid.invoice, tenant: await describeTenant(tenancy, paid.tenant) })
          } else {
            process.stdout.write(
              `Invoice ${paid.invoice.number} paid. "${paid.tenant.slug}" is ${paid.tenant.status}, paid until ${when(paid.tenant.paid_until)}.\n`
            )
          }
        })
      }
    )

  tenant
    .command('billing-sweep')
    .description('run the daily billing sweep now: warn tenants due soon, suspend overdue ones')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const tenancy = await tenancyOf(runtime)
        const result = await tenancy.billing.sweep()
        if (options.json) printJson(result)
        else {
          const list = (slugs: string[]) => (slugs.length ? slugs.join(', ') : 'none')
          process.stdout.write(
            `Warned: ${list(result.warned)}\nSuspended: ${list(result.suspended)}\n`
          )
        }
      })
    })
}
