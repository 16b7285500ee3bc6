import type { Command } from 'commander'
import { closeOnSignal, openRuntime } from '../runtime.js'
import { cliActor } from '../actor.js'

export function registerUp(program: Command) {
  program
    .command('up')
    .description(
      'run Oryne on its embedded default: start PostgreSQL and Redis when not configured, migrate, serve HTTP and process jobs in one process'
    )
    .option('-p, --port <port>', 'port to listen on (default: PORT or 3333)')
    .option('--host <host>', 'address to bind (default: HOST or 0.0.0.0)')
    .action(async (options: { port?: string; host?: string }) => {
      if (options.port) process.env.PORT = options.port
      if (options.host) process.env.HOST = options.host
      const started = Date.now()
      const runtime = await openRuntime('web')
      const stopped = closeOnSignal(runtime)
      try {
        const { runPlatformMigrations } = await import('#core/database/platform_migrations')
        const migrated = await runPlatformMigrations(runtime.app)
        const tenancy = await runtime.app.container.make('oryne.tenancy')
        const tenantMigrations = await tenancy.migrateAll()
        const jobs = await runtime.app.container.make('oryne.jobs')
        const { startBackgroundWork } = await import('#core/jobs/background')
        await startBackgroundWork(jobs)
        const { ensureDemoTenant } = await import('#core/tenancy/demo')
        const demo = await ensureDemoTenant(tenancy, cliActor())
        // The demo school: ERP and LMS with sample data (seeded once; later runs find it seeded).
        const { seedDemo } = await import('#core/plugins/demo')
        const demoData =
          demo.tenant.status === 'active'
            ? await seedDemo(await runtime.app.container.make('oryne.plugins'), demo.tenant, {
                actor: cliActor(),
              })
            : null
        // node:http is imported here: importing it loads undici, which no other command needs.
        const { listen } = await import('#core/http/listen')
        const http = await listen(runtime.app, {
          host: process.env.HOST!,
          port: Number(process.env.PORT),
        })
        const { services } = runtime
        const lines = [
          `Oryne is up in ${((Date.now() - started) / 1000).toFixed(1)} s`,
          `  Web app    ${http.url}/app/?school=${demo.tenant.slug} (students, teachers, parents, staff)`,
          `  Console    ${http.url}/console (school and platform administrators)`,
          `  API        ${http.url}/api/v1`,
          `  Health     ${http.url}/health/ready`,
          `  Metrics    ${http.url}/metrics`,
          // The URLs of services started here, for psql, redis-cli and the like; configured ones stay unprinted (credentials).
          `  PostgreSQL ${services.database === 'embedded' ? `${services.databaseUrl} (embedded, storage/postgres)` : 'DATABASE_URL'}`,
          `  Redis      ${services.redis === 'embedded' ? `${services.redisUrl} (redis-server, storage/redis)` : services.redis === 'inline' ? 'none: jobs run inline' : 'REDIS_URL'}`,
          `  Migrations ${migrated.length ? `${migrated.length} applied` : 'up to date'}; ${tenantMigrations.filter((t) => t.applied.length).length} of ${tenantMigrations.length} tenant schema(s) migrated`,
          `  Platform API token ${process.env.ORYNE_PLATFORM_TOKEN} (Authorization: Bearer ...)`,
          `  Demo tenant ${demo.tenant.slug} (${demo.tenant.status}${demo.created ? ', created now' : ''}): send X-Tenant-ID: ${demo.tenant.slug}`,
          `    try  curl -H 'X-Tenant-ID: ${demo.tenant.slug}' ${http.url}/api/v1/tenant`,
          demo.tenant.status !== 'active'
            ? `    not active: \`oryne tenant show ${demo.tenant.slug}\``
            : demo.inviteToken
              ? `    admin ${demo.tenant.admin_email}, invite token ${demo.inviteToken} (POST /api/v1/auth/invite/accept)`
              : `    admin ${demo.tenant.admin_email}: no invite pending (accepted already); sign in with POST /api/v1/auth/login`,
          ...(demoData
            ? [
                `    plugins ${[...demoData.seeded, ...demoData.skipped.map((s) => s.plugin)].join(', ') || 'none'}; sign in with ${demoData.accounts.map((a) => a.email).join(', ')} (password ${demoData.accounts[0]?.password ?? '-'})`,
              ]
            : []),
          'Press Ctrl+C to stop.',
        ]
        process.stdout.write(lines.join('\n') + '\n')
      } catch (error) {
        await runtime.close()
        throw error
      }
      await stopped
    })
}
