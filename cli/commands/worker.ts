import type { Command } from 'commander'
import { closeOnSignal, openRuntime } from '../runtime.js'

export function registerWorker(program: Command) {
  program
    .command('worker')
    .description('process queued jobs until stopped (SIGTERM lets running jobs finish)')
    .option('-q, --queue <name...>', 'only these queues (default: every queue)')
    .option('--no-schedules', 'do not declare repeatable jobs (when one `oryne scheduler` does)')
    .action(async (options: { queue?: string[]; schedules: boolean }) => {
      const runtime = await openRuntime('console')
      const stopped = closeOnSignal(runtime)
      const jobs = await runtime.app.container.make('oryne.jobs')
      const { startBackgroundWork } = await import('#core/jobs/background')
      await startBackgroundWork(jobs, options.queue, { schedules: options.schedules })
      const queues = options.queue ?? jobs.queues()
      process.stdout.write(
        `Oryne worker (${jobs.driver.kind}) processing ${queues.length ? queues.join(', ') : 'no queues yet'}\n`
      )
      await stopped
    })
}

/** Re-declares the schedules this often, so tenants enabled while it ran are covered even if a declaration was lost. */
const SCHEDULER_INTERVAL_MS = 10 * 60_000

export function registerScheduler(program: Command) {
  program
    .command('scheduler')
    .description(
      'declare the repeatable jobs (platform and per-tenant plugin schedules) and keep them declared; run one, with workers started with --no-schedules'
    )
    .action(async () => {
      const runtime = await openRuntime('console')
      const stopped = closeOnSignal(runtime)
      const jobs = await runtime.app.container.make('oryne.jobs')
      const { declareSchedules } = await import('#core/jobs/background')
      await declareSchedules(jobs)
      process.stdout.write('Oryne scheduler: repeatable jobs declared\n')
      const timer = setInterval(() => {
        declareSchedules(jobs).catch((error) =>
          process.stderr.write(`Declaring schedules failed: ${error?.message ?? error}\n`)
        )
      }, SCHEDULER_INTERVAL_MS)
      await stopped
      clearInterval(timer)
    })
}
