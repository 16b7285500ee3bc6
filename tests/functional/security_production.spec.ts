import { test } from '@japa/runner'
import getPort from 'get-port'
import { startOryne } from '#tests/support/cli'

test.group('A production server configured through the environment', () => {
  test('sends HSTS, allows only the listed origins, applies env limits and body size', async ({
    assert,
    cleanup,
  }) => {
    const port = await getPort()
    const server = startOryne(['serve', '--port', String(port), '--host', '127.0.0.1'], {
      NODE_ENV: 'production',
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      // Counters of its own: the limits differ from this process's.
      ORYNE_REDIS_PREFIX: `${process.env.ORYNE_REDIS_PREFIX}-production`,
      ORYNE_CORS_ORIGINS: 'https://app.school.example',
      ORYNE_RATE_LIMIT_ANONYMOUS: '3/1m',
      ORYNE_BODY_LIMIT: '2kb',
    })
    cleanup(async () => void (await server.stop('SIGKILL')))
    await server.waitFor(/listening on/)
    const url = (path: string) => `http://127.0.0.1:${port}${path}`

    const live = await fetch(url('/health/live'))
    assert.equal(
      live.headers.get('strict-transport-security'),
      'max-age=31536000; includeSubDomains'
    )
    assert.equal(live.headers.get('x-content-type-options'), 'nosniff')

    const preflight = (origin: string) =>
      fetch(url('/api/v1/openapi.json'), {
        method: 'OPTIONS',
        headers: { 'origin': origin, 'access-control-request-method': 'GET' },
      })
    const listed = await preflight('https://app.school.example')
    assert.equal(listed.headers.get('access-control-allow-origin'), 'https://app.school.example')
    const unlisted = await preflight('https://evil.example')
    assert.equal(unlisted.status, 204)
    assert.isNull(unlisted.headers.get('access-control-allow-origin'))

    const tooBig = await fetch(url('/api/v1/auth/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.example', password: 'x'.repeat(4000) }),
    })
    assert.equal(tooBig.status, 413)

    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await fetch(url('/api/v1/openapi.json'))).status)
    assert.deepEqual(statuses, [200, 200, 200, 429])

    assert.equal(await server.stop('SIGTERM'), 0)
  })
})
