import { normaliseText } from './normalise.js'

/*
 * Words of a text for plagiarism detection: runs of letters and digits of the
 * normalised text (look-alikes folded, invisible characters gone, case and
 * accents folded), each remembering where it sits in the ORIGINAL text, so
 * that every match maps back to exact character offsets. Punctuation,
 * spacing, case, look-alike letters and zero-width characters do not hide a copy.
 */

export type Token = { word: string; start: number; end: number }

const WORD = /[\p{L}\p{N}]+/gu

export function tokenize(text: string): Token[] {
  const normalised = normaliseText(text)
  const tokens: Token[] = []
  for (const match of normalised.text.matchAll(WORD)) {
    const last = match.index + match[0].length - 1
    tokens.push({
      word: match[0],
      start: normalised.starts[match.index],
      end: normalised.ends[last],
    })
  }
  return tokens
}

/**
 * FNV-1a over the k words from `at`, as a signed 32-bit integer (the
 * fingerprint column). k and a salt are mixed into the seed, so fingerprints
 * made with another k, or of another kind, never meet.
 */
export function kgramHash(words: ArrayLike<string>, at: number, k: number, salt = 0): number {
  let hash = Math.imul(0x811c9dc5 ^ k ^ (salt << 8), 0x01000193)
  for (let i = at; i < at + k; i++) {
    const word = words[i]
    for (let c = 0; c < word.length; c++) {
      hash ^= word.charCodeAt(c)
      hash = Math.imul(hash, 0x01000193)
    }
    hash ^= 0x20
    hash = Math.imul(hash, 0x01000193)
  }
  return hash | 0
}
