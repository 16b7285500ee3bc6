import type { ColumnSnapshot, TableSnapshot } from '../../resources/snapshot.js'
import { ident } from '../../resources/sql.js'
import { constraintName } from '../ddl.js'
import type { CollectionDefinition } from '../definition.js'
import { enumPredicate } from './conversions.js'
import type { Change } from './input.js'

/*
 * What a plan of a change to a collection's fields is made of (steps, their
 * problems and statements, what the planner reads of the collection), and the
 * helpers every kind of step shares: statements that add a column's
 * constraints under the names a created table gives them.
 */

export type Problem = {
  code: string
  message: string
  /** Rows of the table the problem concerns. */
  rows?: number
  /** Would fail the change as asked; the plan is refused while one remains. */
  blocking: boolean
  /** What resolves it, when the request can say so. */
  resolution?: string
}

export type SqlKind =
  | 'add_column'
  | 'rename_column'
  | 'drop_column'
  | 'alter_type'
  | 'replace_check'
  | 'set_default'
  | 'drop_default'
  | 'set_not_null'
  | 'drop_not_null'
  | 'add_unique'
  | 'drop_unique'
  | 'add_index'
  | 'drop_index'
  | 'replace_foreign'
  | 'drop_search_index'
  | 'create_search_index'
  | 'metadata'

/** One statement of a step; constraint and index names are looked up when it runs. */
export type Statement =
  | { sql: string }
  | { drop: 'unique' | 'check' | 'foreign' | 'index'; column: string }
  | { renameNamedAfter: { from: string; to: string } }

export type PlanStep = {
  /** The change's op, or `search_index` for the search indexes the changes rebuild. */
  op: Change['op'] | 'search_index'
  field: string
  sql_kind: SqlKind
  destructive: boolean
  affected_rows: number
  problems: Problem[]
  /** What the step does, in words. */
  description: string
  /** The SQL it runs (a looked-up name in <angle brackets>). */
  sql: string[]
}

export type Step = PlanStep & {
  statements: Statement[]
  /** The column (as named before the change) whose values this step may lose: copied to the backup. */
  backup?: string
}

export type Plan = {
  collection: string
  from_version: number
  to_version: number
  /** Some step removes or rewrites stored values: applying needs `confirm: true` and leaves a backup. */
  destructive: boolean
  /** No blocking problem remains. */
  applicable: boolean
  rows: number
  steps: Step[]
  /** The definition once applied. */
  definition: CollectionDefinition
}

/** What the planner needs of the collection and its table. */
export type PlanContext = {
  collection: string
  table: string
  version: number
  before: { definition: CollectionDefinition; table: TableSnapshot }
  after: { definition: CollectionDefinition; table: TableSnapshot }
  /** Runs `SELECT count(*) FROM <table> WHERE <where>` in the tenant transaction. */
  count(where: string): Promise<number>
  /** Names of views, forms and automations that mention a field (for removals). */
  usersOf(field: string): Promise<string[]>
}

export const same = (a: unknown, b: unknown) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

/** Quoted names of the table and a column. */
export function names(context: PlanContext, column: string) {
  return { t: ident(context.table), c: ident(column) }
}

function statementSql(context: PlanContext, statement: Statement): string {
  if ('sql' in statement) return statement.sql
  const t = ident(context.table)
  if ('renameNamedAfter' in statement)
    return `-- constraints and indexes named after ${ident(statement.renameNamedAfter.from)} follow the new name`
  if (statement.drop === 'index') return `DROP INDEX <the index of ${t}.${ident(statement.column)}>`
  return `ALTER TABLE ${t} DROP CONSTRAINT <the ${statement.drop} constraint of ${ident(statement.column)}>`
}

export function step(context: PlanContext, partial: Omit<Step, 'sql'>): Step {
  return { ...partial, sql: partial.statements.map((s) => statementSql(context, s)) }
}

/** A unique index, index or foreign key's name, as the table's creation names it (core/collections/ddl.ts). */
export const named = (table: string, column: string, kind: 'unique' | 'index' | 'foreign') =>
  ident(constraintName(table, column, kind))

/** An enum's CHECK, left for PostgreSQL to name (`<table>_<column>_check`) as it names the one a create writes. */
export const checkOf = (table: string, column: string, values: readonly string[]) =>
  `ALTER TABLE ${ident(table)} ADD CHECK (${enumPredicate(ident(column), values)})`

/** Statements that add the constraints and index of a column. */
export function constraintStatements(
  table: string,
  column: string,
  to: ColumnSnapshot
): Statement[] {
  const statements: Statement[] = []
  const [t, c] = [ident(table), ident(column)]
  if (to.type === 'enum')
    statements.push({
      sql: checkOf(table, column, to.values ?? []),
    })
  if (to.unique)
    statements.push({
      sql: `ALTER TABLE ${t} ADD CONSTRAINT ${named(table, column, 'unique')} UNIQUE (${c})`,
    })
  else if (to.index)
    statements.push({
      sql: `CREATE INDEX ${named(table, column, 'index')} ON ${t} (${c})`,
    })
  if (to.references) statements.push(foreignKey(table, column, to))
  return statements
}

export function foreignKey(table: string, column: string, to: ColumnSnapshot): Statement {
  const { table: target, onDelete } = to.references!
  return {
    sql: `ALTER TABLE ${ident(table)} ADD CONSTRAINT ${named(table, column, 'foreign')} FOREIGN KEY (${ident(column)}) REFERENCES ${ident(target)} ("id") ON DELETE ${onDelete.toUpperCase()}`,
  }
}

/** Rows sharing a value (of `expression`) with another row. */
export async function duplicates(context: PlanContext, expression: string) {
  const { t } = names(context, 'id')
  return context.count(
    `${expression} IN (SELECT ${expression} FROM ${t} WHERE ${expression} IS NOT NULL GROUP BY 1 HAVING count(*) > 1)`
  )
}

/** The plan as the API shows it (without the statements' internals). */
export function presentPlan(plan: Plan) {
  return {
    ...plan,
    steps: plan.steps.map(({ statements: _statements, backup: _backup, ...shown }) => shown),
  }
}
