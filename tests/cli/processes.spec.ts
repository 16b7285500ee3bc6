import { test } from '@japa/runner'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import getPort from 'get-port'
import { Redis } from 'ioredis'
import pg from 'pg'
import { LocalRedis, findRedisServer } from '#core/runtime/local_redis'
import { isAlive, readState } from '#core/runtime/local_process'
import { startOryne } from '#tests/support/cli'

async function getJson(url: string) {
  const response = await fetch(url)
  return { status: response.status, body: (await response.json()) as any }
}

test.group('oryne serve with services going away', () => {
  test('/health/ready turns 503 with details when Redis stops, while /health/live stays 200', async ({
    assert,
    cleanup,
  }) => {
    const redis = new LocalRedis({
      dir: await mkdtemp(join(tmpdir(), 'oryne-redis-')),
      ephemeral: true,
    })
    const redisUrl = await redis.start((await findRedisServer())!)
    cleanup(() => redis.stop())
    const port = await getPort()
    const server = startOryne(['serve', '--port', String(port), '--host', '127.0.0.1'], {
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: redisUrl,
    })
    cleanup(async () => void (await server.stop('SIGKILL')))
    await server.waitFor(/listening on/)
    const base = `http://127.0.0.1:${port}`

    const healthy = await getJson(`${base}/health/ready`)
    assert.equal(healthy.status, 200)

    await redis.stop()
    const degraded = await getJson(`${base}/health/ready`)
    assert.equal(degraded.status, 503)
    assert.isFalse(degraded.body.success)
    assert.equal(degraded.body.error.code, 'ERR_SERVICE_UNAVAILABLE')
    assert.equal(degraded.body.error.details.checks.redis.status, 'error')
    assert.equal(degraded.body.error.details.checks.database.status, 'ok')

    const live = await getJson(`${base}/health/live`)
    assert.equal(live.status, 200)

    assert.equal(await server.stop('SIGTERM'), 0)
  })

  test('/health/ready is 503 naming the database when PostgreSQL is unreachable', async ({
    assert,
    cleanup,
  }) => {
    const port = await getPort()
    const server = startOryne(['serve', '--port', String(port), '--host', '127.0.0.1'], {
      DATABASE_URL: 'postgres://oryne:oryne@127.0.0.1:1/oryne',
      REDIS_URL: process.env.REDIS_URL,
    })
    cleanup(async () => void (await server.stop('SIGKILL')))
    await server.waitFor(/listening on/)

    const response = await getJson(`http://127.0.0.1:${port}/health/ready`)
    assert.equal(response.status, 503)
    assert.equal(response.body.error.details.checks.database.status, 'error')
    assert.equal(response.body.error.details.checks.redis.status, 'ok')
  })
})

test.group('oryne up (embedded default)', () => {
  test('starts embedded PostgreSQL and Redis, serves, stops them on SIGTERM and keeps the data for the next run', async ({
    assert,
    cleanup,
  }) => {
    const storage = await mkdtemp(join(tmpdir(), 'oryne-up-'))
    cleanup(() => rm(storage, { recursive: true, force: true }))
    const port = await getPort()
    const env = { ORYNE_STORAGE_DIR: storage, DATABASE_URL: '', REDIS_URL: '', PORT: String(port) }

    const first = startOryne(['up'], env)
    cleanup(async () => void (await first.stop('SIGKILL')))
    await first.waitFor(/Oryne is up/, 90_000)
    assert.match(first.output(), /Migrations \d+ applied/)
    // The URLs it prints are the ones another tool connects with.
    const databaseUrl = first.output().match(/PostgreSQL (postgres:\/\/\S+) \(embedded/)?.[1]
    const redisUrl = first.output().match(/Redis +(redis:\/\/\S+) \(redis-server/)?.[1]
    assert.isString(databaseUrl, first.output())
    assert.isString(redisUrl, first.output())
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    const { rows } = await client.query("SELECT slug FROM tenants WHERE slug = 'demo'")
    await client.end()
    assert.deepEqual(rows, [{ slug: 'demo' }])
    const redisClient = new Redis(redisUrl!, { lazyConnect: true })
    await redisClient.connect()
    assert.equal(await redisClient.ping(), 'PONG')
    redisClient.disconnect()
    const ready = await getJson(`http://127.0.0.1:${port}/health/ready`)
    assert.equal(ready.status, 200)
    assert.match(first.output(), /Demo tenant demo \(active, created now\)/)
    assert.match(first.output(), /admin admin@demo\.oryne\.local, invite token \S{20,}/)
    const demo = await fetch(`http://127.0.0.1:${port}/api/v1/tenant`, {
      headers: { 'x-tenant-id': 'demo' },
    })
    assert.equal(demo.status, 200)
    assert.equal(((await demo.json()) as { data: { name: string } }).data.name, 'Oryne Demo School')

    const postgres = await readState(join(storage, 'postgres.state.json'))
    const redis = await readState(join(storage, 'redis', 'state.json'))
    assert.isTrue(isAlive(postgres!.pid))
    assert.isTrue(isAlive(redis!.pid))

    assert.equal(await first.stop('SIGTERM'), 0)
    assert.isFalse(isAlive(postgres!.pid))
    assert.isFalse(isAlive(redis!.pid))
    assert.isFalse(existsSync(join(storage, 'postgres.state.json')))

    const second = startOryne(['up'], env)
    cleanup(async () => void (await second.stop('SIGKILL')))
    await second.waitFor(/Oryne is up/, 60_000)
    assert.match(second.output(), /Migrations up to date/)
    assert.match(second.output(), /Demo tenant demo \(active\)/)
    assert.equal(await second.stop('SIGINT'), 0)
  }).timeout(180_000)
})

test.group('oryne worker', () => {
  test('starts on bull and exits 0 on SIGTERM', async ({ assert, cleanup }) => {
    const worker = startOryne(['worker'], {
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
    })
    cleanup(async () => void (await worker.stop('SIGKILL')))
    await worker.waitFor(/Oryne worker \(bull\)/)
    assert.equal(await worker.stop('SIGTERM'), 0)
  })
})
