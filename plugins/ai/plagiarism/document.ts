import { contentKey } from './lexicon.js'
import { tokenize, type Token } from './tokens.js'

/*
 * A text as the detector reads it: its words (normalised, with offsets in
 * the original), each with its canonical content key, grouped in sentences.
 * Quoted passages and a trailing bibliography can be left out of what a
 * check reports (they stay in the text, marked excluded).
 */

export type Word = Token & {
  /** Canonical content key; null for a function word. */
  key: string | null
  /** What exact runs compare: the key of a content word, the word itself otherwise. */
  eq: string
  excluded: boolean
}

export type Sentence = { from: number; to: number; keys: Set<string> }

export type AnalysedText = { words: Word[]; sentences: Sentence[] }

export type Exclusions = { quotes?: boolean; bibliography?: boolean }

/** Longest sentence (words) before it is cut: unpunctuated text still gets sentences. */
const MAX_SENTENCE = 40
const QUOTED = /“[^”]{1,1500}”|„[^“”]{1,1500}[“”]|«[^»]{1,1500}»|"[^"\n]{1,1500}"/g
const BIBLIOGRAPHY =
  /^[ \t]*(references|bibliography|works cited|literature cited|sources)[ \t]*:?[ \t]*$/im
const SENTENCE_END = /[.!?;]|\n\s*\n/

export function analyse(text: string, exclusions: Exclusions = {}): AnalysedText {
  const tokens = tokenize(text)
  const excluded: Array<[number, number]> = []
  if (exclusions.quotes)
    for (const quote of text.matchAll(QUOTED))
      excluded.push([quote.index, quote.index + quote[0].length])
  if (exclusions.bibliography) {
    const heading = BIBLIOGRAPHY.exec(text)
    if (heading) excluded.push([heading.index, text.length])
  }
  const words: Word[] = []
  const sentences: Sentence[] = []
  let from = 0
  tokens.forEach((token, i) => {
    const key = contentKey(token.word)
    words.push({
      ...token,
      key,
      eq: key ?? token.word,
      excluded: excluded.some(([start, end]) => token.start >= start && token.end <= end),
    })
    const next = tokens[i + 1]
    if (
      !next ||
      i + 1 - from >= MAX_SENTENCE ||
      SENTENCE_END.test(text.slice(token.end, next.start))
    ) {
      const keys = new Set<string>()
      for (let w = from; w <= i; w++)
        if (words[w].key && !words[w].excluded) keys.add(words[w].key!)
      sentences.push({ from, to: i + 1, keys })
      from = i + 1
    }
  })
  return { words, sentences }
}
