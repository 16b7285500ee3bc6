import { defineTenantMigration } from '@oryne/sdk'

const ONE_PASSENGER = '(student_id IS NULL) <> (user_id IS NULL)'

/** Rules the services check first (with friendly errors), kept true for every writer. */
const CHECKS: Array<[table: string, name: string, condition: string]> = [
  [
    'transport_vehicles',
    'transport_vehicles_occupancy_range',
    'occupied >= 0 AND occupied <= seats',
  ],
  ['transport_assignments', 'transport_assignments_one_passenger', ONE_PASSENGER],
  ['transport_assignment_changes', 'transport_assignment_changes_one_passenger', ONE_PASSENGER],
]

/** At most one active assignment per passenger. */
const PARTIAL_UNIQUE: Array<[name: string, column: string]> = [
  ['transport_assignments_active_student', 'student_id'],
  ['transport_assignments_active_user', 'user_id'],
]

/**
 * What the resources cannot declare: uniqueness across columns (stop
 * positions per route, one charge per term and student, one mark per trip
 * and student), partial unique indexes and checks across columns.
 */
export default defineTenantMigration({
  name: '0002_transport_workflows',
  up(schema) {
    schema
      .alterTable('transport_stops', (table) => table.unique(['route_id', 'position']))
      .alterTable('transport_term_charges', (table) => table.unique(['term_id', 'student_id']))
      .alterTable('transport_trip_marks', (table) => table.unique(['trip_id', 'student_id']))
    for (const [table, name, condition] of CHECKS) {
      schema.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${condition})`)
    }
    for (const [name, column] of PARTIAL_UNIQUE) {
      schema.raw(
        `CREATE UNIQUE INDEX ${name} ON transport_assignments (${column}) WHERE status = 'active'`
      )
    }
  },
  down(schema) {
    for (const [name] of PARTIAL_UNIQUE) schema.raw(`DROP INDEX IF EXISTS ${name}`)
    for (const [table, name] of CHECKS) {
      schema.raw(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name}`)
    }
    schema
      .alterTable('transport_trip_marks', (table) => table.dropUnique(['trip_id', 'student_id']))
      .alterTable('transport_term_charges', (table) => table.dropUnique(['term_id', 'student_id']))
      .alterTable('transport_stops', (table) => table.dropUnique(['route_id', 'position']))
  },
})
