import { test } from '@japa/runner'
import getPort from 'get-port'
import type { Tenant } from '#core/tenancy/types'
import { startOryne } from '#tests/support/cli'
import { pool } from '#tests/support/concurrency'
import { startPgBouncer } from '#tests/support/pgbouncer'
import { activeTenant, addUsers } from '#tests/support/tenants'

test.group('Tenant isolation behind PgBouncer (transaction pooling)', () => {
  test('2,100 interleaved requests for 3 tenants through PgBouncer each see only their own rows', async ({
    assert,
    cleanup,
  }) => {
    const tenants: Tenant[] = []
    for (let i = 0; i < 3; i++) {
      const tenant = await activeTenant()
      await addUsers(tenant, 4 + i)
      tenants.push(tenant)
    }

    const bouncer = await startPgBouncer(process.env.DATABASE_URL!, 3)
    cleanup(() => bouncer.stop())
    const port = await getPort()
    const server = startOryne(['serve', '--port', String(port), '--host', '127.0.0.1'], {
      DATABASE_URL: bouncer.url,
      REDIS_URL: process.env.REDIS_URL,
      DATABASE_POOL_MAX: '12',
      LOG_LEVEL: 'info',
    })
    cleanup(async () => void (await server.stop('SIGKILL')))
    await server.waitFor(/listening on/)

    const token = process.env.ORYNE_PLATFORM_TOKEN!
    const order = Array.from({ length: 2100 }, (_, i) => tenants[(i * 5 + Math.floor(i / 7)) % 3])
    const results = await pool(
      order.map((tenant) => async () => {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/admin/users`, {
          headers: { 'x-tenant-id': tenant.slug, 'authorization': `Bearer ${token}` },
        })
        const body = (await response.json()) as { data: Array<{ email: string }> }
        return { tenant, status: response.status, emails: body.data.map((u) => u.email) }
      }),
      48
    )
    for (const { tenant, status, emails } of results) {
      assert.equal(status, 200)
      assert.lengthOf(emails, 5 + tenants.indexOf(tenant))
      for (const email of emails) assert.isTrue(email.endsWith(`@${tenant.slug}.example`), email)
    }

    // Every log line of a tenant request carries its tenant id.
    const accessLines = server
      .output()
      .split('\n')
      .filter(
        (line) => line.includes('"request completed"') && line.includes('/api/v1/admin/users')
      )
    assert.isAbove(accessLines.length, 2000)
    for (const line of accessLines.slice(0, 50)) {
      const entry = JSON.parse(line)
      assert.include(
        tenants.map((t) => t.id),
        entry.tenant_id
      )
      assert.isString(entry.request_id)
    }
    assert.equal(await server.stop('SIGTERM'), 0)
  }).timeout(180_000)
})
