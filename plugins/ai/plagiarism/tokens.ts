/*
 * Normalised text for plagiarism detection: words (runs of letters and
 * digits), lower-cased, accents removed, each remembering where it sits in
 * the ORIGINAL text, so that every match maps back to exact character offsets.
 * Punctuation, spacing and case changes do not hide a copy.
 */

export type Token = { word: string; start: number; end: number }

const WORD = /[\p{L}\p{N}]+/gu

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  for (const match of text.matchAll(WORD)) {
    const word = match[0]
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
    tokens.push({ word, start: match.index, end: match.index + match[0].length })
  }
  return tokens
}

/**
 * FNV-1a over the k words from `at`, as a signed 32-bit integer (the
 * fingerprint column). k is mixed into the seed, so fingerprints made with
 * another k never meet.
 */
export function kgramHash(tokens: Token[], at: number, k: number): number {
  let hash = Math.imul(0x811c9dc5 ^ k, 0x01000193)
  for (let i = at; i < at + k; i++) {
    const word = tokens[i].word
    for (let c = 0; c < word.length; c++) {
      hash ^= word.charCodeAt(c)
      hash = Math.imul(hash, 0x01000193)
    }
    hash ^= 0x20
    hash = Math.imul(hash, 0x01000193)
  }
  return hash | 0
}
