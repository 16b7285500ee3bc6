import { recordAudit, diffRecords, type AuditOrigin } from '../audit/audit.js'
import {
  E_ROLE_BUILTIN,
  E_ROLE_EXISTS,
  E_ROLE_NOT_FOUND,
  E_ROLE_IN_USE,
  E_VALIDATION,
} from '../errors.js'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import type { Trx } from '../auth/types.js'
import { invalidateRolePermissions } from './authorize.js'
import { unknownPermissionDetails } from './permissions.js'

export type RoleView = {
  name: string
  builtin: boolean
  description: string | null
  permissions: string[]
  users: number
  created_at: Date
  updated_at: Date
}

export type RoleInput = { name: string; description?: string | null; permissions: string[] }

const SELECT_ROLE = `
  SELECT r.name, r.builtin, r.description, r.permissions, r.created_at, r.updated_at,
         (SELECT count(*)::int FROM user_roles ur WHERE ur.role_id = r.id) AS users
    FROM roles r`

async function assertKnown(permissions: string[]) {
  const details = await unknownPermissionDetails('permissions', permissions)
  if (details.length) throw new E_VALIDATION([], { details })
}

function changed() {
  invalidateRolePermissions(tenantContext.require().id, { broadcast: true })
}

/**
 * The current tenant's roles: the built-in ones (seeded at provisioning, their
 * permissions extended by plugins' grants) and custom ones made by tenant
 * admins. Permissions must be known to the tenant (core's and those of its
 * enabled plugins). Every change is audited and invalidates the cached role
 * permissions in every process.
 */
export const roles = {
  async list(): Promise<RoleView[]> {
    return withTenantDb(async (trx) => {
      const { rows } = await trx.rawQuery(`${SELECT_ROLE} ORDER BY r.builtin DESC, r.name`)
      return rows
    })
  },

  async find(trx: Trx, name: string): Promise<RoleView & { id: number }> {
    const { rows } = await trx.rawQuery(
      `${SELECT_ROLE.replace('SELECT r.name', 'SELECT r.id, r.name')} WHERE r.name = ?`,
      [name]
    )
    if (!rows[0]) throw new E_ROLE_NOT_FOUND([name])
    return rows[0]
  },

  async get(name: string) {
    return withTenantDb(async (trx) => present(await this.find(trx, name)))
  },

  async create(input: RoleInput, origin: AuditOrigin): Promise<RoleView> {
    const permissions = [...new Set(input.permissions)].sort()
    await assertKnown(permissions)
    const role = await withTenantDb(async (trx) => {
      const { rows } = await trx.rawQuery(
        `INSERT INTO roles (name, builtin, description, permissions) VALUES (?, false, ?, ?::jsonb)
         ON CONFLICT (name) DO NOTHING RETURNING id`,
        [input.name, input.description ?? null, JSON.stringify(permissions)] as any[]
      )
      if (!rows[0]) throw new E_ROLE_EXISTS([input.name])
      await recordAudit(trx, {
        ...origin,
        action: 'core.roles.create',
        resource: 'core.roles',
        resource_id: input.name,
        data: { after: { description: input.description ?? null, permissions } },
      })
      return present(await this.find(trx, input.name))
    })
    changed()
    return role
  },

  /**
   * Changes a role. Built-in roles keep their names; TenantAdmin, which holds
   * every permission whatever its list says, cannot be changed at all.
   */
  async update(
    name: string,
    changes: Partial<RoleInput>,
    origin: AuditOrigin,
    check?: (role: RoleView) => Promise<void>
  ): Promise<RoleView> {
    const permissions = changes.permissions && [...new Set(changes.permissions)].sort()
    if (permissions) await assertKnown(permissions)
    const role = await withTenantDb(async (trx) => {
      const before = await this.find(trx, name)
      if (before.name === 'TenantAdmin') {
        throw new E_ROLE_BUILTIN([name, 'it always holds every permission'])
      }
      if (before.builtin && changes.name !== undefined && changes.name !== name) {
        throw new E_ROLE_BUILTIN([name, 'built-in roles cannot be renamed'])
      }
      await check?.(present(before))
      if (changes.name && changes.name !== name) {
        const taken = await trx.from('roles').where('name', changes.name).first()
        if (taken) throw new E_ROLE_EXISTS([changes.name])
      }
      const next = {
        name: changes.name ?? before.name,
        description: changes.description === undefined ? before.description : changes.description,
        permissions: permissions ?? before.permissions,
      }
      await trx
        .from('roles')
        .where('id', before.id)
        .update({
          name: next.name,
          description: next.description,
          permissions: JSON.stringify(next.permissions),
          updated_at: new Date(),
        })
      const diff = diffRecords(
        { name: before.name, description: before.description, permissions: before.permissions },
        next
      )
      await recordAudit(trx, {
        ...origin,
        action: 'core.roles.update',
        resource: 'core.roles',
        resource_id: next.name,
        data: diff,
      })
      return present(await this.find(trx, next.name))
    })
    changed()
    return role
  },

  /** Deletes a custom role no user holds. */
  async delete(name: string, origin: AuditOrigin, check?: (role: RoleView) => Promise<void>) {
    await withTenantDb(async (trx) => {
      const role = await this.find(trx, name)
      if (role.builtin) throw new E_ROLE_BUILTIN([name, 'built-in roles cannot be deleted'])
      await check?.(present(role))
      if (role.users > 0) throw new E_ROLE_IN_USE([name, role.users])
      await trx.from('roles').where('id', role.id).delete()
      await recordAudit(trx, {
        ...origin,
        action: 'core.roles.delete',
        resource: 'core.roles',
        resource_id: name,
        data: { before: { description: role.description, permissions: role.permissions } },
      })
    })
    changed()
  },
}

function present(role: RoleView & { id?: number }): RoleView {
  return {
    name: role.name,
    builtin: role.builtin,
    description: role.description,
    permissions: role.permissions,
    users: Number(role.users),
    created_at: role.created_at,
    updated_at: role.updated_at,
  }
}
