import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import getPort from 'get-port'
import { Redis, type Cluster } from 'ioredis'
import { BullDriver } from '#core/jobs/bull_driver'
import { JobsService } from '#core/jobs/jobs_service'
import { RedisConnections } from '#core/redis/connections'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import type { JobDefinition } from '#core/jobs/types'
import { runOryneProcess, startOryne, type RunningOryne } from '#tests/support/cli'
import { startRedisCluster, type LocalRedisCluster } from '#tests/support/redis_cluster'
import { createUser } from '#tests/support/auth'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    await sleep(100)
  }
  throw new Error(`timed out waiting for ${what}`)
}

/**
 * How long after a failover Oryne's clients may still fail a command: ioredis
 * notices the dead node, refreshes the slot map and retries (retryDelayOnFailover).
 */
const RETRY_WINDOW_MS = 2000

/** The queues of the platform's jobs (core and built-in plugins) and of the crash probe. */
const PLATFORM_QUEUES = [
  'default',
  'tenancy',
  'reports',
  'webhooks',
  'search',
  'notifications',
  'erp',
  'backups',
  'crash-probe',
]

/** A job only parked on a queue, never run: no worker of this file serves it before its delay. */
const parked: JobDefinition = {
  name: 'cluster.parked',
  queue: 'default',
  attempts: 1,
  backoff: 100,
  concurrency: 1,
  handle() {},
}

/** The keys `crash-probe.work` jobs finished (one row per finished run). */
async function finishedKeys(tenant: Tenant, keys: string[]) {
  const rows = await tenantContext.run(tenant, () =>
    withTenantDb((trx) =>
      trx
        .from('crash_probe_runs')
        .whereIn('job_key', keys)
        .whereNotNull('finished_at')
        .select('job_key')
    )
  )
  return new Set(rows.map((row) => row.job_key as string))
}

/** Every key of the cluster, per master port. */
async function keysPerMaster(cluster: LocalRedisCluster) {
  const masters = (await cluster.nodes()).filter((node) => node.role === 'master' && node.alive)
  const result = new Map<number, string[]>()
  for (const master of masters) {
    const redis = new Redis({ port: master.port, host: '127.0.0.1' })
    result.set(master.port, await redis.keys('*'))
    redis.disconnect()
  }
  return result
}

/**
 * Oryne on a real Redis Cluster (3 masters, 3 replicas on loopback, formed
 * by this file: the rest of the run keeps its single Redis). Real `oryne
 * serve` and `oryne worker` processes get REDIS_URL as the list of the
 * cluster's nodes; the jobs of this file run under their own prefix.
 */
test.group('Redis Cluster', (group) => {
  let cluster: LocalRedisCluster
  let tenant: Tenant
  let prefix: string
  let redis: RedisConnections
  let jobs: JobsService
  let env: Record<string, string | undefined>
  const servers: RunningOryne[] = []
  let worker: RunningOryne
  const bases: string[] = []

  group.setup(async () => {
    cluster = await startRedisCluster()
    // The cluster is this file's own: the default prefix, so the slots below are production's.
    prefix = 'oryne'
    env = {
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: cluster.url,
      ORYNE_REDIS_PREFIX: prefix,
      ORYNE_RATE_LIMIT_LOGIN: '4/1m',
      // Every anonymous request counts on the cluster, never enough to be refused here.
      ORYNE_RATE_LIMIT_ANONYMOUS: '100000/1h',
    }
    tenant = await activeTenant()
    const host = await app.container.make('oryne.plugins')
    await host.enable(tenant, ['crash-probe'], { actor: 'test' })
    const logger = await app.container.make('logger')
    redis = new RedisConnections(cluster.url)
    jobs = new JobsService(new BullDriver(redis, logger, prefix), logger)

    for (let index = 0; index < 2; index++) {
      const port = await getPort()
      servers.push(startOryne(['serve', '--port', String(port), '--host', '127.0.0.1'], env))
      bases.push(`http://127.0.0.1:${port}`)
    }
    worker = startOryne(['worker', '--queue', 'crash-probe', '--no-schedules'], env)
    await Promise.all([
      ...servers.map((server) => server.waitFor(/listening on/, 90_000)),
      worker.waitFor(/Oryne worker/, 90_000),
    ])
    return async () => {
      await Promise.all([...servers, worker].map((child) => child.stop('SIGKILL')))
      await jobs.close()
      await redis.quit()
      await cluster.stop()
    }
  })

  test('jobs are queued, run, retried and fail for good; the jobs commands read the cluster', async ({
    assert,
  }) => {
    const key = `ok-${randomBytes(3).toString('hex')}`
    await jobs.dispatch(
      'crash-probe.work',
      { key, hold_ms: 0, hold_runs: 0 },
      { tenantId: tenant.id }
    )
    await until('the job to run', async () =>
      (await finishedKeys(tenant, [key])).has(key) ? true : undefined
    )

    const doomed = `fail-${randomBytes(3).toString('hex')}`
    await jobs.dispatch('crash-probe.fail', { key: doomed }, { tenantId: tenant.id })
    const failedJob = await until('the job to fail for good', async () => {
      const listed = (await jobs.failed('crash-probe')).find(
        (job) => job.failed_reason === `crash probe failure ${doomed}`
      )
      return listed?.attempts_made === 2 ? listed : undefined
    })

    // `jobs status` names every queue (one slot each): the MULTI of each stays in its slot.
    const status = await runOryneProcess(['jobs', 'status', '--json'], env)
    assert.equal(status.code, 0, status.stderr)
    const { driver, queues } = JSON.parse(status.stdout)
    assert.equal(driver, 'bull')
    const probe = (queues as Array<Record<string, any>>).find(
      (queue) => queue.queue === 'crash-probe'
    )
    assert.isAtLeast(probe!.failed, 1)
    assert.isAtLeast(probe!.completed, 1)

    // One seed node, even a replica, with REDIS_CLUSTER=true: the client finds the slot owners.
    const replica = (await cluster.nodes()).find((node) => node.role === 'replica')!
    const seeded = await runOryneProcess(['jobs', 'status', '--json'], {
      ...env,
      REDIS_URL: `redis://127.0.0.1:${replica.port}`,
      REDIS_CLUSTER: 'true',
    })
    assert.equal(seeded.code, 0, seeded.stderr)
    assert.deepEqual(JSON.parse(seeded.stdout).queues, queues)

    const retried = await runOryneProcess(['jobs', 'retry', 'crash-probe', failedJob.id], env)
    assert.equal(retried.code, 0, retried.stderr)
    await until('the retried job to fail again', async () => {
      const listed = (await jobs.failed('crash-probe')).find((job) => job.id === failedJob.id)
      return listed && listed.attempts_made > 2 ? listed : undefined
    })
  }).timeout(90_000)

  test('rate limits count across processes', async ({ assert }) => {
    const statuses: number[] = []
    for (let index = 0; index < 6; index++) {
      const response = await fetch(`${bases[index % 2]}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tenant-id': tenant.slug },
        body: JSON.stringify({
          email: `nobody@${tenant.slug}.example`,
          password: 'wrong-password',
        }),
      })
      statuses.push(response.status)
    }
    // 4 failed sign-ins per minute per address and email, whichever process answers them.
    assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429])
  })

  test('a plugin enabled by one process is enabled in every process at once', async ({
    assert,
  }) => {
    const notes = (base: string) =>
      fetch(`${base}/api/v1/notes/notes`, { headers: { 'x-tenant-id': tenant.slug } })
    // Both servers have read (and cached) the tenant's plugins before.
    for (const base of bases) assert.equal((await notes(base)).status, 404)
    const enabled = await runOryneProcess(
      ['plugin', 'enable', 'notes', '--tenant', tenant.slug],
      env
    )
    assert.equal(enabled.code, 0, enabled.stderr)
    for (const base of bases)
      await until(
        `notes enabled on ${base}`,
        async () => ((await notes(base)).status === 200 ? true : undefined),
        5000
      )
  })

  test('a master killed mid-traffic: its replica takes over, no job is lost, no 5xx after the failover window', async ({
    assert,
  }) => {
    const queueSlot = Number(
      await (redis.shared() as Cluster).cluster('KEYSLOT', `{${prefix}:crash-probe}`)
    )
    const victim = await cluster.masterOf(queueSlot)
    const run = `fo-${randomBytes(3).toString('hex')}`
    const accepted: string[] = []
    const refused: Array<{ at: number; error: string }> = []
    const answers: Array<{ at: number; status: number; ms: number }> = []
    let stop = false

    const produce = async () => {
      for (let index = 0; !stop; index++) {
        const key = `${run}-${index}`
        const at = Date.now()
        try {
          await jobs.dispatch(
            'crash-probe.work',
            { key, hold_ms: 0, hold_runs: 0 },
            { tenantId: tenant.id }
          )
          accepted.push(key)
        } catch (error) {
          refused.push({ at, error: (error as Error).message })
        }
        await sleep(50)
      }
    }
    const browse = async () => {
      for (let index = 0; !stop; index++) {
        const at = Date.now()
        const response = await fetch(`${bases[index % 2]}/api/v1/notes/notes`, {
          headers: { 'x-tenant-id': tenant.slug },
          signal: AbortSignal.timeout(5000),
        }).catch(() => null)
        answers.push({ at, status: response?.status ?? 0, ms: Date.now() - at })
        await sleep(25)
      }
    }
    const traffic = Promise.all([produce(), browse()])
    await sleep(1500)
    const killedAt = Date.now()
    const { failoverMs } = await cluster.killMaster(victim)
    await sleep(RETRY_WINDOW_MS + 3000)
    stop = true
    await traffic

    const windowEnd = killedAt + failoverMs + RETRY_WINDOW_MS
    const outside = answers.filter((answer) => answer.at > windowEnd && answer.status !== 200)
    const inside = answers.filter(
      (answer) => answer.at >= killedAt && answer.at <= windowEnd && answer.status >= 500
    )
    const done = await until(
      'every accepted job to run',
      async () => {
        const finished = await finishedKeys(tenant, accepted)
        return finished.size === accepted.length ? finished : undefined
      },
      30_000
    ).catch(() => null)
    const finished = done ?? (await finishedKeys(tenant, accepted))
    process.stdout.write(
      `  failover of master ${victim} (crash-probe's slot ${queueSlot}): ${failoverMs} ms; ` +
        `jobs accepted ${accepted.length}, refused ${refused.length}, run ${finished.size}; ` +
        `HTTP answers ${answers.length} (slowest ${Math.max(...answers.map((answer) => answer.ms))} ms), ` +
        `5xx inside the window ${inside.length}, non-200 after it ${outside.length}\n`
    )
    assert.deepEqual(
      accepted.filter((key) => !finished.has(key)),
      [],
      'every job the queue accepted ran'
    )
    assert.deepEqual(outside, [], 'after the failover window every request is answered')
    assert.isAbove(answers.filter((answer) => answer.at > windowEnd).length, 10)
    assert.isAbove(accepted.filter((key) => Number(key.split('-').at(-1)) > 0).length, 20)
  }).timeout(60_000)

  test('after a failover of the node its subscribers sat on, a plugin change still reaches every process', async ({
    assert,
  }) => {
    // The master with a live replica that holds the most subscriber connections (change bus, bull events).
    const nodes = await cluster.nodes()
    const candidates = nodes.filter(
      (node) =>
        node.role === 'master' &&
        node.alive &&
        nodes.some((replica) => replica.masterId === node.id && replica.alive)
    )
    const subscribers = new Map<number, number>()
    for (const node of candidates) {
      const client = new Redis({ port: node.port, host: '127.0.0.1' })
      const list = String(await client.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).trim()
      subscribers.set(node.port, list ? list.split('\n').length : 0)
      client.disconnect()
    }
    const victim = [...subscribers].sort((a, b) => b[1] - a[1])[0]
    const { failoverMs } = await cluster.killMaster(victim[0])
    process.stdout.write(
      `  failover of master ${victim[0]} holding ${victim[1]} subscriber connections: ${failoverMs} ms\n`
    )

    // The plugin flips (disabled if the tests before enabled it, else enabled): both servers must follow.
    const notes = async (base: string) =>
      (await fetch(`${base}/api/v1/notes/notes`, { headers: { 'x-tenant-id': tenant.slug } }))
        .status
    const before = await notes(bases[0])
    const expected = before === 200 ? 404 : 200
    const flipped = await runOryneProcess(
      ['plugin', before === 200 ? 'disable' : 'enable', 'notes', '--tenant', tenant.slug],
      env
    )
    assert.equal(flipped.code, 0, flipped.stderr)
    for (const base of bases)
      await until(
        `notes answering ${expected} on ${base}`,
        async () => ((await notes(base)) === expected ? true : undefined),
        5000
      )
  }).timeout(60_000)

  test('the queues spread over the three masters, each queue on one slot', async ({ assert }) => {
    // One job parked (delayed an hour) on each queue the platform's jobs use.
    for (const queue of PLATFORM_QUEUES)
      await jobs.dispatch({ ...parked, queue }, {}, { tenantId: tenant.id, delay: 3_600_000 })
    const perMaster = await keysPerMaster(cluster)
    const queuesOn = [...perMaster.values()].map(
      (keys) =>
        new Set(keys.filter((key) => key.startsWith(`{${prefix}:`)).map((key) => key.split('}')[0]))
    )
    assert.deepEqual(
      queuesOn.map((queues) => queues.size > 0),
      [true, true, true],
      `queues per master: ${queuesOn.map((queues) => [...queues].join(' ')).join(' | ')}`
    )
    // No queue is split: bull's scripts name several keys of a queue at once.
    const all = queuesOn.flatMap((queues) => [...queues])
    assert.equal(all.length, new Set(all).size)
    assert.sameMembers(
      all,
      PLATFORM_QUEUES.map((queue) => `{${prefix}:${queue}`)
    )
  })

  test('a REDIS_URL that is not a list of Redis nodes is refused with ERR_CONFIG_INVALID', async ({
    assert,
  }) => {
    const result = await runOryneProcess(['jobs', 'status'], {
      ...env,
      REDIS_URL: `${cluster.url},http://127.0.0.1:1`,
    })
    assert.notEqual(result.code, 0)
    assert.include(result.stderr, 'ERR_CONFIG_INVALID')
    assert.include(result.stderr, 'http://127.0.0.1:1')
  })

  test('a cluster that lost a whole shard answers 503 ERR_SERVICE_UNAVAILABLE, not 500', async ({
    assert,
  }) => {
    const { user } = await createUser(tenant, {
      email: `sam@${tenant.slug}.example`,
      role: 'Student',
    })
    // A master and its replica both gone: slots without an owner, the cluster refuses every command.
    const nodes = await cluster.nodes()
    const master = nodes.find((node) => node.role === 'master' && node.alive)!
    const replicas = nodes.filter((node) => node.masterId === master.id)
    await Promise.all([master, ...replicas].map((node) => cluster.kill(node.port)))
    // Once the survivors have marked the shard failed, they refuse every command (full coverage required).
    const survivor = nodes.find((node) => node.alive && ![master, ...replicas].includes(node))!
    const probe = new Redis({ port: survivor.port, host: '127.0.0.1' })
    await until('the cluster to report the lost shard', async () =>
      /cluster_state:fail/.test(String(await probe.cluster('INFO'))) ? true : undefined
    )
    probe.disconnect()
    const response = await fetch(`${bases[0]}/api/v1/admin/notifications/send`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-tenant-id': tenant.slug,
        'authorization': `Bearer ${PLATFORM_TOKEN()}`,
      },
      body: JSON.stringify({
        user_ids: [user.id],
        template: 'core.welcome_email',
        data: { name: 'Sam', institution: 'Riverside' },
      }),
    })
    const body = (await response.json()) as any
    assert.equal(response.status, 503, JSON.stringify(body))
    assert.equal(body.error.code, 'ERR_SERVICE_UNAVAILABLE')
    assert.isNotNull(response.headers.get('retry-after'))
  }).timeout(60_000)
})
