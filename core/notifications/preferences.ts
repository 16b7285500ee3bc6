import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { E_NOTIFICATION_MANDATORY, E_NOTIFICATION_TEMPLATE_UNKNOWN } from '../errors.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import type { Channel, RegisteredTemplate } from './templates.js'

/** Every template: a preference row with template '*' covers them all. */
export const ALL_TEMPLATES = '*'

export type PreferenceChange = { template: string; channel: Channel; enabled: boolean }

type Row = { user_id: string | null; template: string; channel: string; enabled: boolean }

/**
 * Whether `channel` is on for one user: the most specific row wins — the
 * user's for this template, the user's for every template, the tenant's
 * default for this template, the tenant's for every template — and a channel
 * nobody set is on. Mandatory templates ignore preferences.
 */
function enabled(
  rows: Row[],
  userId: string | null,
  template: RegisteredTemplate,
  channel: Channel
) {
  if (template.mandatory) return true
  for (const [user, key] of [
    [userId, template.key],
    [userId, ALL_TEMPLATES],
    [null, template.key],
    [null, ALL_TEMPLATES],
  ] as const) {
    const row = rows.find((r) => r.user_id === user && r.template === key && r.channel === channel)
    if (row) return row.enabled
  }
  return true
}

/** The channels of `template` each user receives it on. */
export async function channelsFor(
  trx: TransactionClientContract,
  template: RegisteredTemplate,
  userIds: string[]
): Promise<Map<string, Channel[]>> {
  const rows: Row[] = await trx
    .from('notification_preferences')
    .whereIn('template', [template.key, ALL_TEMPLATES])
    .where((query) => query.whereNull('user_id').orWhereIn('user_id', userIds))
    .select('user_id', 'template', 'channel', 'enabled')
  return new Map(
    userIds.map((userId) => [
      userId,
      template.channels.filter((channel) => enabled(rows, userId, template, channel)),
    ])
  )
}

/** Each template's channels for one user (or the tenant defaults, `userId` null), and where the value comes from. */
export async function preferenceMatrix(userId: string | null, templates: RegisteredTemplate[]) {
  const rows: Row[] = await withTenantDb((trx) =>
    trx
      .from('notification_preferences')
      .where((query) => {
        query.whereNull('user_id')
        if (userId) query.orWhere('user_id', userId)
      })
      .select('user_id', 'template', 'channel', 'enabled')
  )
  return templates.map((template) => ({
    template: template.key,
    description: template.description,
    mandatory: template.mandatory,
    channels: Object.fromEntries(
      template.channels.map((channel) => [channel, enabled(rows, userId, template, channel)])
    ),
  }))
}

/**
 * Sets preferences of one user (or the tenant defaults, `userId` null), in one
 * transaction. Switching a mandatory template off is refused and nothing is written.
 */
export async function setPreferences(
  userId: string | null,
  changes: PreferenceChange[],
  templates: RegisteredTemplate[]
) {
  for (const change of changes) {
    if (change.template === ALL_TEMPLATES) continue
    const template = templates.find((candidate) => candidate.key === change.template)
    if (!template) throw new E_NOTIFICATION_TEMPLATE_UNKNOWN([change.template])
    if (template.mandatory && !change.enabled) throw new E_NOTIFICATION_MANDATORY([template.key])
  }
  await withTenantDb(async (trx) => {
    for (const change of changes) {
      await trx.rawQuery(
        `INSERT INTO notification_preferences (user_id, template, channel, enabled, updated_at)
         VALUES (?, ?, ?, ?, now())
         ON CONFLICT (user_id, template, channel) DO UPDATE
           SET enabled = EXCLUDED.enabled, updated_at = now()`,
        [userId, change.template, change.channel, change.enabled] as any[]
      )
    }
  })
}
