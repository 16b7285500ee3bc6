import type { Command } from 'commander'
import { printJson, printTable } from '../output.js'
import { withRuntime } from '../runtime.js'

export function registerMigrate(program: Command) {
  const migrate = program
    .command('migrate')
    .description("apply pending platform migrations (public schema), then each tenant schema's")
    .option('--json', 'print a JSON summary')
    .action(async (options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const { runPlatformMigrations } = await import('#core/database/platform_migrations')
        const applied = await runPlatformMigrations(runtime.app)
        const tenancy = await runtime.app.container.make('oryne.tenancy')
        const tenants = await tenancy.migrateAll()
        const migratedTenants = tenants.filter((tenant) => tenant.applied.length)
        if (options.json) printJson({ ok: true, platform: { applied }, tenants })
        else {
          process.stdout.write(
            applied.length
              ? `Platform: applied ${applied.join(', ')}\n`
              : 'Platform schema is up to date.\n'
          )
          process.stdout.write(
            migratedTenants.length
              ? migratedTenants
                  .map((t) => `Tenant ${t.slug}: applied ${t.applied.join(', ')}\n`)
                  .join('')
              : `${tenants.length} tenant schema(s) up to date.\n`
          )
        }
      })
    })

  migrate
    .command('status')
    .description('list platform migrations and whether each has run')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const { platformMigrationStatus } = await import('#core/database/platform_migrations')
        const list = await platformMigrationStatus(runtime.app)
        if (options.json)
          printJson({ platform: list, pending: list.filter((m) => m.status === 'pending').length })
        else
          printTable(
            ['migration', 'status', 'batch'],
            list.map((m) => [m.name, m.status, m.batch])
          )
      })
    })
}
