import { test } from '@japa/runner'
import { testTenant } from '@oryne/sdk/testing'

const token = () => process.env.ORYNE_PLATFORM_TOKEN!

test.group('Error envelope', () => {
  test('an unknown route is a 404 ERR_NOT_FOUND envelope', async ({ client, assert }) => {
    const response = await client.get('/api/v1/nothing-here')
    response.assertStatus(404)
    const body = response.body()
    assert.isFalse(body.success)
    assert.isNull(body.data)
    assert.equal(body.error.code, 'ERR_NOT_FOUND')
    assert.include(body.error.message, '/api/v1/nothing-here')
    assert.isString(body.error.hint)
    assert.equal(body.meta.request_id, response.header('x-request-id'))
  })

  test('a wrong method on a known path is a 405 ERR_METHOD_NOT_ALLOWED naming the methods it has', async ({
    client,
    assert,
  }) => {
    const response = await client.delete('/api/v1/platform/queues')
    response.assertStatus(405)
    assert.equal(response.header('allow'), 'GET, HEAD, OPTIONS')
    const body = response.body()
    assert.isFalse(body.success)
    assert.isNull(body.data)
    assert.equal(body.error.code, 'ERR_METHOD_NOT_ALLOWED')
    assert.deepEqual(body.error.details.allow, ['GET', 'HEAD', 'OPTIONS'])
    assert.isString(body.error.hint)
    assert.equal(body.meta.request_id, response.header('x-request-id'))

    // A plain OPTIONS (no CORS preflight) is answered with the same list.
    const options = await client.options('/api/v1/platform/queues')
    options.assertStatus(204)
    assert.equal(options.header('allow'), 'GET, HEAD, OPTIONS')
  })

  test('a plugin path answers 405 where the plugin is enabled, and the module-disabled error where it is not', async ({
    client,
    assert,
  }) => {
    const enabled = await testTenant({ plugins: ['journal'] })
    const wrong = await client.put('/api/v1/journal/entries').header('x-tenant-id', enabled.slug)
    wrong.assertStatus(405)
    assert.equal(wrong.header('allow'), 'GET, HEAD, POST, OPTIONS')
    assert.equal(wrong.body().error.code, 'ERR_METHOD_NOT_ALLOWED')

    const disabled = await testTenant()
    const hidden = await client.put('/api/v1/journal/entries').header('x-tenant-id', disabled.slug)
    hidden.assertStatus(404)
    assert.equal(hidden.body().error.code, 'ERR_PLUGIN_DISABLED')
    assert.isUndefined(hidden.header('allow'))
  })

  test('invalid query input is a 400 ERR_VALIDATION with field details', async ({
    client,
    assert,
  }) => {
    const response = await client
      .get('/api/v1/platform/queues/default/failed')
      .qs({ limit: 'many' })
      .bearerToken(token())
    response.assertStatus(400)
    const { error } = response.body()
    assert.equal(error.code, 'ERR_VALIDATION')
    assert.equal(error.details[0].field, 'limit')
  })

  test('out-of-range input is refused the same way', async ({ client, assert }) => {
    const response = await client
      .get('/api/v1/platform/queues/default/failed')
      .qs({ limit: 100000 })
      .bearerToken(token())
    response.assertStatus(400)
    assert.equal(response.body().error.code, 'ERR_VALIDATION')
  })

  test('malformed JSON is a 400 ERR_BAD_REQUEST, not a 500', async ({ assert }) => {
    const response = await fetch(
      `http://${process.env.HOST}:${process.env.PORT}/api/v1/platform/queues/default/jobs/1/retry`,
      {
        method: 'POST',
        headers: { 'authorization': `Bearer ${token()}`, 'content-type': 'application/json' },
        body: '{"broken":',
      }
    )
    assert.equal(response.status, 400)
    const body = (await response.json()) as { success: boolean; error: { code: string } }
    assert.isFalse(body.success)
    assert.equal(body.error.code, 'ERR_BAD_REQUEST')
  })

  test('platform routes need the platform token', async ({ client, assert }) => {
    const missing = await client.get('/api/v1/platform/queues')
    missing.assertStatus(401)
    assert.equal(missing.body().error.code, 'ERR_AUTH_REQUIRED')

    const wrong = await client.get('/api/v1/platform/queues').bearerToken('not-the-token')
    wrong.assertStatus(401)
    assert.equal(wrong.body().error.code, 'ERR_AUTH_INVALID_TOKEN')
  })
})
