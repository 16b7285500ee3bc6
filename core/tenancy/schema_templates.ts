import { createHash, randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { Logger } from '@adonisjs/core/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { TenantMigrationSet } from './migrations/define_tenant_migration.js'
import { compileSet, TenantMigrator } from './migrations/tenant_migrator.js'

/** What every new tenant asking for the same plugins starts from. */
export type SchemaPlan = {
  /** Core's migration sets, then the plugins', dependencies first. */
  sets: TenantMigrationSet[]
  /** The plugins, in the same order: their versions and grants are part of the schema. */
  plugins: Array<{ name: string; version: string; grantsDigest: string }>
}

/** Fills a freshly migrated schema (the transaction is scoped to it): built-in roles, plugin grants. */
export type SeedSchema = (trx: TransactionClientContract, plan: SchemaPlan) => Promise<void>

const PREFIX = 'oryne_tpl_'
const sha = (value: string) => createHash('sha256').update(value).digest('hex')

/** Schema names here are built from hex digests and checked tenant schema names only. */
function identifier(name: string) {
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`Unexpected schema name "${name}"`)
  return name
}

/**
 * Prepared tenant schemas, the fast way to provision. A new tenant's schema
 * is the same for every tenant asking for the same plugins: every migration
 * of core and those plugins, the ledger, the built-in roles and the plugins'
 * recorded grants. Building it costs a few hundred milliseconds of DDL in
 * PostgreSQL however it is sent, so it is built ahead of time, as hidden
 * schemas named after the plan's fingerprint (`oryne_tpl_<plugins>_<fingerprint>_<n>`):
 * provisioning renames one to the tenant's schema inside its transaction
 * (one statement, catalog only) and a fresh one is built after the commit.
 *
 * The fingerprint covers every migration's checksum, each plugin's version
 * and grants digest, and the seeded roles: a release that changes any of them
 * never hands out an older schema, and the next build for that set of plugins
 * drops the outdated ones. A rolled-back provisioning leaves the prepared
 * schema where it was. With none ready, provisioning runs the whole script
 * instead (method `clone`), so the result is the same schema either way.
 */
export class SchemaTemplates {
  #migrator = new TenantMigrator()
  #building = new Map<string, Promise<void>>()

  constructor(
    private seed: SeedSchema,
    private logger: Logger,
    private options: { spares: number; roles: readonly string[] }
  ) {}

  /** The plan's names: the prefix of its plugin set and the prefix of its exact fingerprint. */
  names(plan: SchemaPlan) {
    const migrations = plan.sets.flatMap(compileSet).map((m) => [m.owner, m.name, m.checksum])
    const set = sha(plan.plugins.map((plugin) => plugin.name).join(',')).slice(0, 8)
    const fingerprint = sha(
      JSON.stringify({ migrations, plugins: plan.plugins, roles: this.options.roles })
    ).slice(0, 16)
    return { set: `${PREFIX}${set}_`, exact: `${PREFIX}${set}_${fingerprint}_` }
  }

  /**
   * Inside provisioning's transaction: renames a prepared schema of `plan` to
   * `schema` and says whether one was there. Each candidate is taken under a
   * transaction-level advisory lock, so two provisionings never take the
   * same one, and a rollback puts it back.
   */
  async claim(trx: TransactionClientContract, plan: SchemaPlan, schema: string) {
    const { exact } = this.names(plan)
    await trx.rawQuery(`DO $$
DECLARE candidate name;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '${identifier(schema)}') THEN RETURN; END IF;
  FOR candidate IN SELECT nspname FROM pg_namespace
    WHERE starts_with(nspname, '${identifier(exact)}') ORDER BY nspname LOOP
    IF pg_try_advisory_xact_lock(hashtext('oryne:template:' || candidate))
      AND EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = candidate) THEN
      EXECUTE format('ALTER SCHEMA %I RENAME TO %I', candidate, '${identifier(schema)}');
      RETURN;
    END IF;
  END LOOP;
END $$`)
    const { rows } = await trx.rawQuery(
      `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ?) AS claimed`,
      [schema]
    )
    return rows[0].claimed as boolean
  }

  /**
   * Keeps `spares` prepared schemas of `plan`, building the missing ones one
   * after another, after dropping those of an older fingerprint of the same
   * plugins. One run per fingerprint at a time; failures are logged, never
   * thrown (provisioning falls back to the script).
   */
  replenish(plan: SchemaPlan): Promise<void> {
    const { exact } = this.names(plan)
    const running = this.#building.get(exact)
    if (running) return running
    const run = this.#replenish(plan)
      .catch((error) => this.logger.error({ err: error }, 'could not prepare tenant schemas'))
      .finally(() => this.#building.delete(exact))
    this.#building.set(exact, run)
    return run
  }

  /** Resolves once no build runs (benchmarks, tests and shutdown wait for it). */
  async settled() {
    while (this.#building.size) await Promise.all(this.#building.values())
  }

  /** The prepared schemas of every plan in the database. */
  async list(): Promise<string[]> {
    const { rows } = await db.rawQuery(
      `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, ?) ORDER BY nspname`,
      [PREFIX]
    )
    return rows.map((row: { nspname: string }) => row.nspname)
  }

  async #replenish(plan: SchemaPlan) {
    const { set, exact } = this.names(plan)
    const existing = await this.list()
    for (const outdated of existing.filter((n) => n.startsWith(set) && !n.startsWith(exact)))
      await this.#drop(outdated)
    const ready = existing.filter((name) => name.startsWith(exact)).length
    for (let built = ready; built < this.options.spares; built++) await this.#build(plan, exact)
  }

  async #build(plan: SchemaPlan, exact: string) {
    const schema = identifier(`${exact}${randomBytes(4).toString('hex')}`)
    await db.transaction(async (trx) => {
      await trx.rawQuery(`CREATE SCHEMA "${schema}"`)
      await trx.rawQuery(`SELECT set_config('search_path', ?, true)`, [`"${schema}", public`])
      await this.#migrator.migrate(trx, plan.sets, 'clone')
      await this.seed(trx, plan)
    })
  }

  async #drop(schema: string) {
    await db.transaction(async (trx) => {
      const { rows } = await trx.rawQuery(
        `SELECT pg_try_advisory_xact_lock(hashtext(?)) AS locked`,
        [`oryne:template:${schema}`]
      )
      if (rows[0].locked)
        await trx.rawQuery(`DROP SCHEMA IF EXISTS "${identifier(schema)}" CASCADE`)
    })
  }
}
