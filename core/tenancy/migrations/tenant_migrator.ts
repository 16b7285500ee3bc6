import { createHash } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Knex } from 'knex'
import type { TenantMigration, TenantMigrationSet } from './define_tenant_migration.js'

export type CompiledMigration = { owner: string; name: string; checksum: string; sql: string[] }

/**
 * How a tenant schema is brought to the current state: `template` takes a
 * prepared schema (core/tenancy/schema_templates.ts) and runs what it lacks
 * as `clone` does; the other two are described on TenantMigrator.
 */
export type MigrationMethod = 'template' | 'clone' | 'replay'

/** The per-schema ledger of applied tenant migrations. */
export const LEDGER = 'oryne_migrations'

export const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS ${LEDGER} (
  owner varchar(100) NOT NULL,
  name varchar(200) NOT NULL,
  checksum char(64) NOT NULL,
  batch integer NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, name)
)`

function knex(): Knex {
  return db.connection().getWriteClient() as unknown as Knex
}

/** The SQL of one direction of a migration (schema builder calls compiled, bindings inlined). */
function toSql(step: NonNullable<TenantMigration['down']>): string[] {
  const client = knex()
  const builder = client.schema
  step(builder, client)
  return builder.toSQL().map((query) => client.raw(query.sql, query.bindings ?? []).toQuery())
}

/** Turns a migration into the SQL it runs. */
function compile(owner: string, migration: TenantMigration): CompiledMigration {
  const sql = toSql(migration.up)
  const checksum = createHash('sha256').update(sql.join(';\n')).digest('hex')
  return { owner, name: migration.name, checksum, sql }
}

/** The SQL that undoes a migration, or null when it declares no `down`. */
export function compileDown(migration: TenantMigration): string[] | null {
  return migration.down ? toSql(migration.down) : null
}

const compiled = new Map<TenantMigration, CompiledMigration>()

export function compileSet(set: TenantMigrationSet): CompiledMigration[] {
  return set.migrations.map((migration) => {
    let result = compiled.get(migration)
    if (!result) {
      result = compile(set.owner, migration)
      compiled.set(migration, result)
    }
    return result
  })
}

function literal(value: string) {
  return `'${value.replaceAll("'", "''")}'`
}

/**
 * Applies tenant migrations inside a transaction already scoped to one tenant
 * schema, recording each in that schema's ledger (owner, name, checksum,
 * batch). Two ways, same end state:
 * - `replay`: one statement per round trip, a ledger row after each migration;
 * - `clone`: every pending statement and ledger row sent as one script in one
 *   round trip: the fast path for new tenants, whose schema goes from empty to
 *   the current state in one step.
 */
export class TenantMigrator {
  async applied(trx: TransactionClientContract): Promise<Map<string, string>> {
    await trx.rawQuery(LEDGER_DDL)
    const rows = await trx.from(LEDGER).select('owner', 'name', 'checksum')
    return new Map(rows.map((row) => [`${row.owner}/${row.name}`, row.checksum]))
  }

  async pending(trx: TransactionClientContract, sets: TenantMigrationSet[]) {
    const applied = await this.applied(trx)
    return sets.flatMap(compileSet).filter((m) => !applied.has(`${m.owner}/${m.name}`))
  }

  async migrate(
    trx: TransactionClientContract,
    sets: TenantMigrationSet[],
    method: MigrationMethod
  ): Promise<CompiledMigration[]> {
    const pending = await this.pending(trx, sets)
    if (!pending.length) return []
    const { rows } = await trx.rawQuery(
      `SELECT coalesce(max(batch), 0) + 1 AS batch FROM ${LEDGER}`
    )
    const batch = Number(rows[0].batch)

    if (method === 'replay') {
      for (const migration of pending) {
        for (const statement of migration.sql) await trx.rawQuery(statement)
        await trx.insertQuery().table(LEDGER).insert({
          owner: migration.owner,
          name: migration.name,
          checksum: migration.checksum,
          batch,
        })
      }
      return pending
    }

    const ledgerRows = pending
      .map((m) => `(${literal(m.owner)}, ${literal(m.name)}, ${literal(m.checksum)}, ${batch})`)
      .join(', ')
    const script = [
      ...pending.flatMap((migration) => migration.sql),
      `INSERT INTO ${LEDGER} (owner, name, checksum, batch) VALUES ${ledgerRows}`,
    ].join(';\n')
    await trx.rawQuery(script)
    return pending
  }
}
