import type { Token } from './tokens.js'

/** A run of identical words: query words [qs, qe) equal source words [ss, se). */
type Run = { qs: number; qe: number; ss: number; se: number }

/** A passage: nearby runs merged, with what the scorer needs to judge it. */
export type Passage = {
  qs: number
  qe: number
  ss: number
  se: number
  /** Words inside identical runs. */
  matched: number
  longestRun: number
}

/** Words two runs may be apart (edits between them) and still form one passage. */
export const MERGE_GAP = 10

/**
 * Extends seed matches (k-gram positions that share a hash) into maximal runs
 * of identical words, checking the words themselves (a hash collision makes no
 * run), then merges runs that lie close on both sides into passages: a passage
 * with a few words changed, added or removed stays one passage.
 */
export function alignPassages(
  query: Token[],
  source: Token[],
  seeds: Array<{ q: number; s: number }>,
  k: number
): Passage[] {
  const runs: Run[] = []
  const covered = new Set<string>()
  for (const { q, s } of seeds.sort((a, b) => a.q - b.q || a.s - b.s)) {
    // Inside a run already found on the same diagonal: nothing new.
    if (covered.has(`${q}:${s}`)) continue
    let length = 0
    while (
      length < k &&
      q + length < query.length &&
      s + length < source.length &&
      query[q + length].word === source[s + length].word
    )
      length++
    if (length < k) continue
    let qs = q
    let ss = s
    while (qs > 0 && ss > 0 && query[qs - 1].word === source[ss - 1].word) {
      qs--
      ss--
    }
    let qe = q + k
    let se = s + k
    while (qe < query.length && se < source.length && query[qe].word === source[se].word) {
      qe++
      se++
    }
    for (let i = 0; i < qe - qs; i++) covered.add(`${qs + i}:${ss + i}`)
    runs.push({ qs, qe, ss, se })
  }
  runs.sort((a, b) => a.qs - b.qs || a.ss - b.ss)

  const passages: Passage[] = []
  for (const run of runs) {
    const length = run.qe - run.qs
    const near = passages.find(
      (p) =>
        run.qs - p.qe <= MERGE_GAP &&
        run.qs >= p.qs &&
        run.ss - p.se <= MERGE_GAP &&
        run.ss >= p.ss &&
        Math.abs(run.qs - p.qe - (run.ss - p.se)) <= MERGE_GAP
    )
    if (near) {
      near.matched += Math.max(0, run.qe - Math.max(run.qs, near.qe))
      near.qe = Math.max(near.qe, run.qe)
      near.se = Math.max(near.se, run.se)
      near.longestRun = Math.max(near.longestRun, length)
    } else {
      passages.push({ ...run, matched: length, longestRun: length })
    }
  }
  return passages
}

/** What the scorer reads about a passage (names in the order of the model's input). */
export const PASSAGE_FEATURES = [
  'coverage',
  'log_words',
  'longest_run_share',
  'length_ratio',
  'mean_word_length',
] as const

/**
 * Features of a passage. Mean word length tells stock phrases ("on the other
 * hand", short function words everyone writes) from copied content.
 */
export function passageFeatures(passage: Passage, query: Token[]): number[] {
  const queryWords = passage.qe - passage.qs
  const sourceWords = passage.se - passage.ss
  return [
    passage.matched / queryWords,
    Math.log1p(queryWords),
    passage.longestRun / queryWords,
    Math.min(queryWords, sourceWords) / Math.max(queryWords, sourceWords),
    query.slice(passage.qs, passage.qe).reduce((sum, token) => sum + token.word.length, 0) /
      queryWords,
  ]
}
