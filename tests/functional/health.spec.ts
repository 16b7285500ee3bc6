import { test } from '@japa/runner'

test.group('Health endpoints', () => {
  test('GET /health/live answers ok in the envelope with a request id', async ({
    client,
    assert,
  }) => {
    const response = await client.get('/health/live')
    response.assertStatus(200)
    const body = response.body()
    assert.isTrue(body.success)
    assert.deepEqual(body.data, { status: 'ok' })
    assert.isNull(body.error)
    assert.match(response.header('x-request-id') ?? '', /^[0-9a-f-]{36}$/)
    assert.equal(body.meta.request_id, response.header('x-request-id'))
    assert.isFalse(Number.isNaN(Date.parse(body.meta.timestamp)))
  })

  test('a caller-supplied X-Request-Id is echoed back', async ({ client, assert }) => {
    const response = await client.get('/health/live').header('X-Request-Id', 'trace-42')
    assert.equal(response.header('x-request-id'), 'trace-42')
    assert.equal(response.body().meta.request_id, 'trace-42')
  })

  test('GET /health/ready reports PostgreSQL and Redis as ok', async ({ client, assert }) => {
    const response = await client.get('/health/ready')
    response.assertStatus(200)
    const { checks } = response.body().data
    assert.equal(checks.database.status, 'ok')
    assert.equal(checks.redis.status, 'ok')
  })
})
