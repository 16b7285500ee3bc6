import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import jobs from '#core/services/jobs'
import { defineJob } from '#core/jobs/define_job'
import { withTenantDb } from '#core/tenancy/tenant_db'
import { tenantContext } from '#core/tenancy/context'
import type { Tenant } from '#core/tenancy/types'
import { activeTenant, addUsers, PLATFORM_TOKEN } from '#tests/support/tenants'
import { pool } from '#tests/support/concurrency'

const base = () => `http://${process.env.HOST}:${process.env.PORT}`

async function listUsers(tenant: Tenant) {
  const response = await fetch(`${base()}/api/v1/admin/users`, {
    headers: { 'x-tenant-id': tenant.slug, 'authorization': `Bearer ${PLATFORM_TOKEN()}` },
  })
  const body = (await response.json()) as { data: Array<{ email: string }> }
  return { status: response.status, emails: body.data.map((u) => u.email) }
}

let probeResult: { searchPath: string; emails: string[] } | null = null
const probe = defineJob({
  name: 'test.tenant_probe',
  queue: 'test-tenancy',
  async handle() {
    probeResult = await withTenantDb(async (trx) => {
      // Hold the tenant transaction open while other tenants' requests run.
      await trx.rawQuery('SELECT pg_sleep(0.5)')
      const { rows } = await trx.rawQuery(`SELECT current_setting('search_path') AS search_path`)
      const users = await trx.from('users').select('email')
      return { searchPath: rows[0].search_path, emails: users.map((u) => u.email) }
    })
  },
})

test.group('Tenant isolation', (group) => {
  const tenants: Tenant[] = []
  group.setup(async () => {
    for (let i = 0; i < 3; i++) {
      const tenant = await activeTenant()
      await addUsers(tenant, 5 + i)
      tenants.push(tenant)
    }
  })

  test('2,100 interleaved concurrent requests for 3 tenants each see only their own rows', async ({
    assert,
  }) => {
    const expected = new Map(tenants.map((t, i) => [t.slug, 6 + i]))
    const order = Array.from(
      { length: Number(process.env.ISO_N ?? 2100) },
      (_, i) => tenants[(i * 7 + Math.floor(i / 3)) % 3]
    )
    const results = await pool(
      order.map((tenant) => async () => ({ tenant, ...(await listUsers(tenant)) })),
      64
    )
    for (const { tenant, status, emails } of results) {
      assert.equal(status, 200)
      assert.lengthOf(emails, expected.get(tenant.slug)!)
      for (const email of emails) assert.isTrue(email.endsWith(`@${tenant.slug}.example`), email)
    }
  }).timeout(120_000)

  test('touching tenant data with no tenant context throws ERR_NO_TENANT_CONTEXT', async ({
    assert,
  }) => {
    await assert.rejects(
      () => withTenantDb((trx) => trx.from('users').select('*')),
      /Tenant data was touched outside a tenant context/
    )
  })

  test('outside a tenant transaction, tenant tables are not reachable at all', async ({
    assert,
  }) => {
    const { default: db } = await import('@adonisjs/lucid/services/db')
    await assert.rejects(() => db.from('users').select('*'), /relation "users" does not exist/)
  })

  test('a job for tenant A runs in A while requests for tenant B are served', async ({
    assert,
  }) => {
    const [a, b] = tenants
    await jobs.work(['test-tenancy'])
    await tenantContext.run(a, () => jobs.dispatch(probe, {}))
    await sleep(100)
    const during = await pool(
      Array.from({ length: 200 }, () => () => listUsers(b)),
      20
    )
    for (let i = 0; i < 100 && !probeResult; i++) await sleep(50)
    assert.isNotNull(probeResult)
    assert.equal(probeResult!.searchPath, `"${a.schema_name}", public`)
    assert.lengthOf(probeResult!.emails, 6)
    for (const email of probeResult!.emails) assert.isTrue(email.endsWith(`@${a.slug}.example`))
    for (const response of during) {
      for (const email of response.emails) assert.isTrue(email.endsWith(`@${b.slug}.example`))
    }
  })
})
