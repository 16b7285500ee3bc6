import { test } from '@japa/runner'
import { tenantContext } from '#core/tenancy/context'
import { tenantCacheKey, tenantLogFields, tenantStoragePath } from '#core/tenancy/scoping'
import type { Tenant } from '#core/tenancy/types'

const tenant = (id: string) =>
  ({ id, slug: `s-${id}`, schema_name: `t_${id}` }) as unknown as Tenant

test.group('Tenant-scoped names', () => {
  test('cache keys, storage paths and log fields carry the current tenant', ({ assert }) => {
    tenantContext.run(tenant('aaa'), () => {
      assert.equal(tenantCacheKey('timetable:7'), 't:{aaa}:timetable:7')
      assert.equal(
        tenantStoragePath('reports/2026/term1.pdf'),
        'tenants/aaa/reports/2026/term1.pdf'
      )
      assert.equal(tenantStoragePath('/uploads//photo.png'), 'tenants/aaa/uploads/photo.png')
      assert.deepEqual(tenantLogFields(), { tenant_id: 'aaa' })
    })
    tenantContext.run(tenant('bbb'), () =>
      assert.equal(tenantCacheKey('timetable:7'), 't:{bbb}:timetable:7')
    )
  })

  test('a storage path cannot climb into another tenant', ({ assert }) => {
    tenantContext.run(tenant('aaa'), () => {
      for (const path of ['../bbb/secret.pdf', 'a/../../bbb/x', '..', '', '/']) {
        assert.throws(() => tenantStoragePath(path), /Invalid storage path/)
      }
    })
  })

  test('outside a tenant context they throw ERR_NO_TENANT_CONTEXT', ({ assert }) => {
    assert.throws(() => tenantCacheKey('x'), /outside a tenant context/)
    assert.throws(() => tenantStoragePath('x'), /outside a tenant context/)
    assert.deepEqual(tenantLogFields(), {})
  })

  test('nested contexts do not leak into each other', async ({ assert }) => {
    const seen: string[] = []
    await Promise.all(
      ['one', 'two', 'three'].map((id) =>
        tenantContext.run(tenant(id), async () => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20))
          seen.push(`${id}=${tenantContext.require().id}`)
        })
      )
    )
    assert.sameMembers(seen, ['one=one', 'two=two', 'three=three'])
  })
})
