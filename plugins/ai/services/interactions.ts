import { readTenantDb, withTenantDb, type Trx } from '@oryne/sdk'
import { E_VALIDATION } from '@oryne/sdk'

/*
 * Implicit feedback: who took what (enrolled in a course, borrowed a book,
 * bought a product, registered for an event). Every write is idempotent on a
 * client id: a retried batch or an event delivered twice counts once.
 */

export const ITEM_TYPES = ['courses', 'books', 'products', 'events'] as const
export type ItemType = (typeof ITEM_TYPES)[number]

export type Interaction = {
  user_id: string
  item_type: ItemType
  item_id: string
  weight?: number
  occurred_at?: Date | string
  client_id?: string | null
}

/** Records interactions; returns how many were new (the rest were replays of a client id). */
export async function recordInteractions(
  interactions: Interaction[],
  source: string,
  trx?: Trx
): Promise<{ recorded: number; duplicates: number }> {
  const write = async (client: Trx) => {
    const userIds = [...new Set(interactions.map((i) => i.user_id))]
    const known = await client.from('users').whereIn('id', userIds).select('id')
    const knownIds = new Set(known.map((row) => String(row.id)))
    const unknown = interactions
      .map((interaction, index) => ({ interaction, index }))
      .filter(({ interaction }) => !knownIds.has(interaction.user_id))
    if (unknown.length)
      throw new E_VALIDATION([], {
        details: unknown.slice(0, 20).map(({ interaction, index }) => ({
          field: `interactions.${index}.user_id`,
          rule: 'exists',
          message: `No user ${interaction.user_id} in this tenant`,
        })),
      })
    const rows = interactions.map((interaction) => ({
      user_id: interaction.user_id,
      item_type: interaction.item_type,
      item_id: interaction.item_id,
      weight: interaction.weight ?? 1,
      occurred_at: interaction.occurred_at ? new Date(interaction.occurred_at) : new Date(),
      source,
      client_id: interaction.client_id ?? null,
    }))
    let recorded = 0
    for (let start = 0; start < rows.length; start += 5000) {
      const { rows: inserted } = await client.rawQuery(
        `INSERT INTO ai_interactions (user_id, item_type, item_id, weight, occurred_at, source, client_id)
         SELECT r.user_id, r.item_type, r.item_id, r.weight, r.occurred_at, r.source, r.client_id
           FROM json_to_recordset(?::json) AS r(user_id uuid, item_type text, item_id text,
                weight real, occurred_at timestamptz, source text, client_id text)
         ON CONFLICT (client_id) DO NOTHING
         RETURNING id`,
        [JSON.stringify(rows.slice(start, start + 5000))]
      )
      recorded += inserted.length
    }
    return { recorded, duplicates: rows.length - recorded }
  }
  return trx ? write(trx) : withTenantDb(write)
}

/** Every (user, item) pair with its summed weight and when it last happened. */
export async function interactionMatrix() {
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('ai_interactions', 'i'))
      .groupBy('i.user_id', 'i.item_type', 'i.item_id')
      .select('i.user_id', 'i.item_type', 'i.item_id')
      .sum('i.weight as weight')
      .max('i.occurred_at as last_at')
      .min('i.occurred_at as first_at')
  )
  return rows.map((row) => ({
    user_id: String(row.user_id),
    item: `${row.item_type}:${row.item_id}`,
    weight: Number(row.weight),
    last_at: new Date(row.last_at),
    first_at: new Date(row.first_at),
  }))
}

/** The items a user has already taken, as `type:id` keys. */
export async function seenItems(userId: string): Promise<string[]> {
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('ai_interactions', 'i'))
      .where('i.user_id', userId)
      .distinct('i.item_type', 'i.item_id')
  )
  return rows.map((row) => `${row.item_type}:${row.item_id}`)
}
