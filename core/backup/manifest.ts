import semver from 'semver'
import { E_BACKUP_CORRUPT, E_BACKUP_DOWNGRADE, E_BACKUP_INCOMPATIBLE } from '../errors.js'
import type { PluginHost } from '../plugins/plugin_host.js'
import type { CompiledMigration } from '../tenancy/migrations/tenant_migrator.js'

export const BACKUP_FORMAT = 'oryne-tenant-backup'
/** Bumped when the layout changes; a restore refuses formats newer than it knows. */
export const BACKUP_FORMAT_VERSION = 1

export type TableEntry = {
  name: string
  /** The archive entry holding its rows (COPY text format, ordered by primary key). */
  entry: string
  columns: string[]
  /**
   * The column types (PostgreSQL's spelling) of a table no migration builds — a
   * tenant collection's (core/backup/collection_tables.ts) — for a restore to build it.
   */
  types?: string[]
  rows: number
  bytes: number
  sha256: string
}

export type FileEntry = { path: string; entry: string; size: number; sha256: string }

export type BackupManifest = {
  format: typeof BACKUP_FORMAT
  format_version: number
  oryne_version: string
  created_at: string
  reason: string
  tenant: {
    id: string
    slug: string
    name: string
    plan: string
    status: string
    settings: Record<string, unknown>
    admin_email: string | null
    paid_until: string | null
  }
  plugins: Array<{ name: string; version: string; status: string; settings: unknown }>
  ledger: Array<{
    owner: string
    name: string
    checksum: string
    batch: number
    applied_at: string
  }>
  /** In load order: a table comes after the tables its foreign keys point to. */
  tables: TableEntry[]
  /** `owned_by`: the column a collection table's sequence serves, the one a restore sets. */
  sequences: Array<{
    name: string
    last_value: string
    is_called: boolean
    owned_by?: { table: string; column: string }
  }>
  files: { included: boolean; note: string; entries: FileEntry[] }
}

/** Checks the manifest's shape: a damaged one is a corrupted archive. */
export function parseManifest(text: string, file: string): BackupManifest {
  let manifest: BackupManifest
  try {
    manifest = JSON.parse(text)
  } catch {
    throw new E_BACKUP_CORRUPT([file, 'its manifest is not valid JSON'])
  }
  if (manifest?.format !== BACKUP_FORMAT)
    throw new E_BACKUP_CORRUPT([file, 'it is not an Oryne tenant backup'])
  const wellFormed =
    Number.isInteger(manifest.format_version) &&
    typeof manifest.oryne_version === 'string' &&
    typeof manifest.tenant?.slug === 'string' &&
    Array.isArray(manifest.tables) &&
    Array.isArray(manifest.ledger) &&
    Array.isArray(manifest.plugins) &&
    Array.isArray(manifest.files?.entries)
  if (!wellFormed) throw new E_BACKUP_CORRUPT([file, 'its manifest is incomplete'])
  return manifest
}

/**
 * Whether this installation can restore the archive: a format it knows, an
 * Oryne and plugins at least as new as the archive's (a restore never goes
 * back in versions), and every recorded migration known here.
 */
export function checkCompatibility(
  manifest: BackupManifest,
  hostVersion: string,
  plugins: PluginHost,
  installed: (owner: string) => CompiledMigration[] | null
) {
  const newer: string[] = []
  const missing: string[] = []
  if (manifest.format_version > BACKUP_FORMAT_VERSION) {
    newer.push(
      `archive format ${manifest.format_version} (this Oryne reads up to ${BACKUP_FORMAT_VERSION})`
    )
  }
  if (!semver.valid(manifest.oryne_version) || semver.gt(manifest.oryne_version, hostVersion)) {
    newer.push(`Oryne ${manifest.oryne_version} (installed ${hostVersion})`)
  }
  for (const plugin of manifest.plugins) {
    const entry = plugins.entry(plugin.name)
    if (!entry?.available) {
      missing.push(`plugin ${plugin.name} ${plugin.version} is not installed or unavailable`)
    } else if (semver.valid(plugin.version) && semver.gt(plugin.version, entry.manifest.version)) {
      newer.push(`plugin ${plugin.name} ${plugin.version} (installed ${entry.manifest.version})`)
    }
  }
  for (const owner of new Set(manifest.ledger.map((row) => row.owner))) {
    const listed = manifest.plugins.some((plugin) => plugin.name === owner)
    if (!installed(owner) && !listed)
      missing.push(`plugin ${owner} (its tables are in the archive)`)
  }
  const unknown = manifest.ledger.filter((row) => {
    const known = installed(row.owner)
    return known && !known.some((m) => m.name === row.name)
  })
  if (unknown.length) {
    newer.push(
      `migrations unknown to this installation: ${unknown.map((r) => `${r.owner}/${r.name}`).join(', ')}`
    )
  }
  if (newer.length) throw new E_BACKUP_DOWNGRADE([newer.join('; ')], { details: { newer } })
  if (missing.length)
    throw new E_BACKUP_INCOMPATIBLE([missing.join('; ')], { details: { missing } })
}
