import type { ColumnSnapshot } from '../../resources/snapshot.js'
import type { FieldSpec } from '../definition.js'
import {
  conversionOf,
  defaultLiteral,
  describeType,
  enumPredicate,
  sameType,
  sqlType,
  type Conversion,
} from './conversions.js'
import type { OnInvalid } from './input.js'
import {
  checkOf,
  duplicates,
  foreignKey,
  named,
  names,
  same,
  step,
  type PlanContext,
  type Problem,
  type Statement,
  type Step,
} from './plan.js'

/*
 * The steps of a change_field, in the order they run: a new on_delete, the
 * type (values converted by a USING clause; those that do not fit counted,
 * and replaced only when the request says with what), enum values, the
 * default, required (empty values counted, filled by the default), unique
 * (duplicates counted), the index, and what changes no table (metadata).
 */

const METADATA_KEYS = ['label', 'description', 'search', 'personal', 'sensitive', 'min', 'max']

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

export async function planChange(
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
