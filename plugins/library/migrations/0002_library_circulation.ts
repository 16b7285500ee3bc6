import { defineTenantMigration } from '@oryne/sdk'

/** Invariants the circulation services check first (with friendly errors), kept true for every writer. */
const CHECKS: Array<[table: string, name: string, condition: string]> = [
  [
    'library_members',
    'library_members_one_identity',
    `(kind = 'student' AND student_id IS NOT NULL AND user_id IS NULL)
      OR (kind = 'staff' AND user_id IS NOT NULL AND student_id IS NULL)`,
  ],
  ['library_card_rules', 'library_card_rules_target', 'role IS NOT NULL OR class_id IS NOT NULL'],
  [
    'library_loans',
    'library_loans_closed_when_returned',
    `(status = 'open') = (returned_at IS NULL)`,
  ],
  ['library_loans', 'library_loans_renewals_range', 'renewals >= 0'],
  ['library_fines', 'library_fines_amount_positive', 'amount > 0'],
  [
    'library_reservations',
    'library_reservations_ready_holds_copy',
    `status <> 'ready' OR (copy_id IS NOT NULL AND hold_until IS NOT NULL)`,
  ],
]

/**
 * What the resources cannot declare. The heart of it: a copy is on at most
 * one open loan (a partial unique index, so that even two transactions that
 * both slipped past the row lock cannot both commit), a copy is held for at
 * most one reservation, and a member queues at most once per title.
 */
export default defineTenantMigration({
  name: '0002_library_circulation',
  up(schema) {
    schema
      .raw(
        `CREATE UNIQUE INDEX library_loans_one_open_per_copy ON library_loans (copy_id)
          WHERE status = 'open'`
      )
      .raw(
        `CREATE INDEX library_loans_open_by_member ON library_loans (member_id)
          WHERE status = 'open'`
      )
      .raw(
        `CREATE UNIQUE INDEX library_reservations_one_hold_per_copy ON library_reservations (copy_id)
          WHERE status = 'ready'`
      )
      .raw(
        `CREATE UNIQUE INDEX library_reservations_one_per_member_title
          ON library_reservations (title_id, member_id) WHERE status IN ('waiting', 'ready')`
      )
      .raw(
        `CREATE INDEX library_reservations_queue ON library_reservations (title_id, id)
          WHERE status = 'waiting'`
      )
      .raw(
        `CREATE UNIQUE INDEX library_card_rules_target_unique
          ON library_card_rules (role, class_id) NULLS NOT DISTINCT`
      )
    for (const [table, name, condition] of CHECKS) {
      schema.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${condition})`)
    }
  },
  down(schema) {
    for (const [table, name] of CHECKS)
      schema.raw(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name}`)
    for (const index of [
      'library_card_rules_target_unique',
      'library_reservations_queue',
      'library_reservations_one_per_member_title',
      'library_reservations_one_hold_per_copy',
      'library_loans_open_by_member',
      'library_loans_one_open_per_copy',
    ])
      schema.raw(`DROP INDEX IF EXISTS ${index}`)
  },
})
