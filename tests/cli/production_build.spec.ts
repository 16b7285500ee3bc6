import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from '@japa/runner'
import getPort from 'get-port'
import { Redis } from 'ioredis'
import { enableUnloadable, forgetUnloadable } from '#tests/support/broken_plugins'
import { startOryne } from '#tests/support/cli'
import { startPgBouncer } from '#tests/support/pgbouncer'
import { PLATFORM_TOKEN, uniqueSlug } from '#tests/support/tenants'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BUILD = join(ROOT, 'build')

/**
 * build/node_modules as `npm ci --omit=dev` would lay it out, from the
 * project's installed packages (nothing is downloaded in a test), with the
 * SDK workspace package pointing at its compiled copy in build/.
 */
function linkPackages() {
  const target = join(BUILD, 'node_modules')
  mkdirSync(join(target, '@oryne'), { recursive: true })
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry === '@oryne' || existsSync(join(target, entry))) continue
    symlinkSync(join(ROOT, 'node_modules', entry), join(target, entry))
  }
  symlinkSync(join(BUILD, 'packages/sdk'), join(target, '@oryne/sdk'))
}

/*
 * The production build (`npm run build`) started as operators start it:
 * compiled JavaScript on Node 24 without the TypeScript loader, NODE_ENV=
 * production, PostgreSQL through PgBouncer in transaction mode, a real
 * Redis, the API and a worker as separate processes, migrations run first
 * as their own step.
 */
test.group('The production build', () => {
  test('builds, migrates, serves and runs jobs in production mode behind PgBouncer', async ({
    assert,
    cleanup,
  }) => {
    const built = spawnSync(process.execPath, [join(ROOT, 'bin/build.js')], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    assert.equal(built.status, 0, `${built.stdout}\n${built.stderr}`)
    assert.isTrue(existsSync(join(BUILD, 'bin/server.js')))
    assert.isFalse(existsSync(join(BUILD, 'core/http/listen.ts')), 'no TypeScript in the build')

    const bouncer = await startPgBouncer(process.env.DATABASE_URL!, 5)
    cleanup(() => bouncer.stop())
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: bouncer.url,
      REDIS_URL: process.env.REDIS_URL,
      ORYNE_REDIS_PREFIX: `${process.env.ORYNE_REDIS_PREFIX}-build`,
      // No TypeScript loader may be inherited from the test runner.
      NODE_OPTIONS: '',
    }

    // Started before the build's own dependencies are installed: its plugins cannot load
    // @oryne/sdk. Each is logged, and readiness fails once a tenant has one enabled.
    const early = await getPort()
    const unready = startOryne(['--port', String(early), '--host', '127.0.0.1'], env, {
      bin: join(BUILD, 'bin/server.js'),
    })
    cleanup(async () => void (await unready.stop('SIGKILL')))
    await unready.waitFor(/listening on/, 90_000)
    assert.match(unready.output(), /"level":50.*plugin erp is unavailable: could not be loaded/)
    await enableUnloadable('erp')
    cleanup(() => forgetUnloadable('erp'))
    const notReady = await fetch(`http://127.0.0.1:${early}/health/ready`)
    assert.equal(notReady.status, 503)
    assert.match(await notReady.text(), /enabled for a tenant cannot load: .*erp/)
    await forgetUnloadable('erp')
    await unready.stop('SIGKILL')
    linkPackages()
    const cli = join(BUILD, 'bin/cli.js')
    const migrate = spawnSync(process.execPath, [cli, 'migrate', '--json'], {
      cwd: BUILD,
      encoding: 'utf8',
      env: { ...process.env, ...env, DATABASE_URL: process.env.DATABASE_URL },
    })
    assert.equal(migrate.status, 0, `${migrate.stdout}\n${migrate.stderr}`)

    const port = await getPort()
    const server = startOryne(['--port', String(port), '--host', '127.0.0.1'], env, {
      bin: join(BUILD, 'bin/server.js'),
    })
    const worker = startOryne(['worker', '--no-schedules'], env, { bin: cli })
    cleanup(async () => {
      await server.stop('SIGKILL')
      await worker.stop('SIGKILL')
    })
    await worker.waitFor(/Oryne worker/, 90_000)
    // Workers started with --no-schedules declare no repeatable job; the one scheduler does.
    const redis = new Redis(process.env.REDIS_URL!)
    cleanup(() => void redis.disconnect())
    const repeatKeys = () => redis.keys(`${env.ORYNE_REDIS_PREFIX}:*:repeat`)
    assert.deepEqual(await repeatKeys(), [])
    const scheduler = startOryne(['scheduler'], env, { bin: cli })
    cleanup(async () => void (await scheduler.stop('SIGKILL')))
    await scheduler.waitFor(/repeatable jobs declared/, 90_000)
    assert.isAbove((await repeatKeys()).length, 0)
    await server.waitFor(/listening on/, 90_000)
    const url = (path: string) => `http://127.0.0.1:${port}${path}`
    const platform = (path: string, init: RequestInit = {}) =>
      fetch(url(`/api/v1/platform${path}`), {
        ...init,
        headers: {
          'authorization': `Bearer ${PLATFORM_TOKEN()}`,
          'content-type': 'application/json',
        },
      })

    assert.equal((await fetch(url('/health/live'))).status, 200)
    assert.equal((await fetch(url('/health/ready'))).status, 200)
    // The admin console ships prebuilt: production has no Vite to build it.
    const consolePage = await fetch(url('/console'))
    assert.equal(consolePage.status, 200)
    assert.include(consolePage.headers.get('content-type') ?? '', 'text/html')
    // So does the web app, with the built-in plugins' pages bundled and its service worker at its root.
    const webPage = await fetch(url('/app/'))
    assert.equal(webPage.status, 200)
    assert.include(await webPage.text(), '/app/assets/')
    assert.equal((await fetch(url('/app/sw.js'))).status, 200)

    // Provisioning is a queued job: the worker process runs it.
    const slug = uniqueSlug('build')
    const created = await platform('/tenants', {
      method: 'POST',
      body: JSON.stringify({ slug, name: 'Built School', admin_email: `admin@${slug}.example` }),
    })
    assert.equal(created.status, 202, await created.clone().text())
    let status = ''
    for (let i = 0; i < 120 && status !== 'active'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      status = ((await (await platform(`/tenants/${slug}`)).json()) as any).data.status
    }
    assert.equal(status, 'active', worker.output())

    const enabled = await platform(`/tenants/${slug}/plugins/erp/enable`, {
      method: 'POST',
      body: '{}',
    })
    assert.equal(enabled.status, 200, await enabled.clone().text())
    const tenantCall = (path: string, init: RequestInit = {}) =>
      fetch(url(`/api/v1${path}`), {
        ...init,
        headers: {
          'authorization': `Bearer ${PLATFORM_TOKEN()}`,
          'content-type': 'application/json',
          'x-tenant-id': slug,
        },
      })
    const student = await tenantCall('/erp/students', {
      method: 'POST',
      body: JSON.stringify({ enrollment_no: 'P-1', first_name: 'Prod', last_name: 'Uction' }),
    })
    assert.equal(student.status, 201, await student.clone().text())
    const found = (await (await tenantCall('/search?q=uction&types=erp.students')).json()) as any
    assert.deepEqual(
      found.data.map((hit: any) => hit.record.enrollment_no),
      ['P-1']
    )

    // Production errors: enveloped, no stack trace.
    const missing = await fetch(url('/api/v1/no-such-thing'))
    assert.equal(missing.status, 404)
    const body = await missing.text()
    assert.equal(JSON.parse(body).success, false)
    assert.notMatch(body, /at .*\.js:\d+/)

    assert.equal(await server.stop('SIGTERM'), 0)
    assert.equal(await worker.stop('SIGTERM'), 0)
    assert.equal(await scheduler.stop('SIGTERM'), 0)
  }).timeout(600_000)
})
