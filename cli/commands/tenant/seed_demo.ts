import type { Command } from 'commander'
import { cliActor } from '../../actor.js'
import { printJson } from '../../output.js'
import { withRuntime } from '../../runtime.js'

export function registerTenantSeedDemo(tenant: Command) {
  tenant
    .command('seed-demo <slug>')
    .description(
      "fill a tenant with a realistic small school: enables erp and lms, adds teachers, students and parents, and runs each plugin's demo data (again: nothing changes)"
    )
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const plugins = await runtime.app.container.make('oryne.plugins')
        const tenancy = await runtime.app.container.make('oryne.tenancy')
        const { assertServing } = await import('#core/tenancy/resolver')
        const school = assertServing(await tenancy.registry.findOrFail(slug))
        const { seedDemo } = await import('#core/plugins/demo')
        const result = await seedDemo(plugins, school, { actor: cliActor() })
        if (options.json) return printJson({ ok: true, ...result })
        process.stdout.write(
          [
            `Demo data for ${result.tenant}: seeded ${result.seeded.join(', ') || 'nothing new'}` +
              (result.skipped.length
                ? ` (already seeded: ${result.skipped.map((s) => s.plugin).join(', ')})`
                : ''),
            ...(result.enabled.length ? [`  enabled ${result.enabled.join(', ')}`] : []),
            ...result.accounts.map(
              (account) =>
                `  ${account.role.padEnd(8)} ${account.email}  password ${account.password}`
            ),
          ].join('\n') + '\n'
        )
      })
    })
}
