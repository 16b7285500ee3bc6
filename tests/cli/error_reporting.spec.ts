import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import getPort from 'get-port'
import { signedInAs } from '#tests/support/access'
import { PASSWORD } from '#tests/support/auth'
import { runOryneProcess, startOryne } from '#tests/support/cli'
import { startErrorCollector } from '#tests/support/error_collector'
import { activeTenant } from '#tests/support/tenants'

/*
 * SENTRY_DSN turns on error reporting: an `oryne serve` process sends its
 * server faults to a collector speaking Sentry's envelope protocol.
 */
test.group('Error reporting', () => {
  test('a 500 reaches the collector with its request id, tenant and route; 4xx answers and secrets do not', async ({
    assert,
    cleanup,
  }) => {
    const tenant = await activeTenant()
    const host = await app.container.make('oryne.plugins')
    await host.enable(tenant, ['crash-probe'], { actor: 'test' })
    const token = await signedInAs(tenant, `bug@${tenant.slug}.example`, ['TenantAdmin'])
    const collector = await startErrorCollector()
    cleanup(() => collector.close())
    const port = await getPort()
    const server = startOryne(['serve', '--port', String(port), '--host', '127.0.0.1'], {
      SENTRY_DSN: collector.dsn,
      SENTRY_ENVIRONMENT: 'staging',
      SENTRY_RELEASE: 'oryne@test-release',
    })
    cleanup(async () => void (await server.stop('SIGKILL')))
    await server.waitFor(/listening on/, 90_000)

    const call = (method: string, path: string, body?: object) =>
      fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
        method,
        headers: {
          'authorization': `Bearer ${token}`,
          'x-tenant-id': tenant.slug,
          'content-type': 'application/json',
        },
        body: body ? JSON.stringify(body) : undefined,
      })
    // Client mistakes first: not found, validation, bad credentials.
    assert.equal((await call('GET', '/crash-probe/nothing-here')).status, 404)
    assert.equal((await call('POST', '/auth/login', { email: 'x' })).status, 400)
    const wrongPassword = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'x-tenant-id': tenant.slug, 'content-type': 'application/json' },
      body: JSON.stringify({ email: `bug@${tenant.slug}.example`, password: `${PASSWORD}-no` }),
    })
    assert.equal(wrongPassword.status, 401)

    const response = await call('GET', '/crash-probe/boom')
    assert.equal(response.status, 500)
    const body = (await response.json()) as {
      error: { code: string; message: string }
      meta: { request_id: string }
    }
    assert.equal(body.error.code, 'ERR_INTERNAL')
    assert.notInclude(JSON.stringify(body), 'crash probe exploded')

    const report = await collector.waitFor((event) =>
      Boolean(event.exception?.values.some((value) => value.value === 'crash probe exploded'))
    )
    assert.include(report.tags, {
      request_id: body.meta.request_id,
      tenant_id: tenant.id,
      method: 'GET',
      status: '500',
      code: 'ERR_INTERNAL',
    })
    assert.match(report.tags!.route, /crash-probe\/boom$/)
    assert.equal(report.environment, 'staging')
    assert.equal(report.release, 'oryne@test-release')
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())
    assert.equal(report.user?.id, claims.sub)
    assert.equal(report.tags?.principal, 'user')
    const frames = report.exception!.values[0].stacktrace!.frames as Array<{ filename: string }>
    assert.isTrue(frames.some((frame) => frame.filename.endsWith('crash-probe/plugin.ts')))
    assert.match(collector.auth[0], /sentry_key=oryneTest/)

    // Only the fault was reported, and nothing secret travelled with it.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    assert.lengthOf(collector.events, 1)
    const sent = collector.raw.join('\n')
    assert.notInclude(sent, token)
    assert.notInclude(sent, PASSWORD)
    assert.notInclude(sent, `bug@${tenant.slug}.example`)
  }).timeout(180_000)

  test('a DSN that is not one stops the boot with a clear message instead of reporting nowhere', async ({
    assert,
  }) => {
    // a real process: the boot itself refuses the DSN
    const result = await runOryneProcess(['doctor', '--json'], {
      SENTRY_DSN: 'https://sentry.example/42',
    })
    assert.equal(result.code, 1)
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } }
    assert.equal(error.code, 'ERR_CONFIG_INVALID')
    assert.include(error.message, 'SENTRY_DSN is not a Sentry DSN')
    assert.notMatch(result.stdout + result.stderr, /^\s+at /m)
  }).timeout(60_000)
})
