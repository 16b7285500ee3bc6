import { test } from '@japa/runner'
import { column } from '@adonisjs/lucid/orm'
import { TenantModel } from '#core/tenancy/tenant_model'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import { activeTenant, addUsers } from '#tests/support/tenants'

class TenantUser extends TenantModel {
  static table = 'users'

  @column({ isPrimary: true })
  declare id: string

  @column()
  declare email: string

  @column()
  declare name: string
}

test.group('Tenant models', () => {
  test('queries, finds and saves resolve to the current tenant schema by themselves', async ({
    assert,
  }) => {
    const [a, b] = [await activeTenant(), await activeTenant()]
    await addUsers(a, 3)
    await addUsers(b, 1)

    const inA = await tenantContext.run(a, () =>
      withTenantDb(() => TenantUser.query().orderBy('email'))
    )
    assert.lengthOf(inA, 4)
    for (const user of inA) assert.match(user.email, new RegExp(`@${a.slug}\\.example$`))

    const created = await tenantContext.run(b, () =>
      withTenantDb(() => TenantUser.create({ email: `new@${b.slug}.example`, name: 'New' }))
    )
    const found = await tenantContext.run(b, () => withTenantDb(() => TenantUser.find(created.id)))
    assert.equal(found?.email, `new@${b.slug}.example`)
    const missingInA = await tenantContext.run(a, () =>
      withTenantDb(() => TenantUser.find(created.id))
    )
    assert.isNull(missingInA)
  })

  test('a tenant model used outside a tenant transaction fails loudly', async ({ assert }) => {
    await assert.rejects(() => TenantUser.query(), /outside a tenant context/)
    const tenant = await activeTenant()
    await assert.rejects(
      () => tenantContext.run(tenant, () => TenantUser.all()),
      /outside a tenant context/
    )
  })
})
