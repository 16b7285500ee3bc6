import { createHash } from 'node:crypto'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { expandGrant } from './catalog.js'
import type { PluginManifest } from './define_plugin.js'

/*
 * Versioned grants. A plugin's default grants are seeded into the tenant's
 * built-in roles, and what was seeded is recorded per plugin (the
 * `plugin_grants` table of the tenant schema: the version and its expanded
 * grants). A newer version is reconciled against that record, not against the
 * roles, which is how a hand-made change is told apart from a seeded one:
 *
 * - a permission the new version grants a role and the record does not hold is
 *   added (a new grant);
 * - a permission the record holds for a role and the new version no longer
 *   grants it is removed (a withdrawn grant);
 * - a permission the plugin no longer declares at all is removed from every role,
 *   custom ones included (it would name nothing);
 * - everything else is left as the tenant's admin made it: a recorded grant
 *   missing from the role was revoked by hand and stays revoked, a permission
 *   in the role the record does not hold was granted by hand and stays.
 */

export type RoleGrants = Record<string, string[]>

/** The plugin's default grants with wildcards expanded: role -> sorted permissions. */
export function declaredGrants(manifest: PluginManifest): RoleGrants {
  const grants: RoleGrants = {}
  for (const [role, granted] of Object.entries(manifest.grants ?? {})) {
    const permissions = (granted ?? []).flatMap((grant) => expandGrant(manifest, grant))
    if (permissions.length) grants[role] = [...new Set(permissions)].sort()
  }
  return grants
}

/**
 * A digest of what reconciling would compare: the plugin's permissions and its
 * expanded grants (not its version, so that a release changing neither leaves
 * every tenant's fingerprint alone). It joins the fleet fingerprint.
 */
export function grantsDigest(manifest: PluginManifest): string {
  const permissions = [...(manifest.permissions ?? [])].sort()
  const grants = Object.entries(declaredGrants(manifest)).sort(([a], [b]) => a.localeCompare(b))
  return createHash('sha256').update(JSON.stringify({ permissions, grants })).digest('hex')
}

/** A plugin's row of `plugin_grants`: what its recorded version seeded. */
export type GrantRecord = { plugin: string; version: string; grants: RoleGrants; digest: string }

/** Every plugin's record in the tenant whose schema `trx` is scoped to, locked for reconciling. */
export async function grantRecords(trx: TransactionClientContract) {
  const rows: GrantRecord[] = await trx.from('plugin_grants').forUpdate()
  return new Map(rows.map((row) => [row.plugin, row]))
}

/** What reconciling changed in a tenant's roles: role -> permissions added or removed. */
export type GrantChanges = { plugin: string; added: RoleGrants; removed: RoleGrants }

export function grantsChanged(changes: GrantChanges) {
  return Object.keys(changes.added).length + Object.keys(changes.removed).length > 0
}

const minus = (a: string[] = [], b: string[] = []) => a.filter((p) => !b.includes(p))

/**
 * Brings the roles of the tenant whose schema `trx` is scoped to in line with
 * `manifest`'s grants, and records them as seeded by its version.
 * `installedBefore` says whether the tenant had the plugin before: a tenant
 * without a record that had it predates the record, and its baseline is read
 * from its roles (below).
 */
export async function reconcileGrants(
  trx: TransactionClientContract,
  manifest: PluginManifest,
  options: { installedBefore: boolean; recorded?: GrantRecord | null }
): Promise<GrantChanges> {
  const [changes] = await reconcileGrantsOf(trx, [{ manifest, ...options }])
  return changes
}

/**
 * `reconcileGrants` for several plugins at once, in order (enabling a plugin
 * with its dependencies, provisioning a tenant with its plugins): the roles
 * and records are read once, and the roles that changed and the new records
 * are written in one statement each.
 */
export async function reconcileGrantsOf(
  trx: TransactionClientContract,
  plugins: Array<{
    manifest: PluginManifest
    installedBefore: boolean
    recorded?: GrantRecord | null
  }>
): Promise<GrantChanges[]> {
  if (!plugins.length) return []
  const unread = plugins.filter((p) => p.recorded === undefined).map((p) => p.manifest.name)
  const records = new Map<string, GrantRecord>()
  if (unread.length) {
    const rows: GrantRecord[] = await trx
      .from('plugin_grants')
      .whereIn('plugin', unread)
      .forUpdate()
    for (const row of rows) records.set(row.plugin, row)
  }
  const rows: Array<{ name: string; permissions: string[] }> = await trx
    .from('roles')
    .select('name', 'permissions')
    .orderBy('name')
    .forUpdate()
  const roles = new Map(rows.map((row) => [row.name, row.permissions ?? []]))
  const changedRoles = new Set<string>()
  const allChanges: GrantChanges[] = []
  for (const { manifest, installedBefore, recorded: given } of plugins) {
    const declared = declaredGrants(manifest)
    const recorded = given !== undefined ? given : (records.get(manifest.name) ?? null)
    // Enabled before grants were recorded: its roles are taken as this version seeded them
    // (nothing added, nothing withdrawn); only permissions it no longer declares go.
    const previous: RoleGrants = recorded?.grants ?? (installedBefore ? declared : {})

    const declaredPermissions = new Set(manifest.permissions ?? [])
    const prefix = `${manifest.name}.`
    const changes: GrantChanges = { plugin: manifest.name, added: {}, removed: {} }
    for (const [role, current] of roles) {
      const added = minus(declared[role], previous[role]).filter((p) => !current.includes(p))
      const withdrawn = minus(previous[role], declared[role])
      const removed = current.filter(
        (p) => withdrawn.includes(p) || (p.startsWith(prefix) && !declaredPermissions.has(p))
      )
      if (!added.length && !removed.length) continue
      roles.set(role, [...minus(current, removed), ...added].sort())
      changedRoles.add(role)
      if (added.length) changes.added[role] = added
      if (removed.length) changes.removed[role] = removed
    }
    allChanges.push(changes)
  }
  if (changedRoles.size) {
    const changed = [...changedRoles]
    await trx.rawQuery(
      `UPDATE roles SET permissions = changed.permissions::jsonb, updated_at = now()
       FROM (VALUES ${changed.map(() => '(?, ?)').join(', ')}) AS changed (name, permissions)
       WHERE roles.name = changed.name`,
      changed.flatMap((role) => [role, JSON.stringify(roles.get(role))])
    )
  }
  await trx.rawQuery(
    `INSERT INTO plugin_grants (plugin, version, grants, digest, updated_at)
     VALUES ${plugins.map(() => '(?, ?, ?::jsonb, ?, now())').join(', ')}
     ON CONFLICT (plugin) DO UPDATE SET version = EXCLUDED.version, grants = EXCLUDED.grants,
       digest = EXCLUDED.digest, updated_at = now()`,
    plugins.flatMap(({ manifest }) => [
      manifest.name,
      manifest.version,
      JSON.stringify(declaredGrants(manifest)),
      grantsDigest(manifest),
    ])
  )
  return allChanges
}
