import { defineError } from '../oryne_error.js'

/* Fleet operations: migrations across tenants, backups */
export const E_TENANT_LOCKED = defineError(
  'ERR_TENANT_LOCKED',
  409,
  'Tenant "%s" is being changed by another process: %s',
  'Wait for that run to finish (or stop it), then run the command again.'
)
export const E_MIGRATION_FAILED = defineError(
  'ERR_MIGRATION_FAILED',
  500,
  '%s',
  'Fix the failing tenants listed (see each error), then run `oryne migrate` again: it resumes where it stopped.'
)
export const E_MIGRATION_IRREVERSIBLE = defineError(
  'ERR_MIGRATION_IRREVERSIBLE',
  409,
  'Migration %s has no down step, so it cannot be rolled back',
  'Restore a backup taken before it instead (`oryne backup restore`).'
)
export const E_MIGRATION_NOTHING_TO_ROLL_BACK = defineError(
  'ERR_MIGRATION_NOTHING_TO_ROLL_BACK',
  409,
  'Tenant "%s" has no applied migration of %s',
  '`oryne migrate status --tenant <slug>` lists what is applied.'
)
export const E_BACKUP_NOT_FOUND = defineError(
  'ERR_BACKUP_NOT_FOUND',
  404,
  'No backup archive at %s',
  '`oryne backup list <slug>` lists the archives of a tenant.'
)
export const E_BACKUP_CORRUPT = defineError(
  'ERR_BACKUP_CORRUPT',
  422,
  'The archive %s is corrupted or truncated: %s',
  'Use another copy of the archive; nothing was restored from this one.'
)
export const E_BACKUP_DOWNGRADE = defineError(
  'ERR_BACKUP_DOWNGRADE',
  409,
  'The archive was made by newer software than this installation: %s',
  'Upgrade Oryne and the plugins named to at least the archive versions, then restore.'
)
export const E_BACKUP_INCOMPATIBLE = defineError(
  'ERR_BACKUP_INCOMPATIBLE',
  409,
  'The archive cannot be restored here: %s',
  'Install the plugins it needs (see details), then restore.'
)
export const E_BACKUP_KEY_MISSING = defineError(
  'ERR_BACKUP_KEY_MISSING',
  400,
  '%s',
  'Set ORYNE_BACKUP_KEY (32 bytes, base64) to the key the archive was encrypted with.'
)
