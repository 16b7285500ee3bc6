import { defineTenantMigration } from '@oryne/sdk'

/** Whether an event's audience (jsonb array of ids) names a class or section id. */
const names = (column: string) => `e.audience_ids @> to_jsonb(${column}::text)`

/**
 * Who an event is for, as (event_id, user_id), for row rules that may use one
 * sub-select only and for the calendar: everyone; holders of the named roles;
 * students of the named classes or sections and their guardians; and anyone
 * holding a registration. A view, so it follows ERP and role changes at once.
 */
const EVENT_AUDIENCE = `CREATE VIEW events_event_audience AS
  SELECT e.id AS event_id, u.id AS user_id
    FROM events_events e CROSS JOIN users u
   WHERE e.audience = 'all'
  UNION
  SELECT e.id, ur.user_id
    FROM events_events e
    JOIN roles r ON e.audience = 'roles' AND ${names('r.name')}
    JOIN user_roles ur ON ur.role_id = r.id
  UNION
  SELECT e.id, who.user_id
    FROM events_events e
    JOIN erp_students s
      ON (e.audience = 'classes' AND ${names('s.class_id')})
      OR (e.audience = 'sections' AND ${names('s.section_id')})
    CROSS JOIN LATERAL (
      SELECT s.user_id
      UNION ALL
      SELECT g.user_id FROM erp_guardians g WHERE g.student_id = s.id
    ) who
   WHERE who.user_id IS NOT NULL
  UNION
  SELECT r.event_id, r.user_id
    FROM events_registrations r
   WHERE r.status <> 'cancelled'`

/**
 * What the resources cannot declare: one live registration per user and
 * event, the waitlist's order index, checks the services also make, the
 * audience view, the reminder sweep's partial index and the calendar feed
 * tokens (only their SHA-256 is kept).
 */
export default defineTenantMigration({
  name: '0002_events_workflows',
  up(schema, knex) {
    schema
      .raw(
        `CREATE UNIQUE INDEX events_registrations_live_unique
           ON events_registrations (event_id, user_id) WHERE status <> 'cancelled'`
      )
      .raw(
        `CREATE INDEX events_registrations_queue_index
           ON events_registrations (event_id, status, id)`
      )
      .raw(
        `CREATE INDEX events_events_reminder_index
           ON events_events (starts_at) WHERE reminded_at IS NULL AND status = 'published'`
      )
      .raw(
        `ALTER TABLE events_events
           ADD CONSTRAINT events_events_ends_after_start CHECK (ends_at IS NULL OR ends_at >= starts_at),
           ADD CONSTRAINT events_events_fee_minor_units CHECK (fee IS NULL OR fee >= 0)`
      )
      .raw(EVENT_AUDIENCE)
      .createTable('events_calendar_tokens', (table) => {
        table.uuid('user_id').primary().references('id').inTable('users').onDelete('CASCADE')
        table.string('token_hash', 64).notNullable().unique()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
  },
  down(schema) {
    schema
      .dropTableIfExists('events_calendar_tokens')
      .raw('DROP VIEW IF EXISTS events_event_audience')
      .raw('ALTER TABLE events_events DROP CONSTRAINT IF EXISTS events_events_ends_after_start')
      .raw('ALTER TABLE events_events DROP CONSTRAINT IF EXISTS events_events_fee_minor_units')
      .raw('DROP INDEX IF EXISTS events_events_reminder_index')
      .raw('DROP INDEX IF EXISTS events_registrations_queue_index')
      .raw('DROP INDEX IF EXISTS events_registrations_live_unique')
  },
})
