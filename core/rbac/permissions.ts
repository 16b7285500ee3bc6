import app from '@adonisjs/core/services/app'
import type { PluginManifest } from '../plugins/define_plugin.js'
import type { ResourceAction } from '../resources/define_resource.js'
import { tenantContext } from '../tenancy/context.js'

/** What core itself guards, `core.<area>.<action>`. TenantAdmin holds them all. */
export const CORE_PERMISSIONS = {
  'core.users.read': 'See the users of the institution',
  'core.users.manage': 'Create, invite, change, disable users and assign their roles',
  'core.roles.manage': 'Create, change and delete custom roles',
  'core.api_keys.manage': 'Create, list and revoke partner API keys',
  'core.audit.read': 'Read the audit log',
  'core.personal_data.export': 'Export a user’s personal data',
  'core.personal_data.erase': 'Erase (anonymise) a user’s personal data',
  'core.plugins.manage': 'Turn modules on and off and change their settings',
  'core.custom_fields.manage': 'Add and remove custom fields on resources',
  'core.collections.manage':
    'Create, change and delete the institution’s collections, their views, forms and automations',
  'core.notifications.manage':
    'Override notification templates, set tenant defaults, see and retry dead letters',
  'core.files.manage': 'Read and delete every uploaded file, not only one’s own',
  'core.webhooks.manage': 'Subscribe webhook endpoints to events, see and redeliver deliveries',
  'core.backups.manage': 'List and download the institution’s backups, request a restore',
  'core.reports.manage': 'Subscribe users to scheduled reports (exports and dashboard digests)',
} as const

export type CorePermission = keyof typeof CORE_PERMISSIONS

export type PermissionGroup = {
  /** `core` or the plugin's name. */
  plugin: string
  version?: string
  permissions: Array<{ name: string; description?: string }>
}

const ACTIONS: ResourceAction[] = ['list', 'read', 'create', 'update', 'delete']

/**
 * Every permission a plugin brings: those its manifest lists, those its
 * resources check (per action, `<plugin>.<resource>.read` for list and read
 * by default) and those guarding sensitive fields.
 */
export function pluginPermissions(manifest: PluginManifest): string[] {
  let names = declaredByManifest.get(manifest)
  if (!names) {
    names = collectPermissions(manifest)
    declaredByManifest.set(manifest, names)
  }
  return [...names]
}

/** A manifest is immutable once loaded, so what it declares is worked out once per manifest. */
const declaredByManifest = new WeakMap<PluginManifest, readonly string[]>()

function collectPermissions(manifest: PluginManifest): string[] {
  const names = new Set(manifest.permissions ?? [])
  for (const resource of manifest.resources ?? []) {
    for (const action of ACTIONS) {
      const declared = resource.permissions?.[action]
      if (declared === false) continue
      const verb = action === 'list' ? 'read' : action
      names.add(declared ?? `${manifest.name}.${resource.name}.${verb}`)
    }
    for (const field of Object.values(resource.fields)) {
      if (field.options.sensitive?.permission) names.add(field.options.sensitive.permission)
    }
  }
  return [...names].sort()
}

/**
 * The permissions that mean something in the current tenant, grouped by
 * owner: core's, those of every plugin the tenant enabled, then those of its
 * collections.
 */
export async function knownPermissions(): Promise<PermissionGroup[]> {
  const tenant = tenantContext.require()
  const groups: PermissionGroup[] = [
    {
      plugin: 'core',
      permissions: Object.entries(CORE_PERMISSIONS).map(([name, description]) => ({
        name,
        description,
      })),
    },
  ]
  const plugins = await app.container.make('oryne.plugins')
  const enabled = [...(await plugins.enabledNames(tenant.id))].sort()
  for (const name of enabled) {
    const entry = plugins.entry(name)
    if (!entry?.available) continue
    groups.push({
      plugin: name,
      version: entry.manifest.version,
      permissions: pluginPermissions(entry.manifest).map((permission) => ({ name: permission })),
    })
  }
  // The tenant's collections (docs/collections.md): `collections.<name>.<verb>` of those that exist.
  const tenantCollections = await app.container.make('oryne.collections')
  const collections = await tenantCollections.permissions()
  if (collections.length)
    groups.push({
      plugin: 'collections',
      permissions: collections.map((permission) => ({ name: permission })),
    })
  return groups
}

/**
 * Whether `permission` (exact, `<plugin>.*` or `<plugin>.<resource>.*`) names
 * something of `known`. The bare `*` is TenantAdmin's alone.
 */
export function isKnownPermission(known: Set<string>, permission: string) {
  if (known.has(permission)) return true
  if (!permission.endsWith('.*') || permission === '*') return false
  const prefix = permission.slice(0, -1)
  for (const name of known) if (name.startsWith(prefix)) return true
  return false
}

/** Validation details for the permissions of `field` the tenant does not know. */
export async function unknownPermissionDetails(field: string, permissions: string[]) {
  const groups = await knownPermissions()
  const known = new Set(groups.flatMap((g) => g.permissions.map((p) => p.name)))
  return permissions.flatMap((permission, index) =>
    isKnownPermission(known, permission)
      ? []
      : [
          {
            field: `${field}.${index}`,
            rule: 'permission.known',
            message: `Unknown permission "${permission}": GET /api/v1/admin/permissions lists those of this institution`,
          },
        ]
  )
}
