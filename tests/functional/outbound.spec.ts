import { test } from '@japa/runner'
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ok, openSchool, type School } from '@oryne/sdk/testing'
import type { ApiClient } from '@japa/api-client'

/*
 * Outbound calls (docs/operations.md, "Security") seen from the student who
 * pays by card: the tenant admin points the e-store's card gateway at an
 * address, and whatever that address does — private, redirecting, slow,
 * flooding, answering HTML — the student gets a stable error without a byte
 * of the upstream's answer, and nothing is sent where Oryne may not go.
 */

const SECRET = 'INTERNAL-ADMIN-PANEL-root:hunter2'

/** An "internal service" on 127.0.0.1 with one behaviour per path prefix. */
class Upstream {
  hits: string[] = []
  #server!: Server
  url = ''

  async start() {
    this.#server = createServer((req, res) => this.#handle(req, res))
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  async stop() {
    this.#server.closeAllConnections()
    await new Promise((resolve) => this.#server.close(resolve))
  }

  #handle(req: IncomingMessage, res: ServerResponse) {
    this.hits.push(req.url ?? '')
    req.resume()
    const [, mode] = (req.url ?? '').split('/')
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'connection': 'close' })
      res.end(JSON.stringify(body))
    }
    switch (mode) {
      case 'ok':
        return json(200, { id: 'cs_1', url: 'https://pay.example/cs_1', status: 'open', amount: 1 })
      case 'secret':
        return json(500, { error: SECRET })
      case 'redirect':
        res.writeHead(307, { location: `${this.url}/target/v1/checkout/sessions` })
        return res.end(SECRET)
      case 'big':
        return json(200, { id: 'cs_1', padding: 'x'.repeat(200_000), note: SECRET })
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' })
        return res.end(`<html><body>${SECRET}</body></html>`)
      case 'slow':
        return // never answers
      default:
        return json(404, { error: SECRET })
    }
  }
}

type Who = 'head' | 'staff' | 'student'

async function cardOrder(school: School<Who>) {
  const staff = school.as('staff')
  const category = await ok(staff.post('/estore/categories').json({ name: 'Uniforms' }), 201)
  const product = await ok(
    staff
      .post('/estore/products')
      .json({ category_id: category.id, name: 'Polo', status: 'active' }),
    201
  )
  const variant = await ok(
    staff.post('/estore/variants').json({ product_id: product.id, sku: 'POLO', price: 1000 }),
    201
  )
  await ok(staff.post(`/estore/variants/${variant.id}/stock`).json({ quantity: 50 }), 200)
  const student = school.as('student')
  await ok(student.put('/estore/cart/items').json({ variant_id: variant.id, quantity: 1 }))
  return ok(student.post('/estore/checkout').json({ payment_method: 'card' }), 201)
}

test.group('Outbound calls: the card gateway', (group) => {
  const upstream = new Upstream()
  let school: School<Who>
  let orderId: string
  let attempt = 0
  const saved = {
    allow: process.env.ORYNE_OUTBOUND_ALLOW,
    timeout: process.env.ORYNE_OUTBOUND_TIMEOUT_MS,
  }

  group.setup(async () => {
    await upstream.start()
    return async () => {
      await upstream.stop()
      if (saved.allow === undefined) delete process.env.ORYNE_OUTBOUND_ALLOW
      else process.env.ORYNE_OUTBOUND_ALLOW = saved.allow
      if (saved.timeout === undefined) delete process.env.ORYNE_OUTBOUND_TIMEOUT_MS
      else process.env.ORYNE_OUTBOUND_TIMEOUT_MS = saved.timeout
    }
  })
  group.each.setup(async () => {
    delete process.env.ORYNE_OUTBOUND_ALLOW
    delete process.env.ORYNE_OUTBOUND_TIMEOUT_MS
  })
  group.each.timeout(60_000)

  async function schoolWithOrder(client: ApiClient) {
    if (!school) {
      school = await openSchool(client, {
        plugins: ['estore'],
        people: { head: 'TenantAdmin', staff: 'Staff', student: 'Student' },
      })
      orderId = (await cardOrder(school)).id
    }
    return school
  }

  /** Points the gateway at `url`, then the student asks for a card session. */
  async function payThrough(client: ApiClient, url: string) {
    await schoolWithOrder(client)
    await ok(
      school.as('head').patch('/admin/plugins/estore/settings').json({
        card_api_url: url,
        card_api_key: 'sk_test',
        card_webhook_secret: 'whsec_test',
      })
    )
    attempt++
    return school
      .as('student')
      .post(`/estore/orders/${orderId}/card-session`)
      .header('idempotency-key', `outbound-${attempt}`)
  }

  function assertProviderError(assert: any, response: any, upstreamCode: string, status = 502) {
    assert.equal(response.status(), status, JSON.stringify(response.body()))
    const error = response.body().error
    assert.equal(error.code, 'ERR_ESTORE_PROVIDER_UNAVAILABLE')
    assert.deepEqual(error.details, { upstream: upstreamCode })
    assert.notInclude(JSON.stringify(response.body()), SECRET)
    assert.notInclude(JSON.stringify(response.body()), '127.0.0.1')
  }

  test('a gateway at a loopback or private address is refused unless allowed, and nothing is sent', async ({
    client,
    assert,
  }) => {
    for (const url of [
      `${upstream.url}/ok`,
      // Resolved names are judged in the socket's lookup: the answer that is checked is the one connected to.
      upstream.url.replace('127.0.0.1', 'localhost') + '/ok',
      upstream.url.replace('127.0.0.1', '[::ffff:127.0.0.1]') + '/ok',
      'http://169.254.169.254/latest',
      'http://10.0.0.1/ok',
      'http://[fd00::1]/ok',
      'http://[64:ff9b::a9fe:a9fe]/ok',
    ]) {
      const before = upstream.hits.length
      const response = await payThrough(client, url)
      assertProviderError(assert, response, 'ERR_UPSTREAM_ADDRESS_REFUSED')
      assert.equal(upstream.hits.length, before, `${url} was called`)
    }

    // Allowed by the operator: the same gateway works.
    process.env.ORYNE_OUTBOUND_ALLOW = '127.0.0.1/32'
    const allowed = await payThrough(client, `${upstream.url}/ok`)
    allowed.assertStatus(201)
    assert.equal(allowed.body().data.redirect_url, 'https://pay.example/cs_1')
  })

  test("an upstream's error answer never reaches the student", async ({ client, assert }) => {
    process.env.ORYNE_OUTBOUND_ALLOW = '127.0.0.1/32'
    const response = await payThrough(client, `${upstream.url}/secret`)
    assertProviderError(assert, response, 'ERR_UPSTREAM_STATUS')
    assert.include(response.body().error.message, 'HTTP 500')
  })

  test('a redirect from the gateway is not followed', async ({ client, assert }) => {
    process.env.ORYNE_OUTBOUND_ALLOW = '127.0.0.1/32'
    const response = await payThrough(client, `${upstream.url}/redirect`)
    assertProviderError(assert, response, 'ERR_UPSTREAM_REDIRECT')
    assert.isFalse(upstream.hits.some((path) => path.startsWith('/target')))
  })

  test('an answer over the size limit is cut off', async ({ client, assert }) => {
    process.env.ORYNE_OUTBOUND_ALLOW = '127.0.0.1/32'
    const response = await payThrough(client, `${upstream.url}/big`)
    assertProviderError(assert, response, 'ERR_UPSTREAM_TOO_LARGE')
  })

  test('a gateway that does not answer in time fails the call', async ({ client, assert }) => {
    process.env.ORYNE_OUTBOUND_ALLOW = '127.0.0.1/32'
    process.env.ORYNE_OUTBOUND_TIMEOUT_MS = '500'
    const started = Date.now()
    const response = await payThrough(client, `${upstream.url}/slow`)
    assertProviderError(assert, response, 'ERR_UPSTREAM_TIMEOUT')
    assert.isBelow(Date.now() - started, 5000)
  })

  test('a 2xx that is not JSON is a provider error, not a 500', async ({ client, assert }) => {
    process.env.ORYNE_OUTBOUND_ALLOW = '127.0.0.1/32'
    const response = await payThrough(client, `${upstream.url}/html`)
    assertProviderError(assert, response, 'ERR_UPSTREAM_INVALID_RESPONSE')
  })

  test('the card settings can be cleared with "" or null, switching the gateway off', async ({
    client,
    assert,
  }) => {
    await payThrough(client, `${upstream.url}/ok`)
    const head = school.as('head')
    const cleared = await ok(
      head
        .patch('/admin/plugins/estore/settings')
        .json({ card_api_url: '', card_api_key: null, card_webhook_secret: '' })
    )
    assert.equal(cleared.values.card_api_url, '')
    assert.equal(cleared.values.card_api_key, '')
    assert.notProperty(cleared.set, 'card_api_url')
    // A setting with a default goes back to it.
    const reset = await ok(head.patch('/admin/plugins/estore/settings').json({ return_url: null }))
    assert.equal(reset.values.return_url, '')
    const response = await school
      .as('student')
      .post(`/estore/orders/${orderId}/card-session`)
      .header('idempotency-key', 'outbound-cleared')
    response.assertStatus(409)
    assert.equal(response.body().error.code, 'ERR_ESTORE_PROVIDER_NOT_CONFIGURED')
  })
})
