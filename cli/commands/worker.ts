import type { Command } from 'commander'
import { closeOnSignal, openRuntime } from '../runtime.js'

export function registerWorker(program: Command) {
  program
    .command('worker')
    .description('process queued jobs until stopped (SIGTERM lets running jobs finish)')
    .option('-q, --queue <name...>', 'only these queues (default: every queue)')
    .action(async (options: { queue?: string[] }) => {
      const runtime = await openRuntime('console')
      const stopped = closeOnSignal(runtime)
      const jobs = await runtime.app.container.make('oryne.jobs')
      const { startBackgroundWork } = await import('#core/jobs/background')
      await startBackgroundWork(jobs, options.queue)
      const queues = options.queue ?? jobs.queues()
      process.stdout.write(
        `Oryne worker (${jobs.driver.kind}) processing ${queues.length ? queues.join(', ') : 'no queues yet'}\n`
      )
      await stopped
    })
}
