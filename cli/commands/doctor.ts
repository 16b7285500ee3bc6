import type { Command } from 'commander'
import { EXIT, printJson, printTable } from '../output.js'
import { withRuntime } from '../runtime.js'

export function registerDoctor(program: Command) {
  program
    .command('doctor')
    .description(
      'check Node, PostgreSQL, Redis, storage, migrations and plugins; exit 1 when a required check fails (a plugin a tenant enabled that cannot load is one)'
    )
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const checks = await withRuntime(async (runtime) => {
        const { runDoctor } = await import('#core/health/doctor')
        const { APP_ROOT } = await import('#core/runtime/ignite')
        const { storageDir } = await import('#core/runtime/environment')
        return runDoctor(runtime.app, runtime.services, storageDir(APP_ROOT))
      })
      const ok = checks.every((check) => !check.required || check.status !== 'fail')
      if (options.json) printJson({ ok, checks })
      else {
        printTable(
          ['check', 'status', 'detail'],
          checks.map((c) => [
            c.name,
            c.status === 'ok' ? 'ok' : c.status === 'warn' ? 'warning' : 'FAILED',
            c.message,
          ])
        )
        process.stdout.write(ok ? 'All required checks passed.\n' : 'A required check failed.\n')
      }
      if (!ok) process.exitCode = EXIT.failed
    })
}
