import type { HttpContext } from '@adonisjs/core/http'
import { withTenantDb } from '../../../tenancy/tenant_db.js'
import { respond } from '../../envelope.js'

export default class UsersController {
  /** The tenant's users with their roles, read from the tenant's own schema. */
  async index(ctx: HttpContext) {
    const users = await withTenantDb((trx) =>
      trx
        .from('users')
        .leftJoin('user_roles', 'user_roles.user_id', 'users.id')
        .leftJoin('roles', 'roles.id', 'user_roles.role_id')
        .groupBy('users.id')
        .orderBy('users.email')
        .select(
          'users.id',
          'users.email',
          'users.name',
          'users.status',
          'users.created_at',
          trx.raw(
            `coalesce(array_agg(roles.name ORDER BY roles.name) FILTER (WHERE roles.name IS NOT NULL), '{}') AS roles`
          )
        )
    )
    respond(ctx, users)
  }
}
