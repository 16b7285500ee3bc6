import { seededRandom } from '@oryne/sdk'
import type { Interaction, ItemType } from '../services/interactions.js'

/**
 * Interactions with structure a recommender can learn: users fall into
 * groups (classes, clubs) that share tastes; most of what a user takes comes
 * from their group's items, the rest from what everyone takes. Seeded, for
 * tests, benchmarks and the demo school.
 */
export function syntheticInteractions(
  userIds: string[],
  options: { items: number; groups: number; perUser: number; type?: ItemType; seed?: number }
): Interaction[] {
  const random = seededRandom(options.seed ?? 7)
  const type = options.type ?? 'courses'
  const perGroup = Math.floor(options.items / options.groups)
  const start = Date.UTC(2026, 0, 5)
  const interactions: Interaction[] = []
  userIds.forEach((userId, u) => {
    const group = u % options.groups
    const taken = new Set<number>()
    for (let n = 0; taken.size < Math.min(options.perUser, perGroup); n++) {
      // Skewed within the group: low ranks are the group's favourites.
      const item =
        random() < 0.8
          ? group * perGroup + Math.floor(perGroup * random() ** 2)
          : Math.floor(options.items * random())
      if (taken.has(item)) continue
      taken.add(item)
      interactions.push({
        user_id: userId,
        item_type: type,
        item_id: String(item + 1),
        weight: 1,
        occurred_at: new Date(
          start + ((u * 97 + n * 3_600_000 * 24) % (300 * 86_400_000)) + n * 60_000
        ),
        client_id: `synthetic:${userId}:${item}`,
      })
    }
  })
  return interactions
}
