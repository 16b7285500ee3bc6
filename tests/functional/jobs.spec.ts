import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import jobs from '#core/services/jobs'
import { defineJob } from '#core/jobs/define_job'
import { tenantContext } from '#core/tenancy/context'
import { activeTenant } from '#tests/support/tenants'

/** Waits until `check` holds, failing the test after `ms`. */
async function eventually(check: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (check()) return
    await sleep(25)
  }
  throw new Error('condition not met in time')
}

const echoed: Array<{ data: unknown; tenantId: string | null; contextTenant: string | null }> = []
const echo = defineJob<{ text: string }>({
  name: 'test.echo',
  queue: 'test-roundtrip',
  handle: (data, context) =>
    void echoed.push({
      data,
      tenantId: context.tenantId,
      contextTenant: tenantContext.current()?.id ?? null,
    }),
})

const flakyAttempts: Array<{ attempt: number; at: number }> = []
const flaky = defineJob({
  name: 'test.flaky',
  queue: 'test-retries',
  attempts: 3,
  backoff: 200,
  handle: (_data, context) => {
    flakyAttempts.push({ attempt: context.attempt, at: Date.now() })
    if (context.attempt < 3) throw new Error(`attempt ${context.attempt} fails on purpose`)
  },
})

defineJob({
  name: 'test.doomed',
  queue: 'test-failed',
  attempts: 2,
  backoff: 50,
  handle: () => {
    throw new Error('the printer is on fire')
  },
})

let ticks = 0
const tick = defineJob({ name: 'test.tick', queue: 'test-repeat', handle: () => void ticks++ })

test.group('Jobs on bull through real Redis', (group) => {
  group.setup(async () => {
    await jobs.work()
  })

  test('a dispatched job runs with its data, and in its tenant context when it has one', async ({
    assert,
  }) => {
    assert.equal(jobs.driver.kind, 'bull')
    const tenant = await activeTenant()
    await jobs.dispatch(echo, { text: 'hello' }, { tenantId: tenant.id })
    await jobs.dispatch('test.echo', { text: 'platform' })
    // Dispatched inside a tenant context, the job carries that tenant without being told.
    await tenantContext.run(tenant, () => jobs.dispatch(echo, { text: 'implicit' }))
    await eventually(() => echoed.length === 3)
    assert.sameDeepMembers(echoed, [
      { data: { text: 'hello' }, tenantId: tenant.id, contextTenant: tenant.id },
      { data: { text: 'platform' }, tenantId: null, contextTenant: null },
      { data: { text: 'implicit' }, tenantId: tenant.id, contextTenant: tenant.id },
    ])
  })

  test('a job id deduplicates within its tenant only: two tenants numbering their work alike both run', async ({
    assert,
  }) => {
    const [first, second] = [await activeTenant(), await activeTenant()]
    const before = echoed.length
    for (const tenant of [first, second, first])
      await tenantContext.run(tenant, () =>
        jobs.dispatch(echo, { text: `import 1 of ${tenant.slug}` }, { jobId: 'import-1' })
      )
    await eventually(() => echoed.length >= before + 2)
    await sleep(300)
    assert.sameDeepMembers(
      echoed.slice(before).map((entry) => entry.tenantId),
      [first.id, second.id]
    )
  })

  test('a failing job is retried with exponential backoff until it succeeds', async ({
    assert,
  }) => {
    await jobs.dispatch(flaky, {})
    await eventually(() => flakyAttempts.length === 3)
    assert.deepEqual(
      flakyAttempts.map((a) => a.attempt),
      [1, 2, 3]
    )
    const firstGap = flakyAttempts[1].at - flakyAttempts[0].at
    const secondGap = flakyAttempts[2].at - flakyAttempts[1].at
    assert.isAtLeast(firstGap, 190)
    assert.isAtLeast(secondGap, 390)
    const [status] = await jobs.status(['test-retries'])
    assert.equal(status.failed, 0)
  })

  test('a job that exhausts its attempts is kept as failed, visible and retryable', async ({
    assert,
    client,
  }) => {
    const tenant = await activeTenant()
    const id = await jobs.dispatch('test.doomed', { invoice: 7 }, { tenantId: tenant.id })
    let failed: Awaited<ReturnType<typeof jobs.failed>> = []
    const deadline = Date.now() + 10_000
    while (failed.length === 0 && Date.now() < deadline) {
      failed = await jobs.failed('test-failed')
      await sleep(50)
    }
    assert.lengthOf(failed, 1)
    assert.equal(failed[0].id, id)
    assert.equal(failed[0].tenant_id, tenant.id)
    assert.equal(failed[0].attempts_made, 2)
    assert.equal(failed[0].failed_reason, 'the printer is on fire')
    assert.deepEqual(failed[0].data, { invoice: 7 })

    const listed = await client
      .get('/api/v1/platform/queues/test-failed/failed')
      .bearerToken(process.env.ORYNE_PLATFORM_TOKEN!)
    listed.assertStatus(200)
    assert.equal(listed.body().data[0].id, id)

    const retried = await client
      .post(`/api/v1/platform/queues/test-failed/jobs/${id}/retry`)
      .bearerToken(process.env.ORYNE_PLATFORM_TOKEN!)
    retried.assertStatus(202)

    const missing = await client
      .post('/api/v1/platform/queues/test-failed/jobs/does-not-exist/retry')
      .bearerToken(process.env.ORYNE_PLATFORM_TOKEN!)
    missing.assertStatus(404)
    assert.equal(missing.body().error.code, 'ERR_JOB_NOT_FOUND')
  })

  test('a repeatable job runs on its schedule until unscheduled', async ({ assert }) => {
    await jobs.schedule(tick, {}, { every: 300, key: 'tick' })
    await eventually(() => ticks >= 2, 5000)
    await jobs.unschedule(tick, { every: 300, key: 'tick' })
    await sleep(400)
    const after = ticks
    await sleep(900)
    assert.equal(ticks, after)
  })

  test('dispatching an unknown job is refused with ERR_JOB_UNKNOWN', async ({ assert }) => {
    await assert.rejects(() => jobs.dispatch('test.nobody', {}), /No job named "test.nobody"/)
  })

  test('queue depth is exported as a Prometheus gauge', async ({ client, assert }) => {
    await jobs.dispatch('test.echo', { text: 'later' }, { delay: 60_000 })
    const response = await client.get('/metrics')
    response.assertStatus(200)
    assert.match(response.text(), /oryne_queue_jobs\{queue="test-roundtrip",state="delayed"\} 1/)
  })
})

test.group('Background work of a worker process', () => {
  test('schedules the daily billing sweep once, however many workers start', async ({ assert }) => {
    const { startBackgroundWork } = await import('#core/jobs/background')
    const { BullDriver } = await import('#core/jobs/bull_driver')
    await startBackgroundWork(jobs)
    await startBackgroundWork(jobs)
    const queue = (jobs.driver as InstanceType<typeof BullDriver>).queue('tenancy')
    const repeatable = await queue.getRepeatableJobs()
    const sweeps = repeatable.filter((job) => job.name === 'core.billing_sweep')
    assert.lengthOf(sweeps, 1)
    assert.equal(sweeps[0].cron, '15 2 * * *')
    assert.equal(sweeps[0].tz, 'UTC')
  })
})
