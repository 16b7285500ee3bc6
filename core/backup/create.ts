import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { tmpdir } from 'node:os'
import { pipeline } from 'node:stream/promises'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { to as copyTo } from 'pg-copy-streams'
import type pg from 'pg'
import type { Tenant } from '../tenancy/types.js'
import { LEDGER } from '../tenancy/migrations/tenant_migrator.js'
import { addEntry, addFileEntry, writeArchive, type WrittenArchive } from './archive.js'
import { Digest } from './digest.js'
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  type BackupManifest,
  type FileEntry,
  type TableEntry,
} from './manifest.js'
import { backupDirFor, tenantFilesDir } from './paths.js'
import { collectionTableParents, isCollectionTable } from './collection_tables.js'

const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'))

/** The Oryne version that writes (and checks) archives. */
export const ORYNE_VERSION: string = pkg.version

export type CreateBackupOptions = {
  reason: string
  actor?: string
  /** Archive path; default <backup dir>/<tenant id>/<slug>-<time>-<random>.tar.gz. */
  out?: string
  /** Include the tenant's files (default true). */
  files?: boolean
  encrypt?: boolean
  /** Record it in tenant_backups and the tenant's history (default true; clones do not). */
  record?: boolean
}

export type CreatedBackup = WrittenArchive & {
  id: string
  tenant: string
  tables: number
  rows: number
  files: number
  created_at: string
}

/** The pg connection under a Lucid transaction, for COPY streams. */
export async function connectionOf(trx: TransactionClientContract): Promise<pg.Client> {
  return (trx.knexClient as any).client.acquireConnection()
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

type TableInfo = {
  name: string
  columns: string[]
  types: string[]
  primary_key: string[] | null
  depends_on: string[]
}

/** The tenant schema's tables with columns, primary key and foreign-key parents. */
async function tablesOf(trx: TransactionClientContract, schema: string): Promise<TableInfo[]> {
  const { rows } = await trx.rawQuery(
    `SELECT c.relname AS name,
       (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') AS columns,
       (SELECT array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum) FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') AS types,
       (SELECT array_agg(a.attname::text ORDER BY array_position(i.indkey::int2[], a.attnum))
          FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey::int2[])
         WHERE i.indrelid = c.oid AND i.indisprimary) AS primary_key,
       (SELECT coalesce(array_agg(DISTINCT p.relname::text), '{}') FROM pg_constraint f
          JOIN pg_class p ON p.oid = f.confrelid
         WHERE f.conrelid = c.oid AND f.contype = 'f' AND f.confrelid <> c.oid) AS depends_on
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ? AND c.relkind = 'r'
     ORDER BY c.relname`,
    [schema]
  )
  return rows.map((table: TableInfo) => ({
    ...table,
    depends_on: [...table.depends_on, ...collectionTableParents(table.name)],
  }))
}

/** Tables ordered so that every table comes after those its foreign keys point to. */
function loadOrder(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((table) => [table.name, table]))
  const ordered: TableInfo[] = []
  const seen = new Set<string>()
  const visit = (table: TableInfo, path: Set<string>) => {
    if (seen.has(table.name) || path.has(table.name)) return
    path.add(table.name)
    for (const parent of table.depends_on) {
      const target = byName.get(parent)
      if (target) visit(target, path)
    }
    seen.add(table.name)
    ordered.push(table)
  }
  for (const table of tables) visit(table, new Set())
  return ordered
}

/** Streams one table, ordered by its primary key (by whole rows without one), to `file`. */
async function dumpTable(
  connection: pg.Client,
  schema: string,
  table: TableInfo,
  file: string
): Promise<{ rows: number; bytes: number; sha256: string }> {
  const order = table.primary_key?.length
    ? table.primary_key.map(quote).join(', ')
    : `(${quote(table.name)}.*)::text`
  const sql = `COPY (SELECT ${table.columns.map(quote).join(', ')} FROM ${quote(schema)}.${quote(table.name)} ORDER BY ${order}) TO STDOUT`
  const digest = new Digest()
  await pipeline(connection.query(copyTo(sql)), digest, createWriteStream(file))
  return { rows: digest.lines, bytes: digest.bytes, sha256: digest.hex() }
}

async function hashFile(path: string) {
  const digest = new Digest()
  await pipeline(createReadStream(path), digest, async function* (source) {
    for await (const chunk of source) void chunk
  })
  return { size: digest.bytes, sha256: digest.hex() }
}

/** The tenant's files, with sizes and hashes (read before the archive is written). */
async function listFiles(root: string): Promise<FileEntry[]> {
  if (!existsSync(root)) return []
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort()
  const listed: FileEntry[] = []
  for (const [index, path] of files.entries()) {
    listed.push({
      path,
      entry: `files/${String(index + 1).padStart(6, '0')}`,
      ...(await hashFile(join(root, path))),
    })
  }
  return listed
}

function timestamp(date: Date) {
  return date
    .toISOString()
    .replaceAll(':', '')
    .replace(/\.\d+Z$/, 'Z')
}

/**
 * Takes a backup of one tenant: every table of its schema read in one
 * REPEATABLE READ snapshot (with its registry row, plugins and ledger from the
 * same snapshot) through COPY, staged in a temporary directory so that the
 * manifest — row counts and sha256 per table — can lead the archive; then its
 * files. Nothing in the archive names the schema. The archive is recorded in
 * `tenant_backups` and in the tenant's history.
 */
export async function createTenantBackup(
  tenant: Tenant,
  options: CreateBackupOptions
): Promise<CreatedBackup> {
  const started = new Date()
  const stage = await mkdtemp(join(tmpdir(), 'oryne-backup-'))
  try {
    const snapshot = await db.transaction(async (trx) => {
      await trx.rawQuery('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY')
      const connection = await connectionOf(trx)
      const row = await trx.from('tenants').where('id', tenant.id).first()
      const plugins = await trx
        .from('tenant_plugins')
        .where('tenant_id', tenant.id)
        .orderBy('plugin')
        .select('plugin', 'version', 'status', 'settings')
      const schema = row.schema_name as string
      const ledger = await trx
        .from(`${schema}.${LEDGER}`)
        .orderBy([
          { column: 'batch' },
          { column: 'applied_at' },
          { column: 'owner' },
          { column: 'name' },
        ])
      const tables: TableEntry[] = []
      for (const [index, table] of loadOrder(await tablesOf(trx, schema)).entries()) {
        const entry = `tables/${String(index + 1).padStart(4, '0')}.copy`
        const dumped = await dumpTable(
          connection,
          schema,
          table,
          join(stage, entry.replace('/', '_'))
        )
        tables.push({
          name: table.name,
          entry,
          columns: table.columns,
          ...(isCollectionTable(table.name) ? { types: table.types } : {}),
          ...dumped,
        })
      }
      const { rows: sequenceNames } = await trx.rawQuery(
        `SELECT c.relname AS name, t.relname AS owner_table, a.attname AS owner_column
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
           LEFT JOIN pg_class t ON t.oid = d.refobjid
           LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
          WHERE n.nspname = ? AND c.relkind = 'S' ORDER BY c.relname`,
        [schema]
      )
      const sequences = []
      for (const { name, owner_table: table, owner_column: column } of sequenceNames) {
        const { rows } = await trx.rawQuery(
          `SELECT last_value::text, is_called FROM ${quote(schema)}.${quote(name)}`
        )
        sequences.push({
          name,
          last_value: rows[0].last_value,
          is_called: rows[0].is_called,
          // A collection's table is built by the restore, whose sequence names may differ.
          ...(table && column && isCollectionTable(table) ? { owned_by: { table, column } } : {}),
        })
      }
      return { row, plugins, ledger, tables, sequences }
    })

    const withFiles = options.files !== false
    const filesRoot = tenantFilesDir(tenant.id)
    const files = withFiles ? await listFiles(filesRoot) : []
    const { row } = snapshot
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      format_version: BACKUP_FORMAT_VERSION,
      oryne_version: ORYNE_VERSION,
      created_at: started.toISOString(),
      reason: options.reason,
      tenant: {
        id: row.id,
        slug: row.slug,
        name: row.name,
        plan: row.plan,
        status: row.status,
        settings: row.settings,
        admin_email: row.admin_email,
        paid_until: row.paid_until ? new Date(row.paid_until).toISOString() : null,
      },
      plugins: snapshot.plugins.map((p: any) => ({
        name: p.plugin,
        version: p.version,
        status: p.status,
        settings: p.settings,
      })),
      ledger: snapshot.ledger.map((r: any) => ({
        owner: r.owner,
        name: r.name,
        checksum: r.checksum,
        batch: Number(r.batch),
        applied_at: new Date(r.applied_at).toISOString(),
      })),
      tables: snapshot.tables,
      sequences: snapshot.sequences,
      files: {
        included: withFiles,
        note: withFiles
          ? `the tenant's files under tenants/${tenant.id}/ of the storage directory` +
            (existsSync(filesRoot) ? '' : ' (none yet)')
          : 'left out (--no-files)',
        entries: files,
      },
    }

    const path =
      options.out ??
      join(
        backupDirFor(tenant.id),
        // The random tail keeps two archives of the same second apart.
        `${row.slug}-${timestamp(started)}-${randomBytes(3).toString('hex')}.tar.gz`
      )
    const written = await writeArchive(path, { encrypt: options.encrypt }, async (pack) => {
      await addEntry(pack, 'manifest.json', JSON.stringify(manifest, null, 2))
      for (const table of manifest.tables) {
        await addFileEntry(
          pack,
          table.entry,
          join(stage, table.entry.replace('/', '_')),
          table.bytes
        )
      }
      for (const file of files) {
        const source = join(filesRoot, file.path)
        const now = await stat(source)
        if (now.size !== file.size)
          throw new Error(`${file.path} changed while it was backed up; take the backup again`)
        await addFileEntry(pack, file.entry, source, file.size)
      }
    })

    const id = randomUUID()
    const summary = {
      tables: manifest.tables.length,
      rows: manifest.tables.reduce((sum, table) => sum + table.rows, 0),
      files: files.length,
    }
    if (options.record === false) {
      return { ...written, id, tenant: row.slug, ...summary, created_at: started.toISOString() }
    }
    await db.transaction(async (trx) => {
      await trx.table('tenant_backups').insert({
        id,
        tenant_id: tenant.id,
        path: written.path,
        size_bytes: written.size,
        sha256: written.sha256,
        reason: options.reason,
        actor: options.actor ?? 'system',
        encrypted: written.encrypted,
        with_files: withFiles,
        summary: JSON.stringify(summary),
        created_at: started,
      })
      await trx.table('tenant_history').insert({
        tenant_id: tenant.id,
        event: 'backup.created',
        actor: options.actor ?? 'system',
        reason: options.reason,
        data: JSON.stringify({ backup_id: id, path: written.path, ...summary }),
      })
    })
    return { ...written, id, tenant: row.slug, ...summary, created_at: started.toISOString() }
  } finally {
    await rm(stage, { recursive: true, force: true })
  }
}
