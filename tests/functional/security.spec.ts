import { test } from '@japa/runner'
import { corsOrigins } from '#config/cors'

const base = () => `http://${process.env.HOST}:${process.env.PORT}`

function assertSecurityHeaders(assert: any, headers: Headers) {
  assert.equal(headers.get('x-content-type-options'), 'nosniff')
  assert.equal(headers.get('x-frame-options'), 'DENY')
  assert.equal(headers.get('referrer-policy'), 'no-referrer')
  assert.include(headers.get('content-security-policy'), "frame-ancestors 'none'")
  // Outside production (no TLS in front), no HSTS.
  assert.isNull(headers.get('strict-transport-security'))
}

test.group('Security headers', () => {
  test('every answer carries them: success, error envelope, unknown route', async ({ assert }) => {
    for (const [path, status] of [
      ['/health/live', 200],
      ['/api/v1/platform/queues', 401],
      ['/api/v1/no-such-route', 404],
    ] as const) {
      const response = await fetch(`${base()}${path}`)
      assert.equal(response.status, status, path)
      assertSecurityHeaders(assert, response.headers)
      assert.include(response.headers.get('content-security-policy'), "default-src 'none'")
    }
  })

  test('/docs may run its own scripts and styles, from this origin only', async ({ assert }) => {
    const response = await fetch(`${base()}/docs`)
    assert.equal(response.status, 200)
    assertSecurityHeaders(assert, response.headers)
    const policy = response.headers.get('content-security-policy')!
    assert.include(policy, "script-src 'self'")
    assert.notInclude(policy, "script-src 'self' 'unsafe-inline'")
    assert.include(policy, "connect-src 'self'")
  })
})

test.group('CORS', () => {
  test('outside production any origin may call, with the headers clients need', async ({
    assert,
  }) => {
    const origin = 'https://app.school.example'
    const preflight = await fetch(`${base()}/api/v1/auth/login`, {
      method: 'OPTIONS',
      headers: {
        'origin': origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-tenant-id',
      },
    })
    assert.equal(preflight.status, 204)
    assert.equal(preflight.headers.get('access-control-allow-origin'), origin)
    assert.include(preflight.headers.get('access-control-allow-methods'), 'PATCH')
    assert.include(preflight.headers.get('access-control-allow-headers'), 'x-tenant-id')
    assert.isNull(preflight.headers.get('access-control-allow-credentials'))

    const simple = await fetch(`${base()}/health/live`, { headers: { origin } })
    assert.equal(simple.headers.get('access-control-allow-origin'), origin)
    const exposed = simple.headers.get('access-control-expose-headers')!
    for (const header of ['x-request-id', 'x-ratelimit-remaining', 'retry-after'])
      assert.include(exposed, header)
  })

  test('ORYNE_CORS_ORIGINS: a list, *, none; unset means none in production', ({ assert }) => {
    assert.deepEqual(corsOrigins('https://a.example, https://b.example/', true), [
      'https://a.example',
      'https://b.example',
    ])
    assert.isTrue(corsOrigins('*', true))
    assert.isFalse(corsOrigins('none', false))
    assert.isFalse(corsOrigins(undefined, true))
    assert.isTrue(corsOrigins(undefined, false))
  })
})

test.group('Body size', () => {
  test('a body over the limit is refused with 413 ERR_PAYLOAD_TOO_LARGE, enveloped', async ({
    assert,
  }) => {
    const response = await fetch(`${base()}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant-id': 'anyone' },
      body: JSON.stringify({ email: 'a@b.example', password: 'x'.repeat(1_100_000) }),
    })
    assert.equal(response.status, 413)
    const body = (await response.json()) as any
    assert.isFalse(body.success)
    assert.equal(body.error.code, 'ERR_PAYLOAD_TOO_LARGE')
    assertSecurityHeaders(assert, response.headers)
  })
})
