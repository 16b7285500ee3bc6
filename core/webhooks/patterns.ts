/**
 * Event patterns an endpoint subscribes to: an exact name
 * (`lms.grade.published`), a prefix ending in `.*` (`erp.*` is every ERP
 * event, `erp.fee.*` every fee event) or `*` (everything).
 */
export const EVENT_PATTERN = /^(\*|[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*(\.\*)?)$/

export function matchesEvent(pattern: string, event: string) {
  if (pattern === '*') return true
  if (pattern.endsWith('.*')) return event.startsWith(pattern.slice(0, -1))
  return pattern === event
}
