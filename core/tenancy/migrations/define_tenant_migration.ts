import type { Knex } from 'knex'

/**
 * A migration of the tenant schema, written with the knex schema builder on
 * plain table names: it runs with the search_path pinned to one tenant's
 * schema, so the same migration serves every tenant.
 */
export type TenantMigration = {
  /** Sortable and unique within its owner, e.g. "0001_identity". */
  name: string
  up(schema: Knex.SchemaBuilder, knex: Knex): unknown
  down?(schema: Knex.SchemaBuilder, knex: Knex): unknown
}

/** Migrations of one owner: "core" or a plugin name. */
export type TenantMigrationSet = { owner: string; migrations: TenantMigration[] }

export function defineTenantMigration(migration: TenantMigration): TenantMigration {
  if (!/^\d{4}_[a-z0-9_]+$/.test(migration.name)) {
    throw new TypeError(
      `Tenant migration name "${migration.name}" must look like 0001_what_it_does`
    )
  }
  return migration
}
