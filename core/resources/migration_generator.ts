import type { ColumnSnapshot, TableSnapshot } from './snapshot.js'

/*
 * Generated migrations: the difference between two snapshots of a plugin's
 * tables, as knex schema-builder code in a defineTenantMigration file. The
 * `down` of a migration is the same difference taken the other way.
 */

export type SchemaChange =
  | { kind: 'create_table'; table: string; snapshot: TableSnapshot }
  | { kind: 'drop_table'; table: string; snapshot: TableSnapshot }
  | { kind: 'add_column'; table: string; column: string; to: ColumnSnapshot }
  | { kind: 'drop_column'; table: string; column: string; from: ColumnSnapshot }
  | {
      kind: 'alter_column'
      table: string
      column: string
      from: ColumnSnapshot
      to: ColumnSnapshot
    }

type Tables = Record<string, TableSnapshot>

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** Tables in an order where every table comes after the tables it references. */
function referenceOrder(tables: Tables, names: string[]): string[] {
  const ordered: string[] = []
  const visit = (name: string, path: Set<string>) => {
    if (ordered.includes(name) || path.has(name)) return
    path.add(name)
    for (const column of Object.values(tables[name].columns)) {
      const target = column.references?.table
      if (target && target !== name && names.includes(target)) visit(target, path)
    }
    ordered.push(name)
  }
  names.forEach((name) => visit(name, new Set()))
  return ordered
}

/** What changes from `before` to `after`: tables created first, dropped last. */
export function diffTables(before: Tables, after: Tables): SchemaChange[] {
  const changes: SchemaChange[] = []
  const created = Object.keys(after).filter((table) => !before[table])
  for (const table of referenceOrder(after, created)) {
    changes.push({ kind: 'create_table', table, snapshot: after[table] })
  }
  for (const [table, next] of Object.entries(after)) {
    const previous = before[table]
    if (!previous) continue
    for (const [column, to] of Object.entries(next.columns)) {
      const from = previous.columns[column]
      if (!from) changes.push({ kind: 'add_column', table, column, to })
      else if (!same(from, to)) changes.push({ kind: 'alter_column', table, column, from, to })
    }
    for (const [column, from] of Object.entries(previous.columns)) {
      if (!next.columns[column]) changes.push({ kind: 'drop_column', table, column, from })
    }
  }
  const dropped = Object.keys(before).filter((table) => !after[table])
  for (const table of referenceOrder(before, dropped).reverse()) {
    changes.push({ kind: 'drop_table', table, snapshot: before[table] })
  }
  return changes
}

/** Whether a type change keeps every existing value as it is. */
function widens(from: ColumnSnapshot, to: ColumnSnapshot) {
  if (from.type === to.type) {
    if (to.type === 'varchar') return (to.length ?? 255) >= (from.length ?? 255)
    if (to.type === 'numeric') {
      const [fp, fs, tp, ts] = [from.precision!, from.scale!, to.precision!, to.scale!]
      return ts >= fs && tp - ts >= fp - fs
    }
    if (to.type === 'enum') return (from.values ?? []).every((v) => to.values?.includes(v))
    return true
  }
  return (from.type === 'varchar' || from.type === 'enum') && to.type === 'text'
}

/**
 * Why a change could fail or lose data on a table that already has rows, or
 * null when it is safe. Dropping tables and columns is not listed here: it is
 * what the resource change asks for, and the CLI says what is dropped.
 */
export function unsafeReason(change: SchemaChange): string | null {
  const where = `${change.table}.${'column' in change ? change.column : ''}`
  if (change.kind === 'add_column') {
    if (!change.to.nullable && change.to.default === undefined)
      return `${where}: a required column without a default cannot be added to rows that exist`
    if (change.to.unique) return `${where}: a unique column fails if existing rows share a value`
    return null
  }
  if (change.kind !== 'alter_column') return null
  const { from, to } = change
  if (!widens(from, to))
    return `${where}: ${describe(from)} to ${describe(to)} may not fit the existing values`
  if (from.nullable && !to.nullable)
    return `${where}: becomes required; rows holding NULL would fail`
  if (!from.unique && to.unique) return `${where}: becomes unique; duplicate values would fail`
  if (from.references?.table !== to.references?.table && to.references)
    return `${where}: now references ${to.references.table}; existing ids may not exist there`
  return null
}

function describe(column: ColumnSnapshot) {
  if (column.type === 'varchar') return `varchar(${column.length})`
  if (column.type === 'numeric') return `numeric(${column.precision}, ${column.scale})`
  if (column.type === 'enum') return `enum(${column.values?.join(', ')})`
  return column.type
}

/** A short summary of a change, for the CLI and `oryne plugin check`. */
export function describeChange(change: SchemaChange): string {
  switch (change.kind) {
    case 'create_table':
      return `create table ${change.table} (resource ${change.snapshot.resource})`
    case 'drop_table':
      return `drop table ${change.table} and its rows (resource ${change.snapshot.resource} removed)`
    case 'add_column':
      return `add column ${change.table}.${change.column} ${describe(change.to)}`
    case 'drop_column':
      return `drop column ${change.table}.${change.column} and its values`
    case 'alter_column': {
      const parts: string[] = []
      const { from, to } = change
      if (describe(from) !== describe(to)) parts.push(`${describe(from)} -> ${describe(to)}`)
      if (from.nullable !== to.nullable) parts.push(to.nullable ? 'optional' : 'required')
      if (!same(from.default, to.default))
        parts.push(`default ${JSON.stringify(to.default ?? null)}`)
      if (from.unique !== to.unique) parts.push(to.unique ? 'unique' : 'not unique')
      if (from.index !== to.index) parts.push(to.index ? 'indexed' : 'not indexed')
      if (!same(from.references, to.references))
        parts.push(`references ${to.references ? JSON.stringify(to.references) : 'nothing'}`)
      return `alter column ${change.table}.${change.column}: ${parts.join(', ')}`
    }
  }
}

/* Rendering: knex schema-builder code, one statement per line. */

const q = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`
const ident = (value: string) => `"${value.replaceAll('"', '""')}"`

function literal(value: string | number | boolean | null) {
  return typeof value === 'string' ? q(value) : String(value)
}

/** The builder call that creates the column's type, e.g. `table.string('title', 120)`. */
function typeCall(name: string, column: ColumnSnapshot, forAlter = false): string {
  switch (column.type) {
    case 'varchar':
      return `table.string(${q(name)}, ${column.length})`
    case 'numeric':
      return `table.decimal(${q(name)}, ${column.precision}, ${column.scale})`
    case 'timestamptz':
      return `table.timestamp(${q(name)}, { useTz: true })`
    case 'bigint':
      return `table.bigInteger(${q(name)})`
    case 'enum':
      // knex cannot alter an enum's CHECK; on alter the type stays text and the CHECK is replaced.
      return forAlter
        ? `table.text(${q(name)})`
        : `table.enu(${q(name)}, [${column.values!.map(q).join(', ')}])`
    default:
      return `table.${column.type}(${q(name)})`
  }
}

function modifiers(column: ColumnSnapshot) {
  let code = column.nullable ? '.nullable()' : '.notNullable()'
  if (column.default !== undefined) code += `.defaultTo(${literal(column.default)})`
  return code
}

function foreignCall(column: ColumnSnapshot) {
  const { table, onDelete } = column.references!
  return `.references('id').inTable(${q(table)}).onDelete(${q(onDelete.toUpperCase())})`
}

function columnLines(name: string, column: ColumnSnapshot): string[] {
  let code = typeCall(name, column) + modifiers(column)
  if (column.unique) code += '.unique()'
  else if (column.index) code += '.index()'
  if (column.references) code += foreignCall(column)
  return [code]
}

function checkName(table: string, column: string) {
  return `${table}_${column}_check`
}

function alterLines(table: string, name: string, from: ColumnSnapshot, to: ColumnSnapshot) {
  const lines: string[] = []
  const typeChanged = describe(from) !== describe(to)
  const enumValuesOnly = from.type === 'enum' && to.type === 'enum'
  if (from.references && !same(from.references, to.references))
    lines.push(`table.dropForeign([${q(name)}])`)
  if (from.unique && !to.unique) lines.push(`table.dropUnique([${q(name)}])`)
  if (from.index && !to.index && !to.unique) lines.push(`table.dropIndex([${q(name)}])`)
  if (from.type === 'enum' && (typeChanged || to.type !== 'enum'))
    lines.push(`table.dropChecks([${q(checkName(table, name))}])`)
  const alterType = typeChanged && !enumValuesOnly
  if (alterType || from.nullable !== to.nullable || !same(from.default, to.default)) {
    const options = alterType ? '' : '{ alterType: false }'
    const target = to.type === 'enum' ? { ...to, type: 'text' as const } : to
    lines.push(`${typeCall(name, target, true)}${modifiers(to)}.alter(${options})`)
  }
  if (to.type === 'enum' && (typeChanged || from.type !== 'enum')) {
    const predicate = `${ident(name)} in (${to.values!.map(sqlString).join(', ')})`
    lines.push(`table.check(${q(predicate)}, [], ${q(checkName(table, name))})`)
  }
  if (!from.unique && to.unique) lines.push(`table.unique([${q(name)}])`)
  if (!from.index && to.index && !to.unique) lines.push(`table.index([${q(name)}])`)
  if (to.references && !same(from.references, to.references))
    lines.push(`table.foreign(${q(name)})${foreignCall(to)}`)
  return lines
}

function createTable(table: string, snapshot: TableSnapshot): string[] {
  const body = [
    `table.bigIncrements('id')`,
    ...Object.entries(snapshot.columns).flatMap(([name, column]) => columnLines(name, column)),
    `table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())`,
    `table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())`,
  ]
  return [`schema.createTable(${q(table)}, (table) => {`, ...body.map((l) => `  ${l}`), '})']
}

/** The body of `up` (or `down`) for these changes, as lines of code. */
export function renderChanges(changes: SchemaChange[]): string[] {
  const lines: string[] = []
  const altered = new Map<string, string[]>()
  const alter = (table: string, body: string[]) => {
    if (!altered.has(table)) altered.set(table, [])
    altered.get(table)!.push(...body)
  }
  for (const change of changes) {
    if (change.kind === 'create_table') lines.push(...createTable(change.table, change.snapshot))
    if (change.kind === 'add_column') alter(change.table, columnLines(change.column, change.to))
    if (change.kind === 'drop_column')
      alter(change.table, [`table.dropColumn(${q(change.column)})`])
    if (change.kind === 'alter_column')
      alter(change.table, alterLines(change.table, change.column, change.from, change.to))
  }
  for (const [table, body] of altered) {
    lines.push(`schema.alterTable(${q(table)}, (table) => {`, ...body.map((l) => `  ${l}`), '})')
  }
  for (const change of changes)
    if (change.kind === 'drop_table') lines.push(`schema.dropTable(${q(change.table)})`)
  return lines
}

function usesKnex(lines: string[]) {
  return lines.some((line) => line.includes('knex.'))
}

/** A migration file: `up` from `before` to `after`, `down` back. */
export function renderMigration(options: {
  name: string
  before: Record<string, TableSnapshot>
  after: Record<string, TableSnapshot>
  sdk?: string
}): string {
  const up = renderChanges(diffTables(options.before, options.after))
  const down = renderChanges(diffTables(options.after, options.before))
  const step = (method: string, lines: string[]) => [
    `  ${method}(schema${usesKnex(lines) ? ', knex' : ''}) {`,
    ...lines.map((line) => `    ${line}`),
    '  },',
  ]
  return [
    `import { defineTenantMigration } from ${q(options.sdk ?? '@oryne/sdk')}`,
    '',
    '// Generated by `oryne plugin make-migration` from the resources; review before committing.',
    'export default defineTenantMigration({',
    `  name: ${q(options.name)},`,
    ...step('up', up),
    ...step('down', down),
    '})',
    '',
  ].join('\n')
}

/** A migration name from what it does: `create_books`, `alter_books`, `update_resources`. */
export function migrationSlug(changes: SchemaChange[]) {
  const tables = [...new Set(changes.map((change) => change.table))]
  const slug =
    changes.every((change) => change.kind === 'create_table') && tables.length === 1
      ? `create_${tables[0]}`
      : tables.length === 1
        ? `alter_${tables[0]}`
        : 'update_resources'
  return slug.replace(/[^a-z0-9_]/g, '_').slice(0, 60)
}
