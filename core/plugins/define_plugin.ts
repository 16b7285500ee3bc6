import type { Router } from '@adonisjs/core/http'
import type { EventHandler } from '../events/events.js'
import type { ResourceDefinition } from '../resources/define_resource.js'
import type { TenantMigration } from '../tenancy/migrations/define_tenant_migration.js'

/** Roles every tenant has; a plugin grants its permissions to them by default. */
export type BuiltinRole = 'TenantAdmin' | 'Teacher' | 'Student' | 'Parent' | 'Staff'

/**
 * The one declaration of a plugin (plugins/<name>/plugin.ts, or the file an npm
 * package names in its package.json under "oryne": {"plugin": "..."}).
 * Everything is plain data or functions: a plugin needs no import from the host
 * at run time, so the same manifest works from this repository or from npm.
 */
export type PluginManifest = {
  /** kebab-case, unique: also the URL prefix /api/v1/<name> and the permission prefix. */
  name: string
  /** semver of the plugin. */
  version: string
  /** semver range of Oryne versions this plugin works with, e.g. "^0.1.0". */
  host: string
  description?: string
  /** Other plugins it needs, with semver ranges: { erp: "^1.0.0" }. */
  dependencies?: Record<string, string>
  /** `<plugin>.<resource>.<action>`, e.g. "library.loans.create". */
  permissions?: string[]
  /** Default grants per built-in role: permissions (or `<plugin>.*`) seeded when the plugin is enabled. */
  grants?: Partial<Record<BuiltinRole, string[]>>
  /** Migrations of the tenant schema, in order (see defineTenantMigration). */
  migrations?: TenantMigration[]
  /** Routes, mounted under /api/v1/<name> and answered only for tenants that enabled the plugin. */
  routes?: (router: Router) => void
  /** Low-code resources: each gets its CRUD API under /api/v1/<name>/<resource> (see core/resources). */
  resources?: ResourceDefinition[]
  /** Event hooks: handlers by event name (`erp.students.created`), run only for tenants that enabled the plugin. */
  events?: Record<string, EventHandler>
}

export function definePlugin(manifest: PluginManifest): PluginManifest {
  return manifest
}
