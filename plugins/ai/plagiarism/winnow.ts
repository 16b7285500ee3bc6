import { kgramHash } from './tokens.js'

/** A selected k-gram: its hash and the index of its first word. */
export type Fingerprint = { hash: number; position: number }

/**
 * Winnowing (Schleimer, Wilkerson and Aiken, 2003) over word k-grams: in
 * every window of `w` consecutive k-gram hashes the minimum is selected (the
 * rightmost one on ties), each selection once. Guarantee: any run of at least
 * t = w + k - 1 words shared by two texts shares at least one fingerprint, so
 * it is found; runs shorter than k words are never found (noise threshold).
 * Words are tokens (their `word`) or plain strings (content keys, code tokens).
 */
export function winnow(
  tokens: ReadonlyArray<{ word: string } | string>,
  k: number,
  w: number,
  salt = 0
): Fingerprint[] {
  const words = tokens.map((token) => (typeof token === 'string' ? token : token.word))
  const count = words.length - k + 1
  if (count <= 0) return []
  const hashes = new Int32Array(count)
  for (let i = 0; i < count; i++) hashes[i] = kgramHash(words, i, k, salt)
  const selected: Fingerprint[] = []
  const window = Math.min(w, count)
  let last = -1
  for (let end = window - 1; end < count; end++) {
    let best = end
    for (let i = end - 1; i > end - window; i--) if (hashes[i] < hashes[best]) best = i
    if (best !== last) {
      selected.push({ hash: hashes[best], position: best })
      last = best
    }
  }
  return selected
}
