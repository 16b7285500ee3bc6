import type { QueryClient, TenantTable } from '@oryne/sdk'

/*
 * The ERP records other plugins read, as relations with stated columns: what
 * a dependent plugin joins, selects from or looks up instead of naming the
 * ERP's tables (docs/plugins.md, "Using another plugin"). A relation is a
 * derived table, `(SELECT <columns> FROM erp_x) AS alias`, that PostgreSQL
 * folds into the caller's statement: joining it costs what joining the table
 * cost, and the ERP may change its tables as long as these columns stay.
 */

const RELATIONS = {
  students: {
    table: 'erp_students',
    columns: [
      'id',
      'user_id',
      'enrollment_no',
      'first_name',
      'last_name',
      'gender',
      'class_id',
      'section_id',
      'status',
    ],
  },
  /** A guardian's link to a child: `user_id` is the guardian's account (null without one). */
  guardians: { table: 'erp_guardians', columns: ['id', 'student_id', 'user_id', 'name'] },
  teachers: { table: 'erp_teachers', columns: ['id', 'user_id', 'employee_no', 'name', 'status'] },
  classes: { table: 'erp_classes', columns: ['id', 'name', 'grade_level'] },
  sections: { table: 'erp_sections', columns: ['id', 'class_id', 'name', 'class_teacher_id'] },
  subjects: { table: 'erp_subjects', columns: ['id', 'code', 'name'] },
  terms: {
    table: 'erp_terms',
    columns: ['id', 'academic_year_id', 'name', 'starts_on', 'ends_on'],
  },
} as const

export type ErpRelation = keyof typeof RELATIONS

/** Inside withTenantDb the search_path names the tenant's tables. */
const inSearchPath: TenantTable = (name, alias = name) => `${name} as ${alias}`

const ALIAS = /^[a-z_][a-z0-9_]*$/

/**
 * A relation for raw SQL: `(SELECT id, user_id, … FROM erp_students) AS s`.
 * `table` names tenant tables (readTenantDb's `table`; by default the
 * search_path of withTenantDb).
 */
export function erpRelation(relation: ErpRelation, alias: string, table = inSearchPath) {
  if (!ALIAS.test(alias)) throw new Error(`Invalid alias "${alias}" for the ERP ${relation}`)
  const { table: name, columns } = RELATIONS[relation]
  return `(SELECT ${columns.join(', ')} FROM ${table(name, name)}) AS ${alias}`
}

/** Rows of a relation to build on: `fromErp(trx, 'students', 's').where('s.status', 'active')`. */
export function fromErp(
  client: QueryClient,
  relation: ErpRelation,
  alias: string,
  table = inSearchPath
) {
  const { table: name, columns } = RELATIONS[relation]
  if (!ALIAS.test(alias)) throw new Error(`Invalid alias "${alias}" for the ERP ${relation}`)
  return client.from(
    client
      .from(table(name, name))
      .select(...columns)
      .as(alias)
  )
}

type Joinable = { joinRaw(sql: string, bindings: string[]): unknown }

/**
 * Joins a relation as `alias` on `alias.id = column` (or `alias.<key>` with
 * `key`), a left join with `left`: the query-builder form of erpRelation.
 */
export function joinErp<Query extends Joinable>(
  query: Query,
  relation: ErpRelation,
  alias: string,
  column: string,
  options: { left?: boolean; key?: string; table?: TenantTable } = {}
): Query {
  const key = options.key ?? 'id'
  if (!ALIAS.test(key)) throw new Error(`Invalid key "${key}" for the ERP ${relation}`)
  query.joinRaw(
    `${options.left ? 'LEFT JOIN' : 'JOIN'} ${erpRelation(relation, alias, options.table)} ON ${alias}.${key} = ??`,
    [column]
  )
  return query
}

export type StudentRecord = {
  id: string
  user_id: string | null
  enrollment_no: string
  first_name: string
  last_name: string
  gender: string | null
  class_id: string | null
  class_name: string | null
  section_id: string | null
  status: string
}

/** A student with the name of their class, or null. One statement. */
export async function findStudent(
  client: QueryClient,
  studentId: string,
  table = inSearchPath
): Promise<StudentRecord | null> {
  const student = await joinErp(
    fromErp(client, 'students', 's', table),
    'classes',
    'c',
    's.class_id',
    {
      left: true,
      table,
    }
  )
    .where('s.id', studentId)
    .select('s.*', 'c.name as class_name')
    .first()
  return student ?? null
}

/** A teacher (id, user_id, employee_no, name, status), or null. */
export async function findTeacher(client: QueryClient, teacherId: string) {
  return (await fromErp(client, 'teachers', 't').where('t.id', teacherId).first()) ?? null
}

/** A section with the name of its class, or null. */
export async function findSection(client: QueryClient, sectionId: string) {
  const section = await joinErp(fromErp(client, 'sections', 's'), 'classes', 'c', 's.class_id', {
    left: true,
  })
    .where('s.id', sectionId)
    .select('s.*', 'c.name as class_name')
    .first()
  return section ?? null
}

/** A term (id, academic_year_id, name, starts_on, ends_on), or null. */
export async function findTerm(client: QueryClient, termId: string) {
  return (await fromErp(client, 'terms', 't').where('t.id', termId).first()) ?? null
}

/** Which of `ids` name existing classes or sections (as strings). */
export async function existingIds(
  client: QueryClient,
  relation: 'classes' | 'sections',
  ids: string[]
): Promise<Set<string>> {
  const rows = await fromErp(client, relation, 'x').whereIn('x.id', ids).select('x.id')
  return new Set(rows.map((row) => String(row.id)))
}
