import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { LEDGER, type CompiledMigration } from '../tenancy/migrations/tenant_migrator.js'

export type LedgerRow = {
  owner: string
  name: string
  checksum: string
  batch: number
  applied_at: Date
}

/** The ledger of a transaction already scoped to a tenant schema. */
export async function readLedger(trx: TransactionClientContract) {
  const { rows } = await trx.rawQuery(
    `SELECT owner, name, checksum, batch, applied_at FROM ${LEDGER} ORDER BY batch, applied_at, owner, name`
  )
  const ledger = rows as LedgerRow[]
  return {
    rows: ledger,
    applied: new Set(ledger.map((row) => `${row.owner}/${row.name}`)),
    nextBatch: ledger.reduce((max, row) => Math.max(max, Number(row.batch)), 0) + 1,
  }
}

export const migrationKey = (m: { owner: string; name: string }) => `${m.owner}/${m.name}`

function literal(value: string) {
  return `'${value.replaceAll("'", "''")}'`
}

/** One migration and its ledger row, as one script: one round trip. */
export function migrationScript(migration: CompiledMigration, batch: number) {
  return [
    ...migration.sql,
    `INSERT INTO ${LEDGER} (owner, name, checksum, batch) VALUES (${literal(migration.owner)}, ${literal(migration.name)}, ${literal(migration.checksum)}, ${batch})`,
  ].join(';\n')
}
