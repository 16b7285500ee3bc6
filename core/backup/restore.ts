import { randomBytes, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream, existsSync } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { from as copyFrom } from 'pg-copy-streams'
import {
  E_BACKUP_CORRUPT,
  E_BACKUP_INCOMPATIBLE,
  E_CONFIRMATION_REQUIRED,
  E_TENANT_INVALID_TRANSITION,
  E_TENANT_SLUG_TAKEN,
  E_VALIDATION,
} from '../errors.js'
import { RESERVED_SLUGS, SLUG_PATTERN } from '../tenancy/slug.js'
import { MigrationTargets } from '../fleet/target.js'
import { lockLabel, lockTenant } from '../fleet/tenant_lock.js'
import { MIGRATABLE_STATUSES } from '../fleet/fleet_state.js'
import { LEDGER_DDL, compileSet } from '../tenancy/migrations/tenant_migrator.js'
import type { TenancyService } from '../tenancy/tenancy_service.js'
import { schemaNameFor } from '../tenancy/tenant_registry.js'
import type { Tenant } from '../tenancy/types.js'
import { readAll, readArchive } from './archive.js'
import {
  endCopiedCredentials,
  endRestoredSignIns,
  type RestoredCredentials,
} from './credentials.js'
import { connectionOf, ORYNE_VERSION } from './create.js'
import { Digest } from './digest.js'
import { checkCompatibility, parseManifest, type BackupManifest } from './manifest.js'
import { tenantFilesDir } from './paths.js'
import { tenantCache } from '../cache/index.js'
import { buildCollectionTable, isCollectionTable } from './collection_tables.js'

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

export type RestoreOptions = {
  /** Restore into a new tenant with this slug instead of the archive's own. */
  as?: string
  /** Replace an existing tenant with the archive's slug (its schema and files). */
  force?: boolean
  actor: string
}

export type RestoreResult = {
  tenant: string
  tenant_id: string
  mode: 'created' | 'replaced'
  tables: number
  rows: number
  files: number
  source: { tenant: string; created_at: string; oryne_version: string }
  /** What became of the archive's sessions, invites, reset tokens, API keys and webhook secrets. */
  credentials: RestoredCredentials
}

/** What an archive holds, checked entry by entry against its manifest. */
class ArchiveCheck {
  manifest?: BackupManifest
  #seen = new Set<string>()

  constructor(
    private file: string,
    private tenancy: TenancyService
  ) {}

  /** The first entry must be the manifest, and this installation must be able to restore it. */
  async accept(name: string, body: AsyncIterable<Buffer>) {
    if (!this.manifest) {
      if (name !== 'manifest.json')
        throw new E_BACKUP_CORRUPT([this.file, 'it does not start with manifest.json'])
      const text = await readAll(body)
      this.manifest = parseManifest(text.toString('utf8'), this.file)
      const targets = new MigrationTargets(this.tenancy.migrationSets(), this.tenancy.plugins)
      checkCompatibility(this.manifest, ORYNE_VERSION, this.tenancy.plugins, (owner) => {
        if (owner === 'core') return this.tenancy.migrationSets().flatMap(compileSet)
        const entry = this.tenancy.plugins.entry(owner)
        return entry?.available
          ? targets.for([owner]).migrations.filter((m) => m.owner === owner)
          : null
      })
      return null
    }
    if (this.#seen.has(name)) throw new E_BACKUP_CORRUPT([this.file, `entry ${name} appears twice`])
    this.#seen.add(name)
    const table = this.manifest.tables.find((t) => t.entry === name)
    if (table) return { kind: 'table' as const, table }
    const file = this.manifest.files.entries.find((f) => f.entry === name)
    if (file) return { kind: 'file' as const, file }
    throw new E_BACKUP_CORRUPT([this.file, `entry ${name} is not in the manifest`])
  }

  /** Compares what streamed through `digest` with the manifest's figures. */
  verify(name: string, digest: Digest, expected: { sha256: string; rows?: number; size?: number }) {
    const sha = digest.hex()
    if (sha !== expected.sha256)
      throw new E_BACKUP_CORRUPT([
        this.file,
        `${name}: sha256 ${sha} instead of ${expected.sha256}`,
      ])
    if (expected.rows !== undefined && digest.lines !== expected.rows)
      throw new E_BACKUP_CORRUPT([
        this.file,
        `${name}: ${digest.lines} rows instead of ${expected.rows}`,
      ])
    if (expected.size !== undefined && digest.bytes !== expected.size)
      throw new E_BACKUP_CORRUPT([
        this.file,
        `${name}: ${digest.bytes} bytes instead of ${expected.size}`,
      ])
  }

  /** Every entry the manifest lists was read. */
  complete() {
    if (!this.manifest) throw new E_BACKUP_CORRUPT([this.file, 'it is empty'])
    const expected = [
      ...this.manifest.tables.map((t) => t.entry),
      ...this.manifest.files.entries.map((f) => f.entry),
    ]
    const missing = expected.filter((entry) => !this.#seen.has(entry))
    if (missing.length)
      throw new E_BACKUP_CORRUPT([this.file, `missing entries ${missing.slice(0, 5).join(', ')}`])
    return this.manifest
  }
}

/**
 * Checks an archive without restoring it: readable to the end, every table and
 * file matching the manifest's sha256 and row counts, and restorable here
 * (format, Oryne and plugin versions, known migrations).
 */
export async function verifyBackup(tenancy: TenancyService, file: string) {
  const check = new ArchiveCheck(file, tenancy)
  await readArchive(file, async (name, body) => {
    const target = await check.accept(name, body)
    if (!target) return
    const digest = new Digest()
    for await (const chunk of body) digest.update(chunk)
    if (target.kind === 'table') check.verify(name, digest, target.table)
    else check.verify(name, digest, { sha256: target.file.sha256, size: target.file.size })
  })
  const manifest = check.complete()
  return {
    ok: true,
    file,
    format_version: manifest.format_version,
    oryne_version: manifest.oryne_version,
    created_at: manifest.created_at,
    tenant: manifest.tenant.slug,
    plugins: manifest.plugins.map((p) => `${p.name}@${p.version}`),
    tables: manifest.tables.length,
    rows: manifest.tables.reduce((sum, t) => sum + t.rows, 0),
    files: manifest.files.entries.length,
  }
}

/** Writes one COPY body into the loading schema, respecting backpressure. */
async function copyInto(
  trx: TransactionClientContract,
  schema: string,
  table: { name: string; columns: string[] },
  body: AsyncIterable<Buffer>,
  digest: Digest
) {
  const connection = await connectionOf(trx)
  const sql = `COPY ${quote(schema)}.${quote(table.name)} (${table.columns.map(quote).join(', ')}) FROM STDIN`
  const copy = connection.query(copyFrom(sql))
  const done = new Promise<void>((resolve, reject) => {
    copy.on('finish', resolve)
    copy.on('error', reject)
  })
  try {
    for await (const chunk of body) {
      digest.update(chunk)
      if (!copy.write(chunk)) await Promise.race([once(copy, 'drain'), done])
    }
  } catch (error) {
    copy.destroy(error as Error)
    await done.catch(() => {})
    throw error
  }
  copy.end()
  await done
}

async function writeFile(root: string, path: string, body: AsyncIterable<Buffer>, digest: Digest) {
  const target = join(root, path)
  if (!target.startsWith(root + '/')) throw new Error(`unsafe file path ${path}`)
  await mkdir(dirname(target), { recursive: true })
  const out = createWriteStream(target)
  for await (const chunk of body) {
    digest.update(chunk)
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'close')
}

/**
 * Restores an archive into a tenant. The schema is rebuilt through the
 * installed migrations the archive's ledger records, in a temporary schema,
 * and loaded with COPY while every table is checked against the manifest; the
 * swap (drop the old schema, rename the new one) and the registry changes
 * happen in the same transaction, so any failure leaves the target as it was.
 * Files are unpacked beside the tenant's directory and swapped in after the
 * commit. Without `as`, a live tenant with the archive's slug is replaced
 * (only with `force`); otherwise a new tenant is created (a deleted tenant
 * comes back under a new id).
 */
export async function restoreTenantBackup(
  tenancy: TenancyService,
  file: string,
  options: RestoreOptions
): Promise<RestoreResult> {
  if (
    options.as !== undefined &&
    (!SLUG_PATTERN.test(options.as) || RESERVED_SLUGS.has(options.as))
  ) {
    throw new E_VALIDATION([], {
      details: [
        {
          field: 'as',
          rule: 'slug',
          message: `"${options.as}" is not a valid slug: 3-40 lowercase letters, digits and single hyphens, not reserved`,
        },
      ],
    })
  }
  const check = new ArchiveCheck(file, tenancy)
  const loading = `t_restore_${randomBytes(6).toString('hex')}`
  let filesStage: string | null = null
  let target: { id: string; existing: Tenant | null; deferred: Set<string> } | null = null
  let loadedRows = 0
  let credentials: RestoredCredentials | null = null

  try {
    await db.transaction(async (trx) => {
      await readArchive(file, async (name, body) => {
        const entry = await check.accept(name, body)
        if (!entry) {
          target = await prepareTarget(trx, tenancy, check.manifest!, options, loading)
          filesStage = join(dirname(tenantFilesDir(target.id)), `.restore-${loading}`)
          return
        }
        const digest = new Digest()
        if (entry.kind === 'table') {
          if (target!.deferred.has(entry.table.name))
            await buildCollectionTable(trx, loading, entry.table)
          await copyInto(trx, loading, entry.table, body, digest)
          check.verify(name, digest, entry.table)
          loadedRows += entry.table.rows
        } else {
          await writeFile(filesStage!, entry.file.path, body, digest)
          check.verify(name, digest, { sha256: entry.file.sha256, size: entry.file.size })
        }
      })
      const manifest = check.complete()
      credentials = await finishRestore(trx, tenancy, manifest, target!, loading, options)
    })
  } catch (error) {
    if (filesStage) await rm(filesStage, { recursive: true, force: true })
    throw error
  }

  const manifest = check.manifest!
  const { id, existing } = target!
  tenancy.registry.invalidate()
  tenancy.plugins.invalidate(id)
  // The tenant's record, roles, custom fields and webhook endpoints came back: every process rereads them.
  tenantCache.invalidate({ kind: 'registry' }, { broadcast: true })
  tenantCache.invalidate({ tenantId: id }, { broadcast: true })
  if (manifest.files.included && filesStage) {
    const finalDir = tenantFilesDir(id)
    const old = `${finalDir}.old-${loading}`
    if (existsSync(finalDir)) await rename(finalDir, old)
    if (existsSync(filesStage)) await rename(filesStage, finalDir)
    await rm(old, { recursive: true, force: true })
  } else if (filesStage) {
    await rm(filesStage, { recursive: true, force: true })
  }
  return {
    tenant: options.as ?? manifest.tenant.slug,
    tenant_id: id,
    mode: existing ? 'replaced' : 'created',
    tables: manifest.tables.length,
    rows: loadedRows,
    files: manifest.files.entries.length,
    source: {
      tenant: manifest.tenant.slug,
      created_at: manifest.created_at,
      oryne_version: manifest.oryne_version,
    },
    credentials: credentials!,
  }
}

/**
 * Decides the target tenant and builds the empty schema to load into: the
 * ledger's migrations (core first, then plugins in dependency order) and the
 * ledger table, whose rows come from the archive like any other table's.
 */
async function prepareTarget(
  trx: TransactionClientContract,
  tenancy: TenancyService,
  manifest: BackupManifest,
  options: RestoreOptions,
  loading: string
) {
  const slug = (options.as ?? manifest.tenant.slug).toLowerCase()
  const existing = await tenancy.registry.find(slug, trx)
  if (existing && options.as) throw new E_TENANT_SLUG_TAKEN([slug])
  if (existing && !options.force) {
    throw new E_CONFIRMATION_REQUIRED([
      `Tenant "${slug}" exists: restoring replaces its schema and files with the archive's`,
    ])
  }
  if (existing && !(MIGRATABLE_STATUSES as readonly string[]).includes(existing.status)) {
    throw new E_TENANT_INVALID_TRANSITION([slug, existing.status, 'restored'])
  }
  if (existing) {
    await lockTenant(trx, existing, {
      label: lockLabel('backup restore'),
      waitMs: 5000,
      scope: false,
    })
  }

  const owners = [...new Set(manifest.ledger.map((row) => row.owner))]
  const targets = new MigrationTargets(tenancy.migrationSets(), tenancy.plugins)
  const recorded = new Set(manifest.ledger.map((row) => `${row.owner}/${row.name}`))
  const migrations = targets
    .for(owners.filter((owner) => owner !== 'core'))
    .migrations.filter((m) => recorded.has(`${m.owner}/${m.name}`))

  await trx.rawQuery(`CREATE SCHEMA ${quote(loading)}`)
  await trx.rawQuery(`SELECT set_config('search_path', ?, true)`, [`${quote(loading)}, public`])
  await trx.rawQuery([LEDGER_DDL, ...migrations.flatMap((m) => m.sql)].join(';\n'))
  await trx.rawQuery(`SELECT set_config('search_path', 'public', true)`)
  // Rows a migration seeds (a settings row, default categories) are in the archive as they were
  // at backup time: the archive is the one source, so the new tables start empty.
  const seeded = await trx.rawQuery(
    `SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') AS tables
       FROM pg_tables WHERE schemaname = ?`,
    [loading]
  )
  if (seeded.rows[0]?.tables) await trx.rawQuery(`TRUNCATE ${seeded.rows[0].tables}`)

  const { rows } = await trx.rawQuery(
    `SELECT c.relname AS name, array_agg(a.attname::text) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = ? AND c.relkind = 'r' GROUP BY c.relname`,
    [loading]
  )
  const built = new Map<string, string[]>(rows.map((r: any) => [r.name, r.columns]))
  // A collection's tables are built as they are reached (core/backup/collection_tables.ts).
  const deferred = new Set(
    manifest.tables
      .filter((table) => !built.has(table.name) && isCollectionTable(table.name))
      .map((table) => table.name)
  )
  const problems = manifest.tables.flatMap((table) => {
    const columns = built.get(table.name)
    if (deferred.has(table.name)) return []
    if (!columns) return [`table ${table.name} is not built by the installed migrations`]
    const missing = table.columns.filter((column) => !columns.includes(column))
    return missing.length ? [`${table.name}: no column ${missing.join(', ')}`] : []
  })
  if (problems.length) throw new E_BACKUP_INCOMPATIBLE([problems.join('; ')], { details: problems })

  return { id: existing?.id ?? randomUUID(), existing, deferred }
}

/** Sequences, the swap, and the registry: the last steps, inside the restore's transaction. */
async function finishRestore(
  trx: TransactionClientContract,
  tenancy: TenancyService,
  manifest: BackupManifest,
  target: { id: string; existing: Tenant | null },
  loading: string,
  options: RestoreOptions
) {
  for (const sequence of manifest.sequences) {
    const name = sequence.owned_by
      ? await builtSequence(trx, loading, sequence.owned_by)
      : `${quote(loading)}.${quote(sequence.name)}`
    // A backup table built from its column types has no sequence: nothing to set.
    if (!name) continue
    await trx.rawQuery(`SELECT setval(?::regclass, ?::bigint, ?)`, [
      name,
      sequence.last_value,
      sequence.is_called,
    ])
  }
  const source = { tenant: manifest.tenant.slug, created_at: manifest.created_at }
  const schema = target.existing?.schema_name ?? schemaNameFor(target.id)
  if (target.existing) await trx.rawQuery(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`)
  await trx.rawQuery(`ALTER SCHEMA ${quote(loading)} RENAME TO ${quote(schema)}`)
  // Every restore ends the archive's sign-ins; a copy under a new slug keeps no credential of the original.
  const credentials = options.as
    ? await endCopiedCredentials(trx, schema, manifest.tenant.slug)
    : await endRestoredSignIns(trx, schema)

  if (!target.existing) {
    try {
      await trx.table('tenants').insert({
        id: target.id,
        slug: (options.as ?? manifest.tenant.slug).toLowerCase(),
        name: manifest.tenant.name,
        plan: manifest.tenant.plan,
        status: 'provisioning',
        schema_name: schema,
        settings: JSON.stringify(manifest.tenant.settings ?? {}),
        admin_email: manifest.tenant.admin_email,
        paid_until: manifest.tenant.paid_until,
        provisioning: JSON.stringify({ restored_from: source }),
      })
    } catch (error) {
      if ((error as { constraint?: string }).constraint === 'tenants_slug_live') {
        throw new E_TENANT_SLUG_TAKEN([options.as ?? manifest.tenant.slug])
      }
      throw error
    }
    await tenancy.registry.record(trx, target.id, {
      event: 'created',
      to: 'provisioning',
      actor: options.actor,
      data: { restored_from: source },
    })
    const created = await tenancy.registry.findOrFail(target.id, trx)
    await tenancy.registry.transition(
      created,
      'active',
      { actor: options.actor, event: 'restored', data: { from_backup: source } },
      trx
    )
  } else {
    await trx.from('tenant_plugins').where('tenant_id', target.id).delete()
    await tenancy.registry.record(trx, target.id, {
      event: 'backup.restored',
      actor: options.actor,
      data: { from_backup: source },
    })
  }
  for (const plugin of manifest.plugins) {
    await trx.table('tenant_plugins').insert({
      tenant_id: target.id,
      plugin: plugin.name,
      version: tenancy.plugins.plugin(plugin.name).version,
      status: plugin.status,
      settings: JSON.stringify(plugin.settings ?? {}),
      enabled_at: plugin.status === 'enabled' ? new Date() : null,
    })
  }
  // The next `oryne migrate` reads this tenant's ledger (it may be behind the installed versions).
  await trx.from('tenant_migration_state').where('tenant_id', target.id).delete()
  return credentials
}

/** The sequence a rebuilt collection table's column uses (its name may differ from the original's). */
async function builtSequence(
  trx: TransactionClientContract,
  loading: string,
  owner: { table: string; column: string }
): Promise<string | null> {
  if (!isCollectionTable(owner.table)) return null
  const { rows } = await trx.rawQuery(
    `SELECT pg_get_serial_sequence(format('%I.%I', ?::text, ?::text), ?) AS name
      WHERE to_regclass(format('%I.%I', ?::text, ?::text)) IS NOT NULL
        AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(format('%I.%I', ?::text, ?::text))
                      AND attname = ? AND NOT attisdropped)`,
    [loading, owner.table, owner.column, loading, owner.table, loading, owner.table, owner.column]
  )
  return rows[0]?.name ?? null
}

class Stop extends Error {}

/** The manifest alone (the archive's first entry), without reading further. */
export async function readManifest(file: string): Promise<BackupManifest> {
  let manifest: BackupManifest | undefined
  try {
    await readArchive(file, async (name, body) => {
      if (name !== 'manifest.json')
        throw new E_BACKUP_CORRUPT([file, 'it does not start with manifest.json'])
      const text = await readAll(body)
      manifest = parseManifest(text.toString('utf8'), file)
      throw new Stop()
    })
  } catch (error) {
    if (!(error instanceof Stop)) throw error
  }
  if (!manifest) throw new E_BACKUP_CORRUPT([file, 'it is empty'])
  return manifest
}
