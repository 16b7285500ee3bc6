import type { Command } from 'commander'
import { cliActor } from '../actor.js'
import { printJson, printTable } from '../output.js'
import { withRuntime } from '../runtime.js'

export function registerPlugin(program: Command) {
  const plugin = program
    .command('plugin')
    .description('installed plugins and their state per tenant')

  plugin
    .command('list')
    .description(
      'installed plugins (available or not, with reasons); with --tenant, their state there'
    )
    .option('-t, --tenant <slug>', 'show the state for this tenant')
    .option('--json', 'print JSON')
    .action(async (options: { tenant?: string; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const plugins = await runtime.app.container.make('oryne.plugins')
        const { serializeCatalogEntry } = await import('#core/plugins/serialize')
        if (options.tenant) {
          const tenancy = await runtime.app.container.make('oryne.tenancy')
          const states = await plugins.forTenant(await tenancy.registry.findOrFail(options.tenant))
          if (options.json) return printJson(states)
          return printTable(
            ['plugin', 'version', 'available', 'status'],
            states.map((s) => [s.name, s.version, s.available ? 'yes' : 'no', s.status])
          )
        }
        const entries = plugins.catalog().map(serializeCatalogEntry)
        if (options.json) return printJson(entries)
        printTable(
          ['plugin', 'version', 'available', 'source / reasons'],
          entries.map((e) => [
            e.name,
            e.version,
            e.available ? 'yes' : 'no',
            e.available ? e.source : (e as { reasons: string[] }).reasons.join('\n'),
          ])
        )
      })
    })

  plugin
    .command('enable <names...>')
    .description(
      'enable plugins for a tenant: dependencies first, migrations in one transaction, no restart'
    )
    .requiredOption('-t, --tenant <slug>', 'the tenant')
    .option('--no-deps', 'refuse (listing them) instead of enabling missing dependencies')
    .option('--json', 'print JSON')
    .action(async (names: string[], options: { tenant: string; deps: boolean; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const plugins = await runtime.app.container.make('oryne.plugins')
        const tenancy = await runtime.app.container.make('oryne.tenancy')
        const tenant = await tenancy.registry.findOrFail(options.tenant)
        const enabled = await plugins.enable(tenant, names, {
          actor: cliActor(),
          withDependencies: options.deps,
        })
        if (options.json) return printJson({ ok: true, tenant: tenant.slug, enabled })
        process.stdout.write(
          enabled.length
            ? `Enabled for ${tenant.slug}: ${enabled.join(', ')}\n`
            : `Already enabled for ${tenant.slug}: ${names.join(', ')}\n`
        )
      })
    })

  plugin
    .command('disable <name>')
    .description('disable a plugin for a tenant; its data is kept')
    .requiredOption('-t, --tenant <slug>', 'the tenant')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { tenant: string; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const plugins = await runtime.app.container.make('oryne.plugins')
        const tenancy = await runtime.app.container.make('oryne.tenancy')
        const tenant = await tenancy.registry.findOrFail(options.tenant)
        await plugins.disable(tenant, name, { actor: cliActor() })
        if (options.json) return printJson({ ok: true, tenant: tenant.slug, disabled: name })
        process.stdout.write(`Disabled ${name} for ${tenant.slug}; its data is kept.\n`)
      })
    })
}
