import { test } from '@japa/runner'
import { request, type IncomingMessage } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiClient } from '@japa/api-client'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs, tenantApi } from '#tests/support/access'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'
import { tenantContext } from '#core/tenancy/context'
import { identity } from '#core/auth/identity'

/*
 * The live notification stream, read by a real HTTP client: a signed-in user
 * gets their own new in-app notifications and unread count as they are
 * stored (published through Redis), and nobody else's — neither another
 * user's of the same tenant nor anyone's of another tenant.
 */

type SseEvent = { event: string; id?: string; data: any }

/** An open `GET /api/v1/notifications/stream`, parsed event by event. */
class Stream {
  readonly events: SseEvent[] = []
  #buffer = ''

  private constructor(
    readonly status: number,
    readonly headers: IncomingMessage['headers'],
    private response: IncomingMessage
  ) {
    response.setEncoding('utf8')
    response.on('data', (chunk: string) => {
      this.#buffer += chunk
      let end: number
      while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
        const block = this.#buffer.slice(0, end)
        this.#buffer = this.#buffer.slice(end + 2)
        const fields: Record<string, string> = {}
        for (const line of block.split('\n')) {
          if (!line || line.startsWith(':')) continue
          const at = line.indexOf(':')
          fields[line.slice(0, at)] = line.slice(at + 1).trimStart()
        }
        if (fields.data !== undefined)
          this.events.push({
            event: fields.event ?? 'message',
            id: fields.id,
            data: JSON.parse(fields.data),
          })
      }
    })
  }

  static open(tenant: Tenant, token?: string): Promise<Stream> {
    return new Promise((resolve, reject) => {
      const req = request({
        host: process.env.HOST,
        port: Number(process.env.PORT),
        path: '/api/v1/notifications/stream',
        headers: {
          'x-tenant-id': tenant.slug,
          'accept': 'text/event-stream',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      })
      req.on('response', (response) =>
        resolve(new Stream(response.statusCode!, response.headers, response))
      )
      req.on('error', reject)
      req.end()
    })
  }

  async next(type: string, after = 0): Promise<SseEvent> {
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      const found = this.events.slice(after).find((event) => event.event === type)
      if (found) return found
      await sleep(20)
    }
    throw new Error(`no "${type}" event within 10 s (got ${JSON.stringify(this.events)})`)
  }

  of(type: string) {
    return this.events.filter((event) => event.event === type)
  }

  close() {
    this.response.destroy()
  }
}

async function userId(tenant: Tenant, email: string) {
  return tenantContext.run(tenant, async () => (await identity.tenantUsers.find(email)).id)
}

function send(client: ApiClient, tenant: Tenant, userIds: string[], name: string) {
  return tenantApi(client, tenant, PLATFORM_TOKEN()).post('/admin/notifications/send', {
    user_ids: userIds,
    template: 'core.welcome_email',
    data: { name, institution: 'Riverside' },
  })
}

test.group('Notifications: live stream', (group) => {
  const open: Stream[] = []
  group.each.teardown(() => open.splice(0).forEach((stream) => stream.close()))
  group.each.timeout(30_000)

  test('a signed-in user receives their new notifications and unread count as they are stored', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const email = `ada@${tenant.slug}.example`
    const token = await signedInAs(tenant, email, ['Student'])
    const ada = await userId(tenant, email)
    ;(await send(client, tenant, [ada], 'before')).assertStatus(202)

    const stream = await Stream.open(tenant, token)
    open.push(stream)
    assert.equal(stream.status, 200)
    assert.match(String(stream.headers['content-type']), /^text\/event-stream/)
    // On connect: the current unread count.
    assert.deepEqual((await stream.next('unread')).data, { type: 'unread', unread: 1 })

    ;(await send(client, tenant, [ada], 'Ada')).assertStatus(202)
    const pushed = await stream.next('notification')
    assert.equal(pushed.data.unread, 2)
    assert.equal(pushed.data.notification.template, 'core.welcome_email')
    assert.equal(pushed.data.notification.body, 'Hello Ada, your account at Riverside is ready.')
    assert.notProperty(pushed.data.notification, 'user_id')
    assert.equal(pushed.id, pushed.data.notification.id)
    // The same notification as the inbox has.
    const inbox = await tenantApi(client, tenant, token).get('/notifications')
    assert.equal(inbox.body().data[0].id, pushed.data.notification.id)

    // Reading it updates the count on the stream (other tabs and devices).
    const seen = stream.events.length
    ;(
      await tenantApi(client, tenant, token).post(
        `/notifications/${pushed.data.notification.id}/read`
      )
    ).assertStatus(200)
    assert.deepEqual((await stream.next('unread', seen)).data, { type: 'unread', unread: 1 })
    const again = stream.events.length
    ;(await tenantApi(client, tenant, token).post('/notifications/read-all')).assertStatus(200)
    assert.deepEqual((await stream.next('unread', again)).data, { type: 'unread', unread: 0 })
  })

  test("a stream never carries another user's or another tenant's notifications", async ({
    client,
    assert,
  }) => {
    const a = await activeTenant()
    const b = await activeTenant()
    const adaToken = await signedInAs(a, `ada@${a.slug}.example`, ['Student'])
    const bobToken = await signedInAs(a, `bob@${a.slug}.example`, ['Student'])
    // The same email in tenant B: another person, another stream.
    const otherAdaToken = await signedInAs(b, `ada@${a.slug}.example`, ['Student'])
    const ada = await userId(a, `ada@${a.slug}.example`)
    const bob = await userId(a, `bob@${a.slug}.example`)
    const otherAda = await userId(b, `ada@${a.slug}.example`)

    const streams = await Promise.all([
      Stream.open(a, adaToken),
      Stream.open(a, bobToken),
      Stream.open(b, otherAdaToken),
    ])
    open.push(...streams)
    const [adaStream, bobStream, otherStream] = streams
    await Promise.all(streams.map((stream) => stream.next('unread')))

    ;(await send(client, a, [ada], 'Ada of A')).assertStatus(202)
    ;(await send(client, b, [otherAda], 'Ada of B')).assertStatus(202)
    ;(await send(client, a, [bob], 'Bob of A')).assertStatus(202)

    const forAda = await adaStream.next('notification')
    const forBob = await bobStream.next('notification')
    const forOther = await otherStream.next('notification')
    await sleep(300)
    assert.lengthOf(adaStream.of('notification'), 1)
    assert.lengthOf(bobStream.of('notification'), 1)
    assert.lengthOf(otherStream.of('notification'), 1)
    assert.include(forAda.data.notification.body, 'Ada of A')
    assert.include(forBob.data.notification.body, 'Bob of A')
    assert.include(forOther.data.notification.body, 'Ada of B')
  })

  test('the stream needs a signed-in user of the tenant named', async ({ assert }) => {
    const a = await activeTenant()
    const b = await activeTenant()
    const anonymous = await Stream.open(a)
    open.push(anonymous)
    assert.equal(anonymous.status, 401)
    const token = await signedInAs(a, `ada@${a.slug}.example`, ['Student'])
    const elsewhere = await Stream.open(b, token)
    open.push(elsewhere)
    assert.equal(elsewhere.status, 401)
    // The platform token is no user: it has no inbox to stream.
    const platform = await Stream.open(a, PLATFORM_TOKEN())
    open.push(platform)
    assert.equal(platform.status, 401)
  })
})
