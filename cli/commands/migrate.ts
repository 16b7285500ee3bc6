import { InvalidArgumentError, type Command } from 'commander'
import type { FleetMigrateResult, TenantOutcome } from '#core/fleet/fleet_migrator'
import { cliActor } from '../actor.js'
import { errorBody, interactive, printJson, printTable } from '../output.js'
import { withRuntime, type Runtime } from '../runtime.js'

/** Parses a whole number in [min, max]; anything else is a usage error (exit 2). */
export function wholeNumber(min: number, max: number) {
  return (value: string) => {
    const number = Number(value)
    if (!/^\d+$/.test(value) || number < min || number > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`)
    }
    return number
  }
}

async function fleetServices(runtime: Runtime) {
  // The plugin host installs itself into tenancy when made.
  await runtime.app.container.make('oryne.plugins')
  return runtime.app.container.make('oryne.tenancy')
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

function outcomeLine(outcome: TenantOutcome) {
  switch (outcome.status) {
    case 'migrated':
      return `  ${outcome.tenant}: applied ${outcome.applied.join(', ')}`
    case 'pending':
      return `  ${outcome.tenant}: would apply ${outcome.pending!.join(', ')}`
    case 'not_started':
      return `  ${outcome.tenant}: not started`
    default:
      return (
        `  ${outcome.tenant}: ${outcome.status.toUpperCase()} ${outcome.error?.message ?? ''}` +
        (outcome.applied.length ? ` (committed before: ${outcome.applied.join(', ')})` : '')
      )
  }
}

function printHuman(
  platform: { applied?: string[]; pending?: string[] },
  result: FleetMigrateResult
) {
  const lines: string[] = []
  if (platform.pending)
    lines.push(
      platform.pending.length
        ? `Platform: would apply ${platform.pending.join(', ')}`
        : 'Platform schema is up to date.'
    )
  else
    lines.push(
      platform.applied!.length
        ? `Platform: applied ${platform.applied!.join(', ')}`
        : 'Platform schema is up to date.'
    )
  if (result.resumed.length)
    lines.push(`Resuming after interrupted run(s) ${result.resumed.join(', ')}.`)
  const c = result.counts
  lines.push(
    result.dry_run
      ? `Tenants: ${c.tenants}; ${c.pending} with pending migrations, ${c.up_to_date} up to date (dry run: nothing changed).`
      : `Tenants: ${c.tenants} in ${seconds(result.duration_ms)}; ${c.migrated} migrated, ${c.up_to_date} up to date` +
          ` (${c.skipped_by_fingerprint} by fingerprint), ${c.failed} failed, ${c.locked} locked, ${c.not_started} not started.`
  )
  lines.push(...result.tenants.map(outcomeLine))
  if (result.stopped_early)
    lines.push('Stopped at the first failure: pass --skip-failing to carry on past failed tenants.')
  process.stdout.write(lines.join('\n') + '\n')
}

export function registerMigrate(program: Command) {
  const migrate = program
    .command('migrate')
    .description(
      "apply pending platform migrations, then every tenant's pending core and plugin migrations (bounded concurrency, resumable)"
    )
    .option('-t, --tenant <slugs...>', 'only these tenants')
    .option('-p, --plugin <name>', 'only the migrations of this plugin ("core" for core’s)')
    .option('-c, --concurrency <n>', 'tenants migrated at once', wholeNumber(1, 64), 4)
    .option('--dry-run', 'list what would run per tenant; change nothing')
    .option('--skip-failing', 'carry on after a failed tenant (default: start no new work)')
    .option('--full', 'read every tenant’s ledger, ignoring the recorded fingerprints')
    .option(
      '--lock-wait <ms>',
      'how long to wait for a tenant locked by another process',
      wholeNumber(0, 600_000),
      2000
    )
    .option('--json', 'print one JSON summary')
    // `migrate status --tenant x`: options after a subcommand are the subcommand's.
    .enablePositionalOptions()
    .action(
      async (options: {
        tenant?: string[]
        plugin?: string
        concurrency: number
        dryRun?: boolean
        skipFailing?: boolean
        full?: boolean
        lockWait: number
        json?: boolean
      }) => {
        await withRuntime(async (runtime) => {
          const { runPlatformMigrations, platformMigrationStatus } =
            await import('#core/database/platform_migrations')
          const { FleetMigrator, fleetFailure } = await import('#core/fleet/fleet_migrator')
          const platformList = options.dryRun ? await platformMigrationStatus(runtime.app) : []
          const platform = options.dryRun
            ? { pending: platformList.filter((m) => m.status === 'pending').map((m) => m.name) }
            : { applied: await runPlatformMigrations(runtime.app) }
          const fleet = new FleetMigrator(await fleetServices(runtime))

          const showBar = interactive() && !options.json
          const { SingleBar, Presets } = await import('cli-progress')
          const bar = showBar
            ? new SingleBar(
                {
                  format:
                    'Tenants {bar} {value}/{total} | {migrated} migrated, {failed} failed | ETA {eta_formatted}',
                  stream: process.stderr,
                  hideCursor: true,
                  etaBuffer: 100,
                },
                Presets.shades_classic
              )
            : null
          let barStarted = false
          const result = await fleet
            .run({
              tenants: options.tenant,
              plugin: options.plugin,
              concurrency: options.concurrency,
              dryRun: options.dryRun,
              skipFailing: options.skipFailing,
              full: options.full,
              lockWaitMs: options.lockWait,
              actor: cliActor(),
              onProgress: (progress) => {
                if (!bar) return
                if (!barStarted) {
                  bar.start(progress.total, 0, { migrated: 0, failed: 0 })
                  barStarted = true
                }
                bar.update(progress.done, { migrated: progress.migrated, failed: progress.failed })
              },
            })
            .finally(() => barStarted && bar?.stop())

          const failure = result.ok ? null : fleetFailure(result)
          if (options.json) {
            printJson({
              ...result,
              platform,
              error: failure ? { ...errorBody(failure), details: undefined } : null,
            })
            if (failure) process.exitCode = 1
            return
          }
          printHuman(platform, result)
          if (failure) {
            failure.details = undefined
            throw failure
          }
        })
      }
    )

  migrate
    .command('status')
    .description(
      'platform migrations, and how many tenants are up to date (fingerprints; one query); with --tenant, its migrations per owner'
    )
    .option('-t, --tenant <slug>', 'one tenant: applied and pending migrations per owner')
    .option('--json', 'print JSON')
    .action(async (options: { tenant?: string; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const tenancy = await fleetServices(runtime)
        const { fleetStatus, tenantMigrationStatus } = await import('#core/fleet/status')
        if (options.tenant) {
          const status = await tenantMigrationStatus(tenancy, options.tenant)
          if (options.json) return printJson(status)
          printTable(
            ['owner', 'applied', 'pending'],
            status.owners.map((o) => [
              o.owner,
              o.applied.map((m) => m.name).join('\n'),
              o.pending.join('\n'),
            ])
          )
          process.stdout.write(
            status.up_to_date ? 'Up to date.\n' : 'Pending migrations: run `oryne migrate`.\n'
          )
          return
        }
        const { platformMigrationStatus } = await import('#core/database/platform_migrations')
        const list = await platformMigrationStatus(runtime.app)
        const pending = list.filter((m) => m.status === 'pending').length
        const fleet = await fleetStatus(tenancy)
        if (options.json) return printJson({ platform: list, pending, fleet })
        printTable(
          ['migration', 'status', 'batch'],
          list.map((m) => [m.name, m.status, m.batch])
        )
        const run = fleet.last_run
        process.stdout.write(
          [
            `Tenants: ${fleet.tenants}; ${fleet.up_to_date} up to date, ${fleet.to_check} to migrate or check, ${fleet.failed.length} failed in their last run.`,
            ...fleet.failed.map((f) => `  ${f.tenant}: ${f.error?.message}`),
            run
              ? `Last run ${run.id} (${run.actor}): ${run.status}, started ${new Date(run.started_at).toISOString()}`
              : 'No `oryne migrate` run recorded yet.',
          ].join('\n') + '\n'
        )
      })
    })

  migrate
    .command('rollback')
    .description(
      'undo the last migration(s) of one plugin in one tenant, in one transaction (each needs a down step)'
    )
    .requiredOption('-t, --tenant <slug>', 'the tenant')
    .requiredOption('-p, --plugin <name>', 'the plugin ("core" for core’s migrations)')
    .option('--steps <n>', 'how many migrations to undo, newest first', wholeNumber(1, 1000), 1)
    .option('--json', 'print JSON')
    .action(async (options: { tenant: string; plugin: string; steps: number; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const tenancy = await fleetServices(runtime)
        const { rollbackTenant } = await import('#core/fleet/rollback')
        const result = await rollbackTenant(tenancy, {
          tenant: options.tenant,
          owner: options.plugin,
          steps: options.steps,
          actor: cliActor(),
        })
        if (options.json) return printJson({ ok: true, ...result })
        process.stdout.write(
          `Rolled back in ${result.tenant}: ${result.rolled_back.join(', ')}\n` +
            'The installed plugin still ships them: `oryne migrate` would apply them again.\n'
        )
      })
    })
}
