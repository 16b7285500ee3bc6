import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { BullDriver } from '#core/jobs/bull_driver'
import { JobsService } from '#core/jobs/jobs_service'
import { RedisConnections } from '#core/redis/connections'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { runOryne, runOryneProcess, startOryne, type RunningOryne } from '#tests/support/cli'
import { startErrorCollector } from '#tests/support/error_collector'
import { activeTenant } from '#tests/support/tenants'

type Run = { id: number; pid: number; attempt: number; finished_at: Date | null }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) return value
    await sleep(100)
  }
  throw new Error(`timed out waiting for ${what}`)
}

function runsOf(tenant: Tenant, key: string) {
  return tenantContext.run(tenant, () =>
    withTenantDb(
      (trx) =>
        trx
          .from('crash_probe_runs')
          .where('job_key', key)
          .orderBy('id')
          .select('id', 'pid', 'attempt', 'finished_at') as Promise<Run[]>
    )
  )
}

async function effectsOf(tenant: Tenant, key: string) {
  const [row] = await tenantContext.run(tenant, () =>
    withTenantDb((trx) => trx.from('crash_probe_effects').where('job_key', key).count('* as n'))
  )
  return Number(row.n)
}

/**
 * Real `oryne worker` processes killed with SIGKILL while they run a job: the
 * job's lock lapses, another worker's stalled check queues it again, and a
 * job recovered more than ORYNE_JOB_MAX_STALLS times fails for good. The jobs
 * live under their own Redis prefix, so no other process of the run takes them.
 */
test.group('Workers killed mid-job', (group) => {
  let tenant: Tenant
  let prefix: string
  let jobs: JobsService
  let redis: RedisConnections

  group.each.setup(async () => {
    tenant = await activeTenant()
    const host = await app.container.make('oryne.plugins')
    await host.enable(tenant, ['crash-probe'], { actor: 'test' })
    prefix = `crash-${randomBytes(4).toString('hex')}`
    const logger = await app.container.make('logger')
    redis = new RedisConnections(process.env.REDIS_URL!)
    jobs = new JobsService(new BullDriver(redis, logger, prefix), logger)
    return async () => {
      await jobs.close()
      await redis.quit()
    }
  })

  /** Starts a worker on the probe's queue with short locks, so a crash is noticed in seconds. */
  async function worker(env: Record<string, string>, cleanup: (fn: () => Promise<void>) => void) {
    const started: RunningOryne = startOryne(
      ['worker', '--queue', 'crash-probe', '--no-schedules'],
      {
        ORYNE_REDIS_PREFIX: prefix,
        // Short enough to notice a crash in seconds, long enough that a busy CI machine's pauses never look like one.
        ORYNE_JOB_LOCK_MS: '5000',
        ORYNE_JOB_STALLED_CHECK_MS: '1000',
        ORYNE_JOB_MAX_STALLS: '1',
        ...env,
      }
    )
    cleanup(async () => void (await started.stop('SIGKILL')))
    await started.waitFor(/Oryne worker/, 90_000)
    return started
  }

  /** Waits until `running` has started run number `count` of `key`, then kills it. */
  async function killDuringRun(running: RunningOryne, key: string, count: number) {
    const runs = await until(`run ${count} of ${key}`, async () => {
      const found = await runsOf(tenant, key)
      return found.length === count ? found : undefined
    })
    ensure(runs[count - 1].pid === running.child.pid, 'the run belongs to the worker killed')
    ensure(runs[count - 1].finished_at === null, 'the run is still going')
    await running.stop('SIGKILL')
  }

  test('the job runs again on another worker, and its effect is written exactly once', async ({
    assert,
    cleanup,
  }) => {
    const collector = await startErrorCollector()
    cleanup(() => collector.close())
    const key = `work-${randomBytes(3).toString('hex')}`
    const first = await worker({}, cleanup)
    await jobs.dispatch(
      'crash-probe.work',
      { key, hold_ms: 120_000, hold_runs: 1 },
      { tenantId: tenant.id }
    )
    await killDuringRun(first, key, 1)

    const second = await worker({ SENTRY_DSN: collector.dsn }, cleanup)
    const runs = await until('the job to finish', async () => {
      const found = await runsOf(tenant, key)
      return found.some((run) => run.finished_at) ? found : undefined
    })
    assert.lengthOf(runs, 2)
    assert.equal(runs[0].pid, first.child.pid)
    assert.isNull(runs[0].finished_at)
    assert.equal(runs[1].pid, second.child.pid)
    assert.isNotNull(runs[1].finished_at)
    // A stalled recovery is not one of the job's tries: it resumes at the same attempt.
    assert.deepEqual(
      runs.map((run) => run.attempt),
      [1, 1]
    )
    // The killed run's transaction never committed: one effect, not two.
    assert.equal(await effectsOf(tenant, key), 1)
    assert.match(second.output(), /job stalled \(its worker stopped\): queued again/)
    assert.lengthOf(collector.events, 0, 'a recovered job is not an error')

    // A job out of tries is reported once when it gives up, not once per try.
    await jobs.dispatch('crash-probe.fail', { key }, { tenantId: tenant.id })
    const message = `crash probe failure ${key}`
    const report = await collector.waitFor((event) =>
      Boolean(event.exception?.values.some((value) => value.value === message))
    )
    assert.equal(report.tags?.job, 'crash-probe.fail')
    assert.equal(report.tags?.queue, 'crash-probe')
    assert.equal(report.tags?.tenant_id, tenant.id)
    await sleep(1500)
    assert.lengthOf(
      collector.events.filter((event) => event.exception?.values.some((v) => v.value === message)),
      1
    )
    // a real process: the jobs family, on this file's queues
    const failed = await runOryneProcess(['jobs', 'failed', 'crash-probe', '--json'], {
      ORYNE_REDIS_PREFIX: prefix,
    })
    assert.equal(failed.code, 0, failed.stderr)
    const listed = (JSON.parse(failed.stdout) as Array<Record<string, unknown>>).find(
      (job) => job.name === 'crash-probe.fail'
    )
    assert.include(listed, { attempts_made: 2, failed_reason: message, tenant_id: tenant.id })
  }).timeout(240_000)

  test('a job whose workers keep dying fails for good after ORYNE_JOB_MAX_STALLS recoveries, and is reported', async ({
    assert,
    cleanup,
  }) => {
    const collector = await startErrorCollector()
    cleanup(() => collector.close())
    const key = `doomed-${randomBytes(3).toString('hex')}`
    const env = { SENTRY_DSN: collector.dsn }
    const first = await worker(env, cleanup)
    await jobs.dispatch(
      'crash-probe.work',
      { key, hold_ms: 120_000, hold_runs: 99 },
      { tenantId: tenant.id }
    )
    await killDuringRun(first, key, 1)
    // One recovery is allowed (ORYNE_JOB_MAX_STALLS=1): the next worker takes the job...
    const second = await worker(env, cleanup)
    await killDuringRun(second, key, 2)
    // ...and when that one dies too, the job is failed instead of taken a third time.
    const third = await worker(env, cleanup)
    const report = await collector.waitFor((event) =>
      Boolean(
        event.exception?.values.some((value) =>
          /stalled more than allowable limit/.test(value.value)
        )
      )
    )
    assert.equal(report.tags?.job, 'crash-probe.work')
    assert.equal(report.tags?.tenant_id, tenant.id)
    assert.match(third.output(), /job failed for good/)

    const failed = await runOryne(['jobs', 'failed', 'crash-probe', '--json'], {
      ORYNE_REDIS_PREFIX: prefix,
    })
    assert.equal(failed.code, 0, failed.stderr)
    const listed = (JSON.parse(failed.stdout) as Array<Record<string, unknown>>).find(
      (job) => job.name === 'crash-probe.work'
    )
    assert.include(listed, { failed_reason: 'job stalled more than allowable limit' })
    await sleep(3000)
    assert.lengthOf(await runsOf(tenant, key), 2, 'no third run')
    assert.equal(await effectsOf(tenant, key), 0, 'no killed run left its effect behind')
  }).timeout(300_000)
})

function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message)
}
