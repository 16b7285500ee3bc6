import type { Command } from 'commander'
import { printJson, printTable } from '../output.js'
import { withRuntime } from '../runtime.js'

export function registerJobs(program: Command) {
  const jobs = program.command('jobs').description('inspect queues and failed jobs')

  jobs
    .command('status')
    .description('jobs per queue and state')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const service = await runtime.app.container.make('oryne.jobs')
        const status = await service.status()
        if (options.json) printJson({ driver: service.driver.kind, queues: status })
        else
          printTable(
            ['queue', 'waiting', 'active', 'delayed', 'failed', 'completed'],
            status.map((q) => [q.queue, q.waiting, q.active, q.delayed, q.failed, q.completed])
          )
      })
    })

  jobs
    .command('failed <queue>')
    .description('list failed jobs of a queue, newest first')
    .option('-n, --limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (queue: string, options: { limit: string; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const service = await runtime.app.container.make('oryne.jobs')
        const failed = await service.failed(queue, Number(options.limit))
        if (options.json) printJson(failed)
        else
          printTable(
            ['id', 'job', 'tenant', 'attempts', 'failed at', 'reason'],
            failed.map((j) => [
              j.id,
              j.name,
              j.tenant_id,
              j.attempts_made,
              j.failed_at,
              j.failed_reason,
            ])
          )
      })
    })

  jobs
    .command('retry <queue> <id>')
    .description('queue a failed job again')
    .option('--json', 'print JSON')
    .action(async (queue: string, id: string, options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const service = await runtime.app.container.make('oryne.jobs')
        await service.retry(queue, id)
        if (options.json) printJson({ ok: true, queue, id })
        else process.stdout.write(`Job ${id} queued again on ${queue}.\n`)
      })
    })
}
