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
import { enableUnloadable, forgetUnloadable } from '#tests/support/broken_plugins'
import { startOryne } from '#tests/support/cli'

async function getJson(url: string) {
  const response = await fetch(url)
  return { status: response.status, body: (await response.json()) as any }
}

/** Runs `work` on a client whose search path is the demo tenant's schema. */
async function withDemoSchema<T>(
  connectionString: string,
  work: (client: pg.Client) => Promise<T>
) {
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    const { rows } = await client.query("SELECT schema_name FROM tenants WHERE slug = 'demo'")
    await client.query(`SET search_path TO "${rows[0].schema_name}"`)
    return await work(client)
  } finally {
    await client.end()
  }
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

test.group('oryne serve with a plugin that cannot load', () => {
  test('logs the plugin and why; /health/ready is 503 naming it only while a tenant has it enabled', async ({
    assert,
    cleanup,
  }) => {
    const port = await getPort()
    const server = startOryne(['serve', '--port', String(port), '--host', '127.0.0.1'], {
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      ORYNE_PLUGIN_PATHS: 'tests/fixtures/broken-plugins',
    })
    cleanup(async () => void (await server.stop('SIGKILL')))
    await server.waitFor(/listening on/)
    const logged = server
      .output()
      .split('\n')
      .filter((line) => line.includes('"plugin":"exploding"'))
      .map((line) => JSON.parse(line))
    assert.lengthOf(logged, 1, server.output())
    assert.equal(logged[0].level, 50) // error
    assert.match(
      logged[0].msg,
      /^plugin exploding is unavailable: could not be loaded: .*@oryne\/not-installed-anywhere/
    )
    const ready = () => getJson(`http://127.0.0.1:${port}/health/ready`)

    const unused = await ready()
    assert.equal(unused.status, 200)
    assert.equal(unused.body.data.checks.plugins.status, 'warning')

    const slug = await enableUnloadable('exploding')
    cleanup(() => forgetUnloadable('exploding'))
    const used = await ready()
    assert.equal(used.status, 503)
    assert.equal(used.body.error.code, 'ERR_SERVICE_UNAVAILABLE')
    const plugins = used.body.error.details.checks.plugins
    assert.equal(plugins.status, 'error')
    assert.match(
      plugins.message,
      /enabled for a tenant cannot load: exploding .*not-installed-anywhere/
    )
    assert.deepEqual(plugins.meta.unavailable[0].enabled_for, [slug])
    assert.equal(used.body.error.details.checks.database.status, 'ok')

    await forgetUnloadable('exploding')
    assert.equal((await ready()).status, 200)
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
    // The web app it points people at is served (built on this first request).
    const webUrl = first.output().match(/Web app +(http:\/\/\S+)/)?.[1]
    assert.isString(webUrl, first.output())
    const web = await fetch(webUrl!)
    assert.equal(web.status, 200)
    assert.include(await web.text(), '/app/assets/')
    const inviteToken = first
      .output()
      .match(/admin admin@demo\.oryne\.local, invite token (\S{20,})/)?.[1]
    assert.isString(inviteToken, first.output())
    const demo = await fetch(`http://127.0.0.1:${port}/api/v1/tenant`, {
      headers: { 'x-tenant-id': 'demo' },
    })
    assert.equal(demo.status, 200)
    assert.equal(((await demo.json()) as { data: { name: string } }).data.name, 'Oryne Demo School')
    // The printed token works; the admin signs up, and a platform admin then changes their roles.
    const accepted = await fetch(`http://127.0.0.1:${port}/api/v1/auth/invite/accept`, {
      method: 'POST',
      headers: { 'x-tenant-id': 'demo', 'content-type': 'application/json' },
      body: JSON.stringify({ token: inviteToken, password: 'Up-Twice-2026!' }),
    })
    assert.equal(accepted.status, 200, await accepted.clone().text())
    const adminRoles = (connectionString: string, change?: string) =>
      withDemoSchema(connectionString, async (demoDb) => {
        if (change) await demoDb.query(change)
        const { rows: roles } = await demoDb.query(
          `SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
            JOIN users u ON u.id = ur.user_id WHERE u.email = 'admin@demo.oryne.local' ORDER BY r.name`
        )
        return roles.map((role) => role.name as string)
      })
    const roles = await adminRoles(
      databaseUrl!,
      `INSERT INTO user_roles (user_id, role_id)
         SELECT u.id, r.id FROM users u, roles r WHERE u.email = 'admin@demo.oryne.local' AND r.name = 'Teacher';
       DELETE FROM user_roles WHERE role_id = (SELECT id FROM roles WHERE name = 'TenantAdmin')
         AND user_id = (SELECT id FROM users WHERE email = 'admin@demo.oryne.local')`
    )
    assert.deepEqual(roles, ['Teacher'])

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
    // The admin has signed up: no token to print, and their roles are left as they were.
    assert.notMatch(second.output(), /invite token/)
    assert.match(second.output(), /admin admin@demo\.oryne\.local: no invite pending/)
    const secondUrl = second.output().match(/PostgreSQL (postgres:\/\/\S+) \(embedded/)?.[1]
    assert.deepEqual(await adminRoles(secondUrl!), roles)
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
