import { randomBytes } from 'node:crypto'
import { request, type IncomingMessage } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import getPort from 'get-port'
import { BullDriver } from '#core/jobs/bull_driver'
import { JobsService } from '#core/jobs/jobs_service'
import { RedisConnections } from '#core/redis/connections'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { identity } from '#core/auth/identity'
import { PASSWORD } from '#tests/support/auth'
import { startOryne, type RunningOryne } from '#tests/support/cli'
import { startLoadBalancer, type LoadBalancer } from '#tests/support/load_balancer'
import { startPgBouncer, type PgBouncer } from '#tests/support/pgbouncer'
import { startRedisCluster, type LocalRedisCluster } from '#tests/support/redis_cluster'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    await sleep(100)
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** An open `GET /api/v1/notifications/stream`: the `data` of each event it received. */
function openStream(base: string, tenant: Tenant, token: string) {
  const events: Array<Record<string, any>> = []
  return new Promise<{ events: typeof events; close(): void }>((resolve, reject) => {
    const url = new URL('/api/v1/notifications/stream', base)
    const req = request(url, {
      headers: {
        'x-tenant-id': tenant.slug,
        'accept': 'text/event-stream',
        'authorization': `Bearer ${token}`,
      },
    })
    req.on('response', (response: IncomingMessage) => {
      if (response.statusCode !== 200) return reject(new Error(`stream: ${response.statusCode}`))
      let buffer = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        buffer += chunk
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const data = buffer
            .slice(0, end)
            .split('\n')
            .find((line) => line.startsWith('data:'))
          buffer = buffer.slice(end + 2)
          if (data) events.push(JSON.parse(data.slice(5)))
        }
      })
      resolve({ events, close: () => response.destroy() })
    })
    req.on('error', reject)
    req.end()
  })
}

/**
 * The scale-out shape of a deployment, on real engines: two `oryne serve`,
 * two `oryne worker` and one `oryne scheduler` processes against one
 * PostgreSQL behind PgBouncer (transaction pooling) and a Redis Cluster
 * (3 masters, 3 replicas), with files on one shared storage directory and a
 * round-robin load balancer in front of the two servers.
 */
test.group('Scale-out: many processes, PgBouncer, Redis Cluster', (group) => {
  let cluster: LocalRedisCluster
  let bouncer: PgBouncer
  let balancer: LoadBalancer
  let storage: string
  let tenant: Tenant
  let redis: RedisConnections
  let jobs: JobsService
  const servers: string[] = []
  const processes: RunningOryne[] = []

  group.setup(async () => {
    ;[cluster, bouncer] = await Promise.all([
      startRedisCluster(),
      startPgBouncer(process.env.DATABASE_URL!, 10),
    ])
    storage = await mkdtemp(join(tmpdir(), 'oryne-shared-storage-'))
    const env = {
      DATABASE_URL: bouncer.url,
      REDIS_URL: cluster.url,
      ORYNE_REDIS_PREFIX: 'oryne',
      ORYNE_STORAGE_DIR: storage,
    }
    tenant = await activeTenant()
    const host = await app.container.make('oryne.plugins')
    await host.enable(tenant, ['crash-probe', 'erp'], { actor: 'test' })
    const logger = await app.container.make('logger')
    redis = new RedisConnections(cluster.url)
    jobs = new JobsService(new BullDriver(redis, logger, 'oryne'), logger)

    for (let index = 0; index < 2; index++) {
      const port = await getPort()
      servers.push(`http://127.0.0.1:${port}`)
      processes.push(startOryne(['serve', '--port', String(port), '--host', '127.0.0.1'], env))
    }
    // Workers declare the schedules too (no --no-schedules): three processes declare them.
    processes.push(startOryne(['worker'], env), startOryne(['worker'], env))
    processes.push(startOryne(['scheduler'], env))
    const ready = [
      /listening on/,
      /listening on/,
      /Oryne worker/,
      /Oryne worker/,
      /Oryne scheduler/,
    ]
    await Promise.all(processes.map((child, index) => child.waitFor(ready[index], 90_000)))
    balancer = await startLoadBalancer(servers)
    return async () => {
      await balancer.close()
      await Promise.all(processes.map((child) => child.stop('SIGKILL')))
      await jobs.close()
      await redis.quit()
      await Promise.all([cluster.stop(), bouncer.stop()])
      await rm(storage, { recursive: true, force: true })
    }
  })

  async function signIn(email: string) {
    await tenantContext.run(tenant, () =>
      identity.tenantUsers.create({ email, roles: ['Student'], password: PASSWORD })
    )
    const response = await fetch(`${balancer.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant-id': tenant.slug },
      body: JSON.stringify({ email, password: PASSWORD }),
    })
    return ((await response.json()) as any).data as { access_token: string; refresh_token: string }
  }

  const asUser = (token: string) => ({
    'x-tenant-id': tenant.slug,
    'authorization': `Bearer ${token}`,
  })

  test('a session opened through the balancer is valid on every process', async ({ assert }) => {
    const email = `kit-${randomBytes(3).toString('hex')}@${tenant.slug}.example`
    const tokens = await signIn(email)
    const me = async (base: string, token: string) => {
      const response = await fetch(`${base}/api/v1/auth/me`, { headers: asUser(token) })
      assert.equal(response.status, 200, base)
      assert.equal(((await response.json()) as any).data.email, email)
    }
    for (const base of [...servers, balancer.url, balancer.url]) await me(base, tokens.access_token)
    // Renewed on one process (its refresh token rotates in PostgreSQL), used on the other.
    for (const [renewOn, useOn] of [
      [1, 0],
      [0, 1],
    ]) {
      const renewed = await fetch(`${servers[renewOn]}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tenant-id': tenant.slug },
        body: JSON.stringify({ refresh_token: tokens.refresh_token }),
      })
      assert.equal(renewed.status, 200)
      Object.assign(tokens, ((await renewed.json()) as any).data)
      await me(servers[useOn], tokens.access_token)
    }
  })

  test('a file uploaded through one process downloads through the other', async ({ assert }) => {
    const { access_token: token } = await signIn(
      `ann-${randomBytes(3).toString('hex')}@${tenant.slug}.example`
    )
    const bytes = Buffer.from(`Week 2: ratios ${randomBytes(8).toString('hex')}\n`)
    const form = new FormData()
    form.append('file', new Blob([bytes], { type: 'text/plain' }), 'week 2.txt')
    const uploaded = await fetch(`${servers[0]}/api/v1/files`, {
      method: 'POST',
      headers: asUser(token),
      body: form,
    })
    assert.equal(uploaded.status, 201)
    const file = ((await uploaded.json()) as any).data
    const meta = await fetch(`${servers[1]}/api/v1/files/${file.id}`, { headers: asUser(token) })
    // An absolute link on the origin that answered; its path and query work on any process.
    const link = new URL(((await meta.json()) as any).data.download.url as string)
    for (const base of [servers[1], balancer.url, balancer.url]) {
      const download = await fetch(`${base}${link.pathname}${link.search}`)
      assert.equal(download.status, 200)
      assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes)
    }
  })

  test('a notification sent through one process reaches a stream held open on the other', async ({
    assert,
  }) => {
    const email = `ada-${randomBytes(3).toString('hex')}@${tenant.slug}.example`
    const { access_token: token } = await signIn(email)
    const userId = await tenantContext.run(
      tenant,
      async () => (await identity.tenantUsers.find(email)).id
    )
    for (const [listen, send] of [
      [0, 1],
      [1, 0],
    ]) {
      const stream = await openStream(servers[listen], tenant, token)
      try {
        await until('the unread count on connect', async () =>
          stream.events.length ? true : undefined
        )
        const name = `via-${send}-${randomBytes(2).toString('hex')}`
        const sent = await fetch(`${servers[send]}/api/v1/admin/notifications/send`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-tenant-id': tenant.slug,
            'authorization': `Bearer ${PLATFORM_TOKEN()}`,
          },
          body: JSON.stringify({
            user_ids: [userId],
            template: 'core.welcome_email',
            data: { name, institution: 'Riverside' },
          }),
        })
        assert.equal(sent.status, 202)
        const pushed = await until('the notification on the stream', async () =>
          stream.events.find(
            (event) => event.type === 'notification' && event.notification.body.includes(name)
          )
        )
        assert.equal(pushed.notification.template, 'core.welcome_email')
      } finally {
        stream.close()
      }
    }
  })

  test('schedules declared by three processes exist once; a repeating job runs once per tick across two workers', async ({
    assert,
  }) => {
    const tenancyQueue = (jobs.driver as BullDriver).queue('tenancy')
    const repeatable = await tenancyQueue.getRepeatableJobs()
    assert.lengthOf(
      repeatable.filter((job) => job.name === 'core.billing_sweep'),
      1
    )

    const key = `tick-${randomBytes(3).toString('hex')}`
    const every = 1000
    const started = Date.now()
    await jobs.schedule(
      'crash-probe.work',
      { key, hold_ms: 0, hold_runs: 0 },
      { every, key, tenantId: tenant.id }
    )
    await sleep(6000)
    await jobs.unschedule('crash-probe.work', { every, key })
    const elapsed = Date.now() - started
    await sleep(500)
    const runs = await tenantContext.run(tenant, () =>
      withTenantDb((trx) =>
        trx.from('crash_probe_runs').where('job_key', key).select('pid', 'started_at')
      )
    )
    // One run per tick (bull keeps one schedule per key): never one per worker.
    assert.isAtLeast(runs.length, 3)
    assert.isAtMost(runs.length, Math.ceil(elapsed / every) + 1)
  })

  test('dashboard figures computed on one process are served from the cluster on the other', async ({
    assert,
  }) => {
    const dashboard = async (base: string) => {
      const response = await fetch(`${base}/api/v1/dashboard`, {
        headers: { 'x-tenant-id': tenant.slug, 'authorization': `Bearer ${PLATFORM_TOKEN()}` },
      })
      assert.equal(response.status, 200)
      return ((await response.json()) as any).data.stats as Array<{ key: string; cached: boolean }>
    }
    // Several statistics: several keys of the tenant in one MGET, one slot thanks to the tenant's tag.
    const computed = await dashboard(servers[0])
    assert.isAbove(computed.length, 1)
    assert.isTrue(computed.every((stat) => !stat.cached))
    const served = await dashboard(servers[1])
    assert.deepEqual(
      served.map((stat) => [stat.key, stat.cached]),
      computed.map((stat) => [stat.key, true])
    )
  })
})
