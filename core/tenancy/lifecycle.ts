export const TENANT_STATUSES = [
  'provisioning',
  'active',
  'suspended',
  'archived',
  'deleted',
  'failed',
] as const
export type TenantStatus = (typeof TENANT_STATUSES)[number]

/**
 * The lifecycle, written down once:
 *   provisioning -> active | failed
 *   failed -> provisioning (retry)
 *   active <-> suspended
 *   active | suspended -> archived
 *   archived -> active (restore) | deleted
 * A provisioning tenant can also be retried (a crashed run leaves it there).
 */
const TRANSITIONS: Record<TenantStatus, readonly TenantStatus[]> = {
  provisioning: ['active', 'failed', 'provisioning'],
  failed: ['provisioning'],
  active: ['suspended', 'archived'],
  suspended: ['active', 'archived'],
  archived: ['active', 'deleted'],
  deleted: [],
}

export function canTransition(from: TenantStatus, to: TenantStatus) {
  return TRANSITIONS[from].includes(to)
}
