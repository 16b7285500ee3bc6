import { ident } from '../../resources/sql.js'
import { searchIndexStatements } from '../../search/document.js'
import { searchFieldsOf } from '../ddl.js'
import type { CollectionDefinition } from '../definition.js'
import { defaultLiteral, describeType, sqlType } from './conversions.js'
import { planChange } from './field_change.js'
import type { Change } from './input.js'
import {
  constraintStatements,
  names,
  same,
  step,
  type Plan,
  type PlanContext,
  type Problem,
  type Step,
} from './plan.js'

/*
 * The plan of a change to a collection's fields: the steps the applier runs,
 * in order, each with what it does to the table (sql_kind and its SQL), how
 * many stored rows it touches — counted in the collection's own table — and
 * what stands in its way. A step with a blocking problem would fail (or lose
 * values silently) if run: the plan is refused until the request says how to
 * resolve it. Destructive steps need confirmation and leave a backup.
 */

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
