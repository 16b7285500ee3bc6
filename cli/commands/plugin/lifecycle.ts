import type { Command } from 'commander'
import { cliActor } from '../../actor.js'
import { confirmed, confirmationOption, type Confirmation } from '../../confirm.js'
import { errorBody, EXIT, printJson, printTable } from '../../output.js'
import { withRuntime, type Runtime } from '../../runtime.js'

const collect = (value: string, previous: string[] = []) => [...previous, value]

async function services(runtime: Runtime) {
  return {
    plugins: await runtime.app.container.make('oryne.plugins'),
    tenancy: await runtime.app.container.make('oryne.tenancy'),
  }
}

/** `list`, `enable`, `disable`, `settings`, `uninstall`: the same operations as the HTTP API. */
export function registerPluginLifecycle(plugin: Command) {
  plugin
    .command('list')
    .description(
      'installed plugins (available or not, with reasons); with --tenant, their state there'
    )
    .option('-t, --tenant <slug>', 'show the state for this tenant')
    .option('--json', 'print JSON')
    .action(async (options: { tenant?: string; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const { plugins, tenancy } = await services(runtime)
        const { serializeCatalogEntry } = await import('#core/plugins/serialize')
        if (options.tenant) {
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
      'enable plugins for a tenant (or every active tenant): dependencies first, migrations in one transaction, no restart'
    )
    .option('-t, --tenant <slug>', 'the tenant')
    .option('--all-tenants', 'every active tenant, one transaction each')
    .option('--no-deps', 'refuse (listing them) instead of enabling missing dependencies')
    .option('--json', 'print JSON')
    .action(
      async (
        names: string[],
        options: { tenant?: string; allTenants?: boolean; deps: boolean; json?: boolean },
        command: Command
      ) => {
        if (Boolean(options.tenant) === Boolean(options.allTenants))
          command.error('error: give either --tenant <slug> or --all-tenants', {
            exitCode: EXIT.usage,
          })
        await withRuntime(async (runtime) => {
          const { plugins, tenancy } = await services(runtime)
          const settings = { actor: cliActor(), withDependencies: options.deps }
          if (options.allTenants) {
            const outcomes = await plugins.enableForAllTenants(names, settings)
            const failed = outcomes.filter((o) => o.error)
            if (failed.length) process.exitCode = EXIT.failed
            const rows = outcomes.map((o) => ({
              tenant: o.tenant,
              enabled: o.error ? undefined : o.enabled,
              error: o.error ? errorBody(o.error) : undefined,
            }))
            if (options.json) return printJson({ ok: !failed.length, tenants: rows })
            return printTable(
              ['tenant', 'enabled now', 'error'],
              rows.map((r) => [
                r.tenant,
                r.enabled?.join(', ') || (r.error ? '' : 'already enabled'),
                r.error ? `${r.error.code}: ${r.error.message}` : '',
              ])
            )
          }
          const tenant = await tenancy.registry.findOrFail(options.tenant!)
          const enabled = await plugins.enable(tenant, names, settings)
          if (options.json) return printJson({ ok: true, tenant: tenant.slug, enabled })
          process.stdout.write(
            enabled.length
              ? `Enabled for ${tenant.slug}: ${enabled.join(', ')}\n`
              : `Already enabled for ${tenant.slug}: ${names.join(', ')}\n`
          )
        })
      }
    )

  plugin
    .command('disable <name>')
    .description('disable a plugin for a tenant; its data is kept')
    .requiredOption('-t, --tenant <slug>', 'the tenant')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { tenant: string; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const { plugins, tenancy } = await services(runtime)
        const tenant = await tenancy.registry.findOrFail(options.tenant)
        await plugins.disable(tenant, name, { actor: cliActor() })
        if (options.json) return printJson({ ok: true, tenant: tenant.slug, disabled: name })
        process.stdout.write(`Disabled ${name} for ${tenant.slug}; its data is kept.\n`)
      })
    })

  plugin
    .command('settings <name>')
    .description(
      "show a plugin's settings for a tenant, or change them (validated against its schema)"
    )
    .requiredOption('-t, --tenant <slug>', 'the tenant')
    .option('--set <key=value>', 'a setting to change (repeatable)', collect)
    .option('--json', 'print JSON')
    .action(async (name: string, options: { tenant: string; set?: string[]; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const { plugins, tenancy } = await services(runtime)
        const { parseAssignments } = await import('#core/plugins/settings')
        const tenant = await tenancy.registry.findOrFail(options.tenant)
        const view = options.set?.length
          ? await plugins.updateSettings(tenant, name, parseAssignments(options.set), {
              actor: cliActor(),
            })
          : await plugins.settingsView(tenant, name)
        if (options.json) return printJson(view)
        const set = view.set as Record<string, unknown>
        printTable(
          ['setting', 'value', 'default'],
          Object.entries(view.values).map(([key, value]) => [
            key,
            JSON.stringify(value),
            Object.hasOwn(set, key) ? JSON.stringify((view.defaults as any)[key]) : '(default)',
          ])
        )
      })
    })

  const uninstall = plugin
    .command('uninstall <name>')
    .description(
      "remove a plugin from a tenant for good: back up the tenant, then drop the plugin's tables (needs --yes, or typing the plugin name at a terminal)"
    )
    .requiredOption('-t, --tenant <slug>', 'the tenant')
  confirmationOption(uninstall, "drop the plugin's tables and rows", '--purge')
    .option('--dry-run', 'only show the tables and row counts that would be dropped')
    .option('--json', 'print JSON')
    .action(
      async (
        name: string,
        options: Confirmation & { tenant: string; dryRun?: boolean; json?: boolean }
      ) => {
        if (!options.dryRun) {
          const dropConfirmed = await confirmed(options, {
            message: `Uninstalling ${name} from ${options.tenant} drops its tables and every row in them (after a backup).`,
            expected: name,
          })
          if (!dropConfirmed) {
            const { E_CONFIRMATION_REQUIRED } = await import('#core/errors')
            throw new E_CONFIRMATION_REQUIRED([`Uninstalling ${name} drops its data`], {
              hint: 'Pass --yes, or type the plugin name at the prompt of a terminal; --dry-run shows what would be dropped.',
            })
          }
        }
        await withRuntime(async (runtime) => {
          const { plugins, tenancy } = await services(runtime)
          const tenant = await tenancy.registry.findOrFail(options.tenant)
          if (options.dryRun) {
            const plan = await plugins.uninstallPlan(tenant, name)
            if (options.json) return printJson({ ok: true, dry_run: true, ...plan })
            process.stdout.write(
              `Uninstalling ${name} from ${tenant.slug} would drop ${plan.views.length} view(s) and ${plan.tables.length} table(s):\n`
            )
            return printTable(
              ['relation', 'kind', 'rows'],
              [
                ...plan.views.map((v) => [
                  v.view,
                  v.materialized ? 'materialized view' : 'view',
                  '',
                ]),
                ...plan.tables.map((t) => [t.table, 'table', t.rows]),
              ]
            )
          }
          const { backupTenant } = await import('#core/plugins/backup')
          const result = await plugins.uninstall(tenant, name, {
            actor: cliActor(),
            beforeDrop: () => backupTenant(tenant, `before uninstalling plugin ${name}`),
          })
          if (options.json) return printJson({ ok: true, dry_run: false, ...result })
          const rows = result.tables.reduce((sum, t) => sum + t.rows, 0)
          process.stdout.write(
            result.installed
              ? `Uninstalled ${name} from ${tenant.slug}: dropped ${result.tables.length} table(s), ${rows} row(s), after a backup.\n`
              : `${name} is not installed for ${tenant.slug}; nothing to drop.\n`
          )
        })
      }
    )
}
