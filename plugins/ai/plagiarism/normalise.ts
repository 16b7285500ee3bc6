import { confusablesMap } from 'confusables'

/*
 * Text normalisation for plagiarism detection, done before anything else:
 * Unicode NFKC (full-width and styled letters become plain ones), look-alike
 * letters folded to the Latin letter they imitate (Cyrillic "а" reads as
 * Latin "a"; the confusables library's table), invisible and format
 * characters (zero-width spaces and joiners, soft hyphens, direction marks)
 * removed, case and accents folded. Every character of the folded text
 * remembers the original character it came from, so that a match found in
 * the folded text maps back to exact offsets of the text the user sent.
 */

/** Format characters and the invisible fillers Unicode classes as letters. */
const INVISIBLE = /^[\p{Cf}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u3164\uFFA0]$/u
const MARKS = /\p{M}+/gu

const folded = new Map<string, string>()

/** The folded form of one code point: '' for an invisible one. */
function foldCodePoint(char: string): string {
  let result = folded.get(char)
  if (result !== undefined) return result
  if (INVISIBLE.test(char)) result = ''
  else {
    result = ''
    for (const part of char.normalize('NFKC')) {
      const lower = part.toLowerCase()
      // ASCII is what look-alikes imitate: never folded further.
      const lookAlike =
        part.charCodeAt(0) < 128
          ? undefined
          : (confusablesMap.get(part) ?? confusablesMap.get(lower))
      result += (lookAlike ?? lower).toLowerCase().normalize('NFKD').replace(MARKS, '')
    }
  }
  folded.set(char, result)
  return result
}

export type NormalisedText = {
  /** The folded text. */
  text: string
  /** For each character of `text`, where its original character starts and ends in the original text. */
  starts: Int32Array
  ends: Int32Array
}

const ASCII = /^[^\u0080-\uffff]*$/

export function normaliseText(original: string): NormalisedText {
  // Plain ASCII (most texts) only has case to fold: one character stays one character.
  if (ASCII.test(original)) {
    const starts = new Int32Array(original.length)
    const ends = new Int32Array(original.length)
    for (let i = 0; i < original.length; i++) {
      starts[i] = i
      ends[i] = i + 1
    }
    return { text: original.toLowerCase(), starts, ends }
  }
  let text = ''
  const starts: number[] = []
  const ends: number[] = []
  let at = 0
  for (const char of original) {
    const fold = foldCodePoint(char)
    for (let i = 0; i < fold.length; i++) {
      starts.push(at)
      ends.push(at + char.length)
    }
    text += fold
    at += char.length
  }
  return { text, starts: Int32Array.from(starts), ends: Int32Array.from(ends) }
}
