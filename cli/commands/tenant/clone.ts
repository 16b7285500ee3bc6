import type { Command } from 'commander'
import { cliActor } from '../../actor.js'
import { printJson } from '../../output.js'
import { withRuntime } from '../../runtime.js'

export function registerTenantClone(tenant: Command) {
  tenant
    .command('clone <source> <new-slug>')
    .description(
      "a new tenant with a copy of another's data and files (a backup restored under the new slug; the source keeps serving)"
    )
    .option('--no-files', "leave the source's files out")
    .option('--json', 'print JSON')
    .action(
      async (source: string, newSlug: string, options: { files: boolean; json?: boolean }) => {
        await withRuntime(async (runtime) => {
          await runtime.app.container.make('oryne.plugins')
          const tenancy = await runtime.app.container.make('oryne.tenancy')
          const { cloneTenant } = await import('#core/backup/clone')
          const { credentialsSummary } = await import('#core/backup/credentials')
          const cloned = await cloneTenant(tenancy, source, newSlug, {
            actor: cliActor(),
            files: options.files,
          })
          if (options.json) return printJson({ ok: true, ...cloned })
          process.stdout.write(
            `Tenant ${cloned.tenant} cloned from ${cloned.source.tenant}: ${cloned.tables} tables, ${cloned.rows} rows, ${cloned.files} files.\n` +
              `${credentialsSummary(cloned.credentials)}\n`
          )
        })
      }
    )
}
