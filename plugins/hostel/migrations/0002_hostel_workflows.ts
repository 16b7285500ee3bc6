import { defineTenantMigration } from '@oryne/sdk'

/**
 * Who lives in which room now, for the rooms' row rule (one sub-select): the
 * resident (a student's user or a staff user) and a student's guardians. A
 * view, so it follows allocations and ERP guardian links at once.
 */
const ROOM_RESIDENTS = `CREATE VIEW hostel_room_residents AS
  SELECT a.room_id, s.user_id, 'student'::text AS via
    FROM hostel_allocations a
    JOIN erp_students s ON s.id = a.student_id
   WHERE a.status = 'active' AND s.user_id IS NOT NULL
  UNION ALL
  SELECT a.room_id, a.user_id, 'staff'::text
    FROM hostel_allocations a
   WHERE a.status = 'active' AND a.user_id IS NOT NULL
  UNION ALL
  SELECT a.room_id, g.user_id, 'guardian'::text
    FROM hostel_allocations a
    JOIN erp_guardians g ON g.student_id = a.student_id
   WHERE a.status = 'active' AND g.user_id IS NOT NULL`

const ONE_RESIDENT = '(student_id IS NULL) <> (user_id IS NULL)'

/** Rules the services check first (with friendly errors), kept true for every writer. */
const CHECKS: Array<[table: string, name: string, condition: string]> = [
  ['hostel_rooms', 'hostel_rooms_occupancy_range', 'occupied >= 0 AND occupied <= capacity'],
  ['hostel_allocations', 'hostel_allocations_one_resident', ONE_RESIDENT],
  ['hostel_allocation_requests', 'hostel_allocation_requests_one_resident', ONE_RESIDENT],
  ['hostel_transfers', 'hostel_transfers_one_resident', ONE_RESIDENT],
  ['hostel_leave_passes', 'hostel_leave_passes_return_after_leaving', 'returns_by > leaves_at'],
]

/** At most one active allocation and one pending request per resident. */
const PARTIAL_UNIQUE: Array<[name: string, table: string, column: string, where: string]> = [
  ['hostel_allocations_active_student', 'hostel_allocations', 'student_id', "status = 'active'"],
  ['hostel_allocations_active_user', 'hostel_allocations', 'user_id', "status = 'active'"],
  [
    'hostel_allocation_requests_pending_student',
    'hostel_allocation_requests',
    'student_id',
    "status = 'pending'",
  ],
  [
    'hostel_allocation_requests_pending_user',
    'hostel_allocation_requests',
    'user_id',
    "status = 'pending'",
  ],
]

/**
 * What the resources cannot declare: uniqueness across columns (block names
 * per hostel, room numbers per block, one charge per term and student),
 * partial unique indexes, checks across columns and the residents view.
 */
export default defineTenantMigration({
  name: '0002_hostel_workflows',
  up(schema) {
    schema
      .alterTable('hostel_blocks', (table) => table.unique(['hostel_id', 'name']))
      .alterTable('hostel_rooms', (table) => table.unique(['block_id', 'number']))
      .alterTable('hostel_term_charges', (table) => table.unique(['term_id', 'student_id']))
    for (const [table, name, condition] of CHECKS) {
      schema.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${condition})`)
    }
    for (const [name, table, column, where] of PARTIAL_UNIQUE) {
      schema.raw(`CREATE UNIQUE INDEX ${name} ON ${table} (${column}) WHERE ${where}`)
    }
    schema.raw(ROOM_RESIDENTS)
  },
  down(schema) {
    schema.raw('DROP VIEW IF EXISTS hostel_room_residents')
    for (const [name] of PARTIAL_UNIQUE) schema.raw(`DROP INDEX IF EXISTS ${name}`)
    for (const [table, name] of CHECKS) {
      schema.raw(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name}`)
    }
    schema
      .alterTable('hostel_term_charges', (table) => table.dropUnique(['term_id', 'student_id']))
      .alterTable('hostel_rooms', (table) => table.dropUnique(['block_id', 'number']))
      .alterTable('hostel_blocks', (table) => table.dropUnique(['hostel_id', 'name']))
  },
})
