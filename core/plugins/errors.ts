import { defineError } from '../oryne_error.js'

/* Plugins */
export const E_PLUGIN_NOT_FOUND = defineError(
  'ERR_PLUGIN_NOT_FOUND',
  404,
  'No plugin "%s" is installed',
  'Run `oryne plugin list` to see the installed plugins.'
)
export const E_PLUGIN_UNAVAILABLE = defineError(
  'ERR_PLUGIN_UNAVAILABLE',
  409,
  'Plugin "%s" is installed but unavailable: %s',
  'Fix the reasons listed (manifest, host range, dependencies), then restart Oryne.'
)
export const E_PLUGIN_DISABLED = defineError(
  'ERR_PLUGIN_DISABLED',
  404,
  'The "%s" module is not enabled for this institution',
  'A tenant admin can enable it; platform admins with `oryne plugin enable`.'
)
export const E_PLUGIN_DEPENDENCIES_MISSING = defineError(
  'ERR_PLUGIN_DEPENDENCIES_MISSING',
  409,
  'Plugin "%s" needs %s enabled first',
  'Enable them first, or enable without --no-deps to enable them too.'
)
export const E_PLUGIN_REQUIRED_BY = defineError(
  'ERR_PLUGIN_REQUIRED_BY',
  409,
  'Plugin "%s" is needed by %s, enabled for this tenant',
  'Disable those first.'
)
export const E_PLUGIN_UNINSTALL_BLOCKED = defineError(
  'ERR_PLUGIN_UNINSTALL_BLOCKED',
  409,
  'Plugin "%s" cannot be uninstalled: %s keep data that depends on it',
  'Uninstall those first (`oryne plugin uninstall <name> --tenant <slug> --purge`).'
)
export const E_PLUGIN_EXISTS = defineError(
  'ERR_PLUGIN_EXISTS',
  409,
  'A plugin named "%s" already exists (%s)',
  'Pick another name, or remove that folder first.'
)
export const E_PLUGIN_MIGRATIONS_STALE = defineError(
  'ERR_PLUGIN_MIGRATIONS_STALE',
  409,
  'The migrations of %s do not match their resources',
  'Run `oryne plugin make-migration <name>` and commit the migration and snapshot it writes.'
)
export const E_PLUGIN_ROUTES_UNDESCRIBED = defineError(
  'ERR_PLUGIN_ROUTES_UNDESCRIBED',
  409,
  'Routes of %s do not describe themselves for the OpenAPI document',
  'Add `.describe({ summary, body, status, errors })` to each route listed in error.details (docs/plugins.md, "Routes").'
)
export const E_PLUGIN_MIGRATION_UNSAFE = defineError(
  'ERR_PLUGIN_MIGRATION_UNSAFE',
  409,
  'Some changes to %s could fail or lose data on existing rows',
  'See error.details; give new required fields a default, or pass --allow-unsafe after checking the data.'
)
/** Uninstall --purge takes a tenant backup first; without the backup service it refuses. */
export const E_BACKUP_UNAVAILABLE = defineError(
  'ERR_BACKUP_UNAVAILABLE',
  503,
  'Tenant backups are not available in this installation, so nothing was dropped',
  'Install the backup service (core/backup), or back the tenant up yourself and retry once it exists.'
)
