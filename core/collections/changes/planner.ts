import type { ColumnSnapshot, TableSnapshot } from '../../resources/snapshot.js'
import { ident } from '../../resources/sql.js'
import { searchIndexStatements } from '../../search/document.js'
import { constraintName, searchFieldsOf } from '../ddl.js'
import type { CollectionDefinition, FieldSpec } from '../definition.js'
import {
  conversionOf,
  defaultLiteral,
  describeType,
  enumPredicate,
  sameType,
  sqlType,
  type Conversion,
} from './conversions.js'
import type { Change, OnInvalid } from './input.js'

/*
 * The plan of a change to a collection's fields: the steps the applier runs,
 * in order, each with what it does to the table (sql_kind and its SQL), how
 * many stored rows it touches — counted in the collection's own table — and
 * what stands in its way. A step with a blocking problem would fail (or lose
 * values silently) if run: the plan is refused until the request says how to
 * resolve it. Destructive steps need confirmation and leave a backup.
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

const METADATA_KEYS = ['label', 'description', 'search', 'personal', 'sensitive', 'min', 'max']

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

/** Quoted names of the table and a column. */
function names(context: PlanContext, column: string) {
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

function step(context: PlanContext, partial: Omit<Step, 'sql'>): Step {
  return { ...partial, sql: partial.statements.map((s) => statementSql(context, s)) }
}

/** A unique index, index or foreign key's name, as the table's creation names it (core/collections/ddl.ts). */
const named = (table: string, column: string, kind: 'unique' | 'index' | 'foreign') =>
  ident(constraintName(table, column, kind))

/** An enum's CHECK, left for PostgreSQL to name (`<table>_<column>_check`) as it names the one a create writes. */
const checkOf = (table: string, column: string, values: readonly string[]) =>
  `ALTER TABLE ${ident(table)} ADD CHECK (${enumPredicate(ident(column), values)})`

/** Statements that add the constraints and index of a column. */
function constraintStatements(table: string, column: string, to: ColumnSnapshot): Statement[] {
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

function foreignKey(table: string, column: string, to: ColumnSnapshot): Statement {
  const { table: target, onDelete } = to.references!
  return {
    sql: `ALTER TABLE ${ident(table)} ADD CONSTRAINT ${named(table, column, 'foreign')} FOREIGN KEY (${ident(column)}) REFERENCES ${ident(target)} ("id") ON DELETE ${onDelete.toUpperCase()}`,
  }
}

async function duplicates(context: PlanContext, expression: string) {
  const { t } = names(context, 'id')
  return context.count(
    `${expression} IN (SELECT ${expression} FROM ${t} WHERE ${expression} IS NOT NULL GROUP BY 1 HAVING count(*) > 1)`
  )
}

async function planAdd(context: PlanContext, name: string, rows: number): Promise<Step[]> {
  const to = context.after.table.columns[name]
  const spec = context.after.definition.fields[name]
  const problems: Problem[] = []
  if (!to.nullable && to.default === undefined && rows > 0)
    problems.push({
      code: 'required_without_default',
      message: `${rows} existing records would have no value for a required field`,
      rows,
      blocking: true,
      resolution: spec.type === 'reference' ? 'add it as optional' : 'give the field a default',
    })
  if (to.unique && to.default !== undefined && to.default !== null && rows > 1)
    problems.push({
      code: 'duplicates',
      message: `all ${rows} existing records would share the default of a unique field`,
      rows,
      blocking: true,
      resolution: 'add it without a default, or not unique',
    })
  const { t, c } = names(context, name)
  let column = `ALTER TABLE ${t} ADD COLUMN ${c} ${sqlType(to)}`
  if (to.default !== undefined) column += ` DEFAULT ${defaultLiteral(to.default)}`
  if (!to.nullable) column += ' NOT NULL'
  return [
    step(context, {
      op: 'add_field',
      field: name,
      sql_kind: 'add_column',
      destructive: false,
      affected_rows: to.default !== undefined && to.default !== null ? rows : 0,
      problems,
      description: `add ${describeType(to)} column ${name}${to.nullable ? '' : ' (required)'}`,
      statements: [{ sql: column }, ...constraintStatements(context.table, name, to)],
    }),
  ]
}

async function planRemove(context: PlanContext, name: string): Promise<Step[]> {
  const { t, c } = names(context, name)
  const problems: Problem[] = []
  const users = await context.usersOf(name)
  if (users.length)
    problems.push({
      code: 'used_by',
      message: `named by ${users.join(', ')}: edit them after the change, they name a field that no longer exists`,
      blocking: false,
    })
  return [
    step(context, {
      op: 'remove_field',
      field: name,
      sql_kind: 'drop_column',
      destructive: true,
      affected_rows: await context.count(`${c} IS NOT NULL`),
      problems,
      description: `drop column ${name} and its values`,
      statements: [{ sql: `ALTER TABLE ${t} DROP COLUMN ${c}` }],
      backup: name,
    }),
  ]
}

async function planRename(context: PlanContext, from: string, to: string): Promise<Step[]> {
  const t = ident(context.table)
  const users = await context.usersOf(from)
  return [
    step(context, {
      op: 'rename_field',
      field: from,
      sql_kind: 'rename_column',
      destructive: false,
      affected_rows: 0,
      description: `rename column ${from} to ${to}; values are kept`,
      problems: users.length
        ? [
            {
              code: 'renamed_in',
              message: `also renamed where ${users.join(', ')} name it`,
              blocking: false,
            },
          ]
        : [],
      statements: [
        { sql: `ALTER TABLE ${t} RENAME COLUMN ${ident(from)} TO ${ident(to)}` },
        { renameNamedAfter: { from, to } },
      ],
    }),
  ]
}

/** What replaces a value that does not fit, per `on_invalid`. */
function fallback(onInvalid: OnInvalid | undefined, to: ColumnSnapshot): string {
  return onInvalid === 'default' && to.default !== undefined ? defaultLiteral(to.default) : 'NULL'
}

/** Problems of replacing `rows` values that do not fit, per `on_invalid`. */
function invalidProblems(
  rows: number,
  what: string,
  onInvalid: OnInvalid | undefined,
  to: ColumnSnapshot
): Problem[] {
  if (!rows) return []
  if (!onInvalid)
    return [
      {
        code: 'values_do_not_fit',
        message: `${rows} stored values ${what}`,
        rows,
        blocking: true,
        resolution:
          'change those records first, or pass "on_invalid": "null" (or "default") to replace them',
      },
    ]
  if (onInvalid === 'default' && to.default === undefined)
    return [
      {
        code: 'no_default',
        message: `on_invalid "default" needs a default for the field`,
        rows,
        blocking: true,
        resolution: 'give the field a default',
      },
    ]
  if (fallback(onInvalid, to) === 'NULL' && !to.nullable && to.default === undefined)
    return [
      {
        code: 'required_without_default',
        message: `${rows} values would become empty in a required field`,
        rows,
        blocking: true,
        resolution: 'give the field a default, or use on_invalid "default"',
      },
    ]
  return [
    {
      code: 'values_replaced',
      message: `${rows} stored values ${what}; they become ${fallback(onInvalid, to) === 'NULL' ? 'empty' : 'the default'} (kept in the backup)`,
      rows,
      blocking: false,
    },
  ]
}

async function planChange(
  context: PlanContext,
  name: string,
  onInvalid: OnInvalid | undefined
): Promise<Step[]> {
  const from = context.before.table.columns[name]
  const to = context.after.table.columns[name]
  const oldSpec = context.before.definition.fields[name]
  const newSpec = context.after.definition.fields[name]
  const { t, c } = names(context, name)
  const steps: Step[] = []
  const add = (partial: Omit<Step, 'sql' | 'op' | 'field'>) =>
    steps.push(step(context, { op: 'change_field', field: name, ...partial }))

  /** The value a row holds once converted (for counts after a type change). */
  let converted = c
  let emptied = 0
  const typeChanged = !sameType(from, to) || (from.type === 'enum') !== (to.type === 'enum')

  if (from.references && to.references && from.references.table === to.references.table) {
    if (from.references.onDelete !== to.references.onDelete)
      add({
        sql_kind: 'replace_foreign',
        destructive: false,
        affected_rows: 0,
        problems: [],
        description: `on delete of the referenced record: ${to.references.onDelete}`,
        statements: [{ drop: 'foreign', column: name }, foreignKey(context.table, name, to)],
      })
  }

  if (typeChanged) {
    const conversion = conversionOf(from, to)
    if ('unsupported' in conversion) {
      add({
        sql_kind: 'alter_type',
        destructive: true,
        affected_rows: await context.count(`${c} IS NOT NULL`),
        problems: [
          { code: 'unsupported_conversion', message: conversion.unsupported, blocking: true },
        ],
        description: `change ${describeType(from)} to ${describeType(to)}`,
        statements: [],
      })
    } else {
      const { fits, alters } = conversion as Conversion
      const misfits = fits ? await context.count(`${c} IS NOT NULL AND NOT (${fits(c)})`) : 0
      const altered = alters
        ? await context.count(
            `${c} IS NOT NULL AND ${fits ? `(${fits(c)}) AND ` : ''}(${alters(c)})`
          )
        : 0
      const problems = invalidProblems(
        misfits,
        `do not convert to ${describeType(to)}`,
        onInvalid,
        to
      )
      if (altered)
        problems.push({
          code: 'values_change',
          message: `${altered} stored values change on the way (kept in the backup)`,
          rows: altered,
          blocking: false,
        })
      const using = fits
        ? `CASE WHEN ${fits(c)} THEN ${conversion.cast(c)} ELSE ${fallback(onInvalid, to)} END`
        : conversion.cast(c)
      converted = `(CASE WHEN ${c} IS NULL THEN NULL ELSE ${using} END)`
      if (fallback(onInvalid, to) === 'NULL') emptied = misfits
      const statements: Statement[] = []
      if (from.type === 'enum') statements.push({ drop: 'check', column: name })
      if (from.default !== undefined)
        statements.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${c} DROP DEFAULT` })
      statements.push({
        sql: `ALTER TABLE ${t} ALTER COLUMN ${c} TYPE ${sqlType(to)} USING ${converted}`,
      })
      if (to.type === 'enum')
        statements.push({
          sql: checkOf(context.table, name, to.values ?? []),
        })
      const destructive = conversion.lossy || (misfits > 0 && Boolean(onInvalid)) || altered > 0
      add({
        sql_kind: 'alter_type',
        destructive,
        affected_rows: misfits + altered,
        problems,
        description: `change ${describeType(from)} to ${describeType(to)}`,
        statements,
        backup: destructive ? name : undefined,
      })
    }
  } else if (from.type === 'enum' && !same(from.values, to.values)) {
    const removed = (from.values ?? []).filter((value) => !to.values?.includes(value))
    const outside = `${c} IS NOT NULL AND NOT (${enumPredicate(c, to.values ?? [])})`
    const misfits = removed.length ? await context.count(outside) : 0
    const statements: Statement[] = [{ drop: 'check', column: name }]
    if (misfits && onInvalid)
      statements.push({ sql: `UPDATE ${t} SET ${c} = ${fallback(onInvalid, to)} WHERE ${outside}` })
    statements.push({
      sql: checkOf(context.table, name, to.values ?? []),
    })
    if (fallback(onInvalid, to) === 'NULL') emptied = misfits
    add({
      sql_kind: 'replace_check',
      destructive: removed.length > 0,
      affected_rows: misfits,
      problems: invalidProblems(
        misfits,
        `hold a removed value (${removed.join(', ')})`,
        onInvalid,
        to
      ),
      description: removed.length
        ? `enum values removed: ${removed.join(', ')}`
        : `enum values: ${(to.values ?? []).join(', ')}`,
      statements,
      backup: removed.length ? name : undefined,
    })
  }

  if (!same(from.default, to.default) || (typeChanged && to.default !== undefined)) {
    const set = to.default !== undefined
    add({
      sql_kind: set ? 'set_default' : 'drop_default',
      destructive: false,
      affected_rows: 0,
      problems: [],
      description: set
        ? `new records default to ${JSON.stringify(to.default)}`
        : 'new records get no default',
      statements: [
        {
          sql: set
            ? `ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${defaultLiteral(to.default!)}`
            : `ALTER TABLE ${t} ALTER COLUMN ${c} DROP DEFAULT`,
        },
      ],
    })
  }

  if (from.nullable !== to.nullable) {
    if (to.nullable)
      add({
        sql_kind: 'drop_not_null',
        destructive: false,
        affected_rows: 0,
        problems: [],
        description: `${name} becomes optional`,
        statements: [{ sql: `ALTER TABLE ${t} ALTER COLUMN ${c} DROP NOT NULL` }],
      })
    else {
      const empty = (await context.count(`${c} IS NULL`)) + emptied
      const problems: Problem[] = []
      const statements: Statement[] = []
      if (empty && to.default === undefined)
        problems.push({
          code: 'empty_values',
          message: `${empty} records have no value for a field that becomes required`,
          rows: empty,
          blocking: true,
          resolution: 'give the field a default (it fills them), or fill those records first',
        })
      else if (empty) {
        problems.push({
          code: 'filled_with_default',
          message: `${empty} records without a value get the default ${JSON.stringify(to.default)}`,
          rows: empty,
          blocking: false,
        })
        statements.push({
          sql: `UPDATE ${t} SET ${c} = ${defaultLiteral(to.default!)} WHERE ${c} IS NULL`,
        })
      }
      statements.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL` })
      add({
        sql_kind: 'set_not_null',
        destructive: false,
        affected_rows: empty,
        problems,
        description: `${name} becomes required`,
        statements,
      })
    }
  }

  if (from.unique !== to.unique) {
    if (to.unique) {
      const rows = await duplicates(context, converted)
      add({
        sql_kind: 'add_unique',
        destructive: false,
        affected_rows: rows,
        problems: rows
          ? [
              {
                code: 'duplicates',
                message: `${rows} records share a value with another record`,
                rows,
                blocking: true,
                resolution: 'change those records so that each value is used once',
              },
            ]
          : [],
        description: `${name} becomes unique`,
        statements: [
          ...(from.index ? [{ drop: 'index' as const, column: name }] : []),
          {
            sql: `ALTER TABLE ${t} ADD CONSTRAINT ${named(context.table, name, 'unique')} UNIQUE (${c})`,
          },
        ],
      })
    } else
      add({
        sql_kind: 'drop_unique',
        destructive: false,
        affected_rows: 0,
        problems: [],
        description: `${name} is no longer unique`,
        statements: [{ drop: 'unique', column: name }],
      })
  }
  if (!to.unique && !from.unique && from.index !== to.index)
    add({
      sql_kind: to.index ? 'add_index' : 'drop_index',
      destructive: false,
      affected_rows: 0,
      problems: [],
      description: to.index ? `index ${name}` : `drop the index of ${name}`,
      statements: to.index
        ? [{ sql: `CREATE INDEX ${named(context.table, name, 'index')} ON ${t} (${c})` }]
        : [{ drop: 'index', column: name }],
    })
  if (!to.unique && from.unique && to.index)
    add({
      sql_kind: 'add_index',
      destructive: false,
      affected_rows: 0,
      problems: [],
      description: `index ${name}`,
      statements: [{ sql: `CREATE INDEX ${named(context.table, name, 'index')} ON ${t} (${c})` }],
    })

  const metadata = METADATA_KEYS.filter(
    (key) => !same(oldSpec[key as keyof FieldSpec], newSpec[key as keyof FieldSpec])
  )
  // A string's max is its column's length: a type change above when that is all that changed.
  const bounds = metadata.filter((key) => key === 'min' || key === 'max')
  const lengthOnly = to.type === 'varchar' && metadata.every((key) => key === 'max')
  if (metadata.length && !(typeChanged && lengthOnly)) {
    const problems: Problem[] = []
    const outside = boundsCheck(newSpec, converted)
    if (bounds.length && outside) {
      const rows = await context.count(outside)
      if (rows)
        problems.push({
          code: 'out_of_range',
          message: `${rows} stored values are outside the new bounds; they stay as they are, and an update of such a record must bring it within them`,
          rows,
          blocking: false,
        })
    }
    add({
      sql_kind: 'metadata',
      destructive: false,
      affected_rows: 0,
      problems,
      description: `changes ${metadata.join(', ')} (no change to the table)`,
      statements: [],
    })
  }
  if (!steps.length)
    add({
      sql_kind: 'metadata',
      destructive: false,
      affected_rows: 0,
      problems: [],
      description: 'nothing changes',
      statements: [],
    })
  return steps
}

/** Rows outside a field's validation bounds (numbers: value; text: length), as SQL. */
function boundsCheck(spec: FieldSpec, c: string): string | null {
  const measure =
    spec.type === 'integer' || spec.type === 'decimal'
      ? c
      : spec.type === 'string' || spec.type === 'text'
        ? `char_length(${c})`
        : null
  if (!measure) return null
  const parts: string[] = []
  if (spec.min !== undefined) parts.push(`${measure} < ${Number(spec.min)}`)
  if (spec.max !== undefined) parts.push(`${measure} > ${Number(spec.max)}`)
  return parts.length ? `${c} IS NOT NULL AND (${parts.join(' OR ')})` : null
}

/** The searched fields and their types: the search indexes (core/search/document.ts) cover them in this order. */
function searched(context: PlanContext, definition: CollectionDefinition) {
  return searchFieldsOf(context.collection, definition).map(
    (field) => `${field}:${definition.fields[field]?.type}`
  )
}

const searchChanges = (context: PlanContext) =>
  !same(searched(context, context.before.definition), searched(context, context.after.definition))

/**
 * The search indexes go first when the searched fields change (a type change
 * must not meet an index expression over the old type), and are built again
 * over the new ones last.
 */
function dropSearchIndexes(context: PlanContext): Step[] {
  if (!searchChanges(context) || !searched(context, context.before.definition).length) return []
  return [
    step(context, {
      op: 'search_index',
      field: searchFieldsOf(context.collection, context.before.definition).join(', '),
      sql_kind: 'drop_search_index',
      destructive: false,
      affected_rows: 0,
      problems: [],
      description: 'drop the search indexes over the fields searched so far',
      statements: ['fts', 'trgm'].map((kind) => ({
        sql: `DROP INDEX IF EXISTS ${ident(`${context.table}_search_${kind}`)}`,
      })),
    }),
  ]
}

function createSearchIndexes(context: PlanContext): Step[] {
  const fields = searchFieldsOf(context.collection, context.after.definition)
  if (!searchChanges(context) || !fields.length) return []
  return [
    step(context, {
      op: 'search_index',
      field: fields.join(', '),
      sql_kind: 'create_search_index',
      destructive: false,
      affected_rows: 0,
      problems: [],
      description: `index ${fields.join(', ')} for search`,
      statements: searchIndexStatements(context.table, fields).map((sql) => ({ sql })),
    }),
  ]
}

/** The plan of `changes` (already checked against the definition by the input module). */
export async function planChanges(context: PlanContext, changes: Change[]): Promise<Plan> {
  const rows = await context.count('true')
  const steps: Step[] = []
  for (const change of changes) {
    if (change.op === 'add_field') steps.push(...(await planAdd(context, change.name, rows)))
    if (change.op === 'remove_field') steps.push(...(await planRemove(context, change.name)))
    if (change.op === 'rename_field')
      steps.push(...(await planRename(context, change.from, change.to)))
    if (change.op === 'change_field')
      steps.push(...(await planChange(context, change.name, change.on_invalid)))
  }
  steps.unshift(...dropSearchIndexes(context))
  steps.push(...createSearchIndexes(context))
  return {
    collection: context.collection,
    from_version: context.version,
    to_version: context.version + 1,
    destructive: steps.some((s) => s.destructive),
    applicable: !steps.some((s) => s.problems.some((problem) => problem.blocking)),
    rows,
    steps,
    definition: context.after.definition,
  }
}

/** The plan as the API shows it (without the statements' internals). */
export function presentPlan(plan: Plan) {
  return {
    ...plan,
    steps: plan.steps.map(({ statements: _statements, backup: _backup, ...shown }) => shown),
  }
}
