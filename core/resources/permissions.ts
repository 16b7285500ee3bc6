import type { ResourceDefinition } from './define_resource.js'

const CRUD = ['read', 'create', 'update', 'delete'] as const

/**
 * The CRUD permissions of a plugin's resources, for its manifest's
 * `permissions` and `grants`: `<plugin>.<resource>.read|create|update|delete`,
 * without the actions a resource turns off (`permissions: { delete: false }`).
 * `{ all: true }` keeps them too, for a plugin whose workflow routes check
 * them where the CRUD route is off (the ERP records payments through its own
 * route under `erp.payments.create`).
 *
 *     permissions: [...crudPermissions('library', RESOURCES), 'library.loans.renew']
 */
export function crudPermissions(
  plugin: string,
  resources: ResourceDefinition | readonly ResourceDefinition[],
  options: { all?: boolean } = {}
): string[] {
  const list = Array.isArray(resources) ? resources : [resources as ResourceDefinition]
  return list.flatMap((resource) =>
    CRUD.filter((action) => options.all || resource.permissions?.[action] !== false).map(
      (action) => `${plugin}.${resource.name}.${action}`
    )
  )
}
