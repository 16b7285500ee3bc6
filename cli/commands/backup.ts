import { resolve } from 'node:path'
import type { Command } from 'commander'
import { cliActor } from '../actor.js'
import { confirmed, confirmedByFlag, confirmationOption, type Confirmation } from '../confirm.js'
import { interactive, printJson, printTable } from '../output.js'
import { withRuntime, type Runtime } from '../runtime.js'

async function tenancyWithPlugins(runtime: Runtime) {
  // The plugin host installs itself into tenancy when made.
  await runtime.app.container.make('oryne.plugins')
  return runtime.app.container.make('oryne.tenancy')
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`

export function registerBackup(program: Command) {
  const backup = program
    .command('backup')
    .description('per-tenant backups: create, restore, verify, list')

  backup
    .command('create <slug>')
    .description(
      'archive one tenant: every table in one consistent snapshot, its files, and a manifest (versions, ledger, row counts, sha256)'
    )
    .option(
      '-o, --out <file>',
      'where to write the archive (default: <backup dir>/<tenant id>/<slug>-<time>.tar.gz)'
    )
    .option('--no-files', "leave the tenant's files out")
    .option(
      '--encrypt',
      'encrypt with AES-256-GCM (key: ORYNE_BACKUP_KEY, else derived from APP_KEY)'
    )
    .option('--reason <reason>', 'recorded with the backup', 'manual')
    .option('--json', 'print JSON')
    .action(
      async (
        slug: string,
        options: { out?: string; files: boolean; encrypt?: boolean; reason: string; json?: boolean }
      ) => {
        await withRuntime(async (runtime) => {
          const tenancy = await tenancyWithPlugins(runtime)
          const { createTenantBackup } = await import('#core/backup/create')
          const tenant = await tenancy.registry.findOrFail(slug)
          const created = await createTenantBackup(tenant, {
            reason: options.reason,
            actor: cliActor(),
            out: options.out ? resolve(options.out) : undefined,
            files: options.files,
            encrypt: options.encrypt,
          })
          if (options.json) return printJson({ ok: true, ...created })
          process.stdout.write(
            `Backup of ${created.tenant}: ${created.path}\n` +
              `  ${created.tables} tables, ${created.rows} rows, ${created.files} files, ${megabytes(created.size)}` +
              `${created.encrypted ? ', encrypted' : ''}; sha256 ${created.sha256}\n`
          )
        })
      }
    )

  const restore = backup
    .command('restore <file>')
    .description(
      'rebuild a tenant from an archive (temporary schema, swapped in at the end): into a new tenant with --as, or replacing the archived one'
    )
    .option('--as <slug>', 'restore into a new tenant with this slug (the original keeps serving)')
  confirmationOption(restore, 'replace the existing tenant with the archive slug', '--force')
    .option('--json', 'print JSON')
    .action(async (file: string, options: Confirmation & { as?: string; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const tenancy = await tenancyWithPlugins(runtime)
        const { readManifest, restoreTenantBackup } = await import('#core/backup/restore')
        const { credentialsSummary } = await import('#core/backup/credentials')
        const path = resolve(file)
        let force = confirmedByFlag(options)
        if (!force && !options.as && interactive()) {
          // Asked only when a live tenant would be replaced.
          const manifest = await readManifest(path)
          const slug = manifest.tenant.slug
          if (await tenancy.registry.find(slug)) {
            force = await confirmed(options, {
              message: `Restoring replaces the schema and files of "${slug}" with the archive's.`,
              expected: slug,
            })
          }
        }
        const restored = await restoreTenantBackup(tenancy, path, {
          as: options.as,
          force,
          actor: cliActor(),
        })
        if (options.json) return printJson({ ok: true, ...restored })
        process.stdout.write(
          `Tenant ${restored.tenant} ${restored.mode} from the backup of ${restored.source.tenant} taken ${restored.source.created_at}:\n` +
            `  ${restored.tables} tables, ${restored.rows} rows, ${restored.files} files.\n` +
            `${credentialsSummary(restored.credentials)}\n` +
            'Run `oryne migrate` to bring it to the installed versions if it was taken on older ones.\n'
        )
      })
    })

  backup
    .command('verify <file>')
    .description(
      'check an archive without restoring: integrity (sha256 and row counts of every entry) and compatibility with this installation'
    )
    .option('--json', 'print JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const tenancy = await tenancyWithPlugins(runtime)
        const { verifyBackup } = await import('#core/backup/restore')
        const verified = await verifyBackup(tenancy, resolve(file))
        if (options.json) return printJson(verified)
        process.stdout.write(
          `OK: backup of ${verified.tenant} taken ${verified.created_at} by Oryne ${verified.oryne_version}` +
            ` (${verified.plugins.join(', ') || 'no plugins'}): ${verified.tables} tables, ${verified.rows} rows, ${verified.files} files; restorable here.\n`
        )
      })
    })

  backup
    .command('list <slug>')
    .description("a tenant's archives, newest first")
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { json?: boolean }) => {
      await withRuntime(async () => {
        const { listBackups } = await import('#core/backup/catalog')
        const backups = await listBackups(slug)
        if (options.json) return printJson(backups)
        printTable(
          ['created', 'reason', 'rows', 'files', 'size', 'path'],
          backups.map((b) => [
            new Date(b.created_at).toISOString(),
            b.reason,
            b.summary.rows,
            b.with_files ? b.summary.files : 'left out',
            megabytes(b.size_bytes),
            b.present ? b.path : `${b.path} (missing)`,
          ])
        )
      })
    })
}
