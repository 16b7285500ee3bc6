/*
 * Names the builder derives from what the admin types (no Preact here: the
 * unit tests import it).
 */

/** "Sports club sign-ups" → "sports_club_sign_ups" (a collection's or field's name). */
export function nameOf(label: string, max = 38) {
  const name = label
    .normalize('NFKD')
    // The accents NFKD split off their letters ("é" → "e" + U+0301), dropped rather than made "_".
    .replaceAll(/\p{M}/gu, '')
    .toLowerCase()
    .replaceAll(/[^a-z0-9]+/g, '_')
    .replaceAll(/^_+|_+$/g, '')
    .slice(0, max)
  return /^[a-z]/.test(name) ? name : name ? `c_${name}`.slice(0, max) : ''
}

/**
 * The name a field's label gives it: a reference's ends in `_id`, as the
 * engine requires (its record is embedded under the name without `_id`).
 */
export function fieldNameOf(label: string, type: string) {
  if (type !== 'reference') return nameOf(label, 40)
  const base = nameOf(label, 37).replace(/_id$/, '')
  return base ? `${base}_id` : ''
}
