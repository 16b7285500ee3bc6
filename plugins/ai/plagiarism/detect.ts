import type { AnalysedText, Word } from './document.js'
import { kgramHash } from './tokens.js'
import { winnow, type Fingerprint } from './winnow.js'

/*
 * Passage detection between a checked text (the query) and one source, in
 * three stages:
 * 1. exact runs: maximal runs of equal words compared on canonical keys, so
 *    synonyms, inflections, look-alike letters and case do not break them;
 * 2. sentence pairs: each query sentence against the source sentence sharing
 *    the most content keys (Dice), which finds reordered and paraphrased
 *    sentences that share few runs;
 * 3. merging, per source and independent of order: fragments close in the
 *    query whose source sides lie in one region of the source form one
 *    passage, so a passage whose sentences were shuffled is one case.
 * Exact runs give word-precise edges; a passage edge inside a sentence is
 * kept where the copy is exact, otherwise passages end at sentence ends.
 */

/** Shortest exact run (words). */
export const RUN_WORDS = 4
/** Lowest Dice similarity of a sentence pair, and the content keys it must share. */
const SENTENCE_SIMILARITY = 0.45
const SENTENCE_SHARED = 4
/** Query words two fragments may be apart and still form one passage. */
export const MERGE_GAP = 30
/** Source occurrences of one 4-gram followed: more is a stock phrase, not a copy. */
const MAX_OCCURRENCES = 8
const SHORTEST_PASSAGE = 6

type Fragment = {
  qs: number
  qe: number
  ss: number
  se: number
  exact: boolean
  similarity: number
  /** Words of an exact run that are the same word, not only the same key (0 for sentence pairs). */
  sameWords: number
}

export type Passage = {
  /** Query words [qs, qe) and source words [ss, se). */
  qs: number
  qe: number
  ss: number
  se: number
  /** Query words inside exact runs (compared on keys), those of them that are the same word, and the longest run. */
  exactWords: number
  sameWords: number
  longestRun: number
  /** Mean Dice similarity of the passage's sentence pairs (0 without any), and how many there are. */
  sentenceSimilarity: number
  sentencePairs: number
  /** Share of the passage's distinct query content keys found in its source side. */
  keyCoverage: number
  /** Whether its exact runs come in another order than in the source. */
  reordered: boolean
}

/*
 * What a text contributes to every pair it is in, computed once per text: a
 * check compares one query with 30 sources, and redoing the query's side for
 * each was most of a check's time. Texts are never changed once analysed.
 */
const memo = new WeakMap<AnalysedText, { grams?: Int32Array; telling?: Map<string, number[]> }>()

function memoOf(text: AnalysedText) {
  let entry = memo.get(text)
  if (!entry) memo.set(text, (entry = {}))
  return entry
}

/** Hashes of every RUN_WORDS-gram of a text's `eq` words (collisions are checked word by word after). */
function gramHashes(text: AnalysedText) {
  const entry = memoOf(text)
  entry.grams ??= hashGrams(text.words)
  return entry.grams
}

function hashGrams(words: Word[]) {
  const eqs = words.map((word) => word.eq)
  const single = Int32Array.from(eqs, (_, i) => kgramHash(eqs, i, 1))
  const grams = new Int32Array(Math.max(0, words.length - RUN_WORDS + 1))
  for (let at = 0; at < grams.length; at++) {
    let hash = 0
    for (let i = 0; i < RUN_WORDS; i++) hash = (Math.imul(hash, 0x01000193) ^ single[at + i]) | 0
    grams[at] = hash
  }
  return grams
}

function exactRuns(queryText: AnalysedText, sourceText: AnalysedText): Fragment[] {
  const query = queryText.words
  const source = sourceText.words
  const grams = new Map<number, number[]>()
  const sourceGrams = gramHashes(sourceText)
  for (const [s, sourceGram] of sourceGrams.entries()) {
    const list = grams.get(sourceGram)
    if (!list) grams.set(sourceGram, [s])
    else if (list.length <= MAX_OCCURRENCES) list.push(s)
  }
  const queryGrams = gramHashes(queryText)
  const runs: Fragment[] = []
  // Per diagonal (q - s), where the last run found on it ends: seeds are met in query order,
  // so a seed before that end lies inside a run already extended.
  const runEnd = new Map<number, number>()
  for (const [q, queryGram] of queryGrams.entries()) {
    const starts = grams.get(queryGram)
    if (!starts || starts.length > MAX_OCCURRENCES) continue
    for (const s of starts) {
      if ((runEnd.get(q - s) ?? -1) > q) continue
      let qs = q
      let ss = s
      while (
        qs > 0 &&
        ss > 0 &&
        query[qs - 1].eq === source[ss - 1].eq &&
        !query[qs - 1].excluded
      ) {
        qs--
        ss--
      }
      let qe = q
      let se = s
      while (
        qe < query.length &&
        se < source.length &&
        query[qe].eq === source[se].eq &&
        !query[qe].excluded
      ) {
        qe++
        se++
      }
      runEnd.set(q - s, qe)
      let content = 0
      let sameWords = 0
      for (let i = 0; i < qe - qs; i++) {
        if (query[qs + i].key) content++
        if (query[qs + i].word === source[ss + i].word) sameWords++
      }
      if (qe - qs >= RUN_WORDS && content >= 2)
        runs.push({ qs, qe, ss, se, exact: true, similarity: 1, sameWords })
    }
  }
  // Query words copied once come from one place: a shorter run over words a longer one
  // already explains (a stock phrase met again elsewhere in the source) is dropped.
  const explained = new Uint8Array(query.length)
  return runs
    .sort((a, b) => b.qe - b.qs - (a.qe - a.qs))
    .filter((run) => {
      let seen = 0
      for (let i = run.qs; i < run.qe; i++) seen += explained[i]
      if (seen * 2 > run.qe - run.qs) return false
      explained.fill(1, run.qs, run.qe)
      return true
    })
}

/** Keys in more than this share of a text's sentences say nothing about which sentence is which. */
const UBIQUITOUS = 0.2

function sentencesByKey(text: AnalysedText) {
  const entry = memoOf(text)
  entry.telling ??= keySentences(text)
  return entry.telling
}

function keySentences(text: AnalysedText) {
  const sentencesOf = new Map<string, number[]>()
  text.sentences.forEach((sentence, i) => {
    for (const key of sentence.keys) {
      const list = sentencesOf.get(key)
      if (list) list.push(i)
      else sentencesOf.set(key, [i])
    }
  })
  const limit = Math.max(2, UBIQUITOUS * text.sentences.length)
  for (const [key, list] of sentencesOf) if (list.length > limit) sentencesOf.delete(key)
  return sentencesOf
}

function sentencePairs(query: AnalysedText, source: AnalysedText): Fragment[] {
  const sentencesOf = sentencesByKey(source)
  const telling = sentencesByKey(query)
  const pairs: Fragment[] = []
  const shared = new Int32Array(source.sentences.length)
  for (const sentence of query.sentences) {
    if (sentence.keys.size < SENTENCE_SHARED) continue
    // Source sentences in the order first met, with their shared-key counts.
    const met: number[] = []
    for (const key of sentence.keys) {
      if (!telling.has(key)) continue
      for (const i of sentencesOf.get(key) ?? []) if (shared[i]++ === 0) met.push(i)
    }
    let best = -1
    let similarity = 0
    for (const i of met) {
      const count = shared[i]
      shared[i] = 0
      if (count < SENTENCE_SHARED) continue
      const dice = (2 * count) / (sentence.keys.size + source.sentences[i].keys.size)
      if (dice > similarity) [best, similarity] = [i, dice]
    }
    if (best >= 0 && similarity >= SENTENCE_SIMILARITY)
      pairs.push({
        qs: sentence.from,
        qe: sentence.to,
        ss: source.sentences[best].from,
        se: source.sentences[best].to,
        exact: false,
        similarity,
        sameWords: 0,
      })
  }
  return pairs
}

type Cluster = { qs: number; qe: number; ss: number; se: number; fragments: Fragment[] }

const apart = (a: number, b: number, c: number, d: number) =>
  Math.max(0, Math.max(a, c) - Math.min(b, d))

function joins(cluster: Cluster, fragment: Fragment) {
  const reach = Math.max(2 * MERGE_GAP, cluster.qe - cluster.qs)
  return (
    apart(cluster.qs, cluster.qe, fragment.qs, fragment.qe) <= MERGE_GAP &&
    apart(cluster.ss, cluster.se, fragment.ss, fragment.se) <= reach
  )
}

function absorb(cluster: Cluster, fragments: Fragment[]) {
  for (const fragment of fragments) {
    cluster.fragments.push(fragment)
    cluster.qs = Math.min(cluster.qs, fragment.qs)
    cluster.qe = Math.max(cluster.qe, fragment.qe)
    cluster.ss = Math.min(cluster.ss, fragment.ss)
    cluster.se = Math.max(cluster.se, fragment.se)
  }
}

/** Order-independent merging: a fragment joins any open passage near it on both sides. */
function mergeFragments(fragments: Fragment[]): Cluster[] {
  let clusters: Cluster[] = []
  for (const fragment of fragments.sort((a, b) => a.qs - b.qs || b.qe - a.qe)) {
    const cluster = clusters.findLast((c) => joins(c, fragment))
    if (cluster) absorb(cluster, [fragment])
    else clusters.push({ ...fragment, fragments: [fragment] })
  }
  // Passages that grew into each other are one.
  for (let merged = true; merged;) {
    merged = false
    const next: Cluster[] = []
    for (const cluster of clusters) {
      const into = next.find((c) => c.fragments.some((f) => joins(cluster, f)))
      if (into) {
        absorb(into, cluster.fragments)
        merged = true
      } else next.push(cluster)
    }
    clusters = next
  }
  return clusters
}

/**
 * Where a passage starts (or ends) on one side: the sentence edge, unless an
 * exact run starts inside the first sentence and covers the rest of it (a
 * copy that starts mid-sentence), or starts before it.
 */
function edges(all: Fragment[], side: 'q' | 's'): [number, number] {
  const start = (f: Fragment) => (side === 'q' ? f.qs : f.ss)
  const end = (f: Fragment) => (side === 'q' ? f.qe : f.se)
  const runs = all.filter((f) => f.exact)
  // A query sentence the runs already cover says where it came from through them: its
  // best-matching source sentence (maybe a look-alike elsewhere) does not widen the source side.
  const told = (f: Fragment) => {
    let covered = 0
    for (let i = f.qs; i < f.qe; i++) if (runs.some((r) => r.qs <= i && i < r.qe)) covered++
    return covered >= 0.8 * (f.qe - f.qs)
  }
  const fragments = side === 'q' ? all : all.filter((f) => f.exact || !told(f))
  const sentences = fragments.filter((f) => !f.exact)
  const lo = Math.min(...fragments.map(start))
  const hi = Math.max(...fragments.map(end))
  if (!runs.length || !sentences.length) return [lo, hi]
  const covered = new Uint8Array(hi - lo)
  for (const run of runs) covered.fill(1, start(run) - lo, end(run) - lo)
  const share = (from: number, to: number) => {
    let sum = 0
    for (let i = from; i < to; i++) sum += covered[i - lo]
    return to > from ? sum / (to - from) : 1
  }
  const runStart = Math.min(...runs.map(start))
  const runEnd = Math.max(...runs.map(end))
  const first = sentences.reduce((a, b) => (start(b) < start(a) ? b : a))
  const last = sentences.reduce((a, b) => (end(b) > end(a) ? b : a))
  let from = lo
  if (runStart > start(first) && runStart < end(first) && share(runStart, end(first)) >= 0.8)
    from = runStart
  let to = hi
  if (runEnd < end(last) && runEnd > start(last) && share(start(last), runEnd) >= 0.8) to = runEnd
  return [from, Math.max(to, from + 1)]
}

const longestExact = (cluster: Cluster) =>
  Math.max(0, ...cluster.fragments.filter((f) => f.exact).map((f) => f.qe - f.qs))

/** Without an exact run this long, a passage needs two sentence pairs. */
const WEAK_RUN = 8

/**
 * A sentence pair weaker than this, or an exact run shorter than WEAK_RUN, at
 * a passage's edge is a neighbour that happens to look alike (a stock phrase).
 */
const EDGE_SIMILARITY = 0.6

/** Drops weak fragments from both ends of a passage (in query order) while it keeps others. */
function trimEdges(cluster: Cluster): Cluster {
  const fragments = [...cluster.fragments].sort((a, b) => a.qs - b.qs || b.qe - a.qe)
  const weak = (f: Fragment) => (f.exact ? f.qe - f.qs < WEAK_RUN : f.similarity < EDGE_SIMILARITY)
  while (fragments.length > 1 && weak(fragments[0])) fragments.shift()
  while (fragments.length > 1 && weak(fragments.at(-1)!)) fragments.pop()
  if (fragments.length === cluster.fragments.length) return cluster
  const trimmed: Cluster = { ...fragments[0], fragments: [] }
  absorb(trimmed, fragments)
  return trimmed
}

export function detectPassages(query: AnalysedText, source: AnalysedText): Passage[] {
  const fragments = [...exactRuns(query, source), ...sentencePairs(query, source)]
  const passages: Passage[] = []
  for (const cluster of mergeFragments(fragments).map(trimEdges)) {
    const pairs = cluster.fragments.filter((f) => !f.exact)
    // One sentence that merely resembles one of the source's (same genre, same stock phrases) is no evidence.
    if (longestExact(cluster) < WEAK_RUN && pairs.length < 2) continue
    const [qs, qe] = edges(cluster.fragments, 'q')
    const [ss, se] = edges(cluster.fragments, 's')
    if (qe - qs < SHORTEST_PASSAGE) continue
    const exact = new Uint8Array(qe - qs)
    let longestRun = 0
    let sameWords = 0
    const runs = cluster.fragments.filter((f) => f.exact).sort((a, b) => a.qs - b.qs)
    for (const run of runs) {
      sameWords += run.sameWords
      const from = Math.max(run.qs, qs)
      const to = Math.min(run.qe, qe)
      if (to > from) exact.fill(1, from - qs, to - qs)
      longestRun = Math.max(longestRun, to - from)
    }
    const sourceKeys = new Set<string>()
    for (let i = ss; i < se; i++) if (source.words[i].key) sourceKeys.add(source.words[i].key!)
    const queryKeys = new Set<string>()
    for (let i = qs; i < qe; i++)
      if (query.words[i].key && !query.words[i].excluded) queryKeys.add(query.words[i].key!)
    let found = 0
    for (const key of queryKeys) if (sourceKeys.has(key)) found++
    passages.push({
      qs,
      qe,
      ss,
      se,
      exactWords: exact.reduce((sum, v) => sum + v, 0),
      sameWords: Math.min(sameWords, qe - qs),
      longestRun,
      sentenceSimilarity: pairs.length
        ? pairs.reduce((sum, f) => sum + f.similarity, 0) / pairs.length
        : 0,
      sentencePairs: pairs.length,
      keyCoverage: queryKeys.size ? found / queryKeys.size : 0,
      reordered: runs.some((run, i) => i > 0 && run.ss < runs[i - 1].ss),
    })
  }
  return passages
}

/** What the scorer reads about a passage (names in the order of the model's input). */
export const PASSAGE_FEATURES = [
  'log_words',
  'exact_share',
  'longest_run_share',
  'key_coverage',
  'sentence_similarity',
  'log_sentence_pairs',
  'length_ratio',
] as const

export function passageFeatures(passage: Passage): number[] {
  const queryWords = passage.qe - passage.qs
  const sourceWords = passage.se - passage.ss
  return [
    Math.log1p(queryWords),
    passage.exactWords / queryWords,
    passage.longestRun / queryWords,
    passage.keyCoverage,
    passage.sentenceSimilarity,
    Math.log1p(passage.sentencePairs),
    Math.min(queryWords, sourceWords) / Math.max(queryWords, sourceWords),
  ]
}

export type MatchKind = 'verbatim' | 'edited' | 'paraphrase'

/** What a reader is told about a passage: how it was copied, and how alike the two sides are. */
export function describePassage(passage: Passage): { kind: MatchKind; similarity: number } {
  const words = passage.qe - passage.qs
  const kind =
    passage.sameWords / words >= 0.99 && !passage.reordered
      ? 'verbatim'
      : passage.exactWords / words >= 0.5
        ? 'edited'
        : 'paraphrase'
  return { kind, similarity: Math.round(passage.keyCoverage * 1e4) / 1e4 }
}

/** Sentences (of at least this many content keys) get locality-sensitive fingerprints. */
const SKETCH_KEYS = 4
const SKETCH_BANDS = 4

/**
 * Fingerprints a source is found by: winnowed k-grams of its content keys
 * (robust to function words, inflections, synonyms and look-alikes), and per
 * sentence a min-hash sketch of its key set in a few bands (two smallest keys
 * under each band's hash), which reordered or paraphrased sentences keep with
 * good odds. Kinds never meet: each has its own salt.
 */
export function fingerprintsOf(text: AnalysedText, k: number, w: number): Fingerprint[] {
  const keyed = text.words.flatMap((word, i) =>
    word.key && !word.excluded ? [{ key: word.key, i }] : []
  )
  const out = new Map<number, number>()
  for (const fp of winnow(
    keyed.map((entry) => entry.key),
    k,
    w,
    1
  ))
    if (!out.has(fp.hash)) out.set(fp.hash, keyed[fp.position].i)
  for (const sentence of text.sentences) {
    if (sentence.keys.size < SKETCH_KEYS) continue
    const keys = [...sentence.keys]
    for (let band = 0; band < SKETCH_BANDS; band++) {
      const hashed = keys.map((key) => kgramHash([key], 0, 1, 16 + band)).sort((a, b) => a - b)
      const hash = kgramHash([String(hashed[0]), String(hashed[1])], 0, 2, 32 + band)
      if (!out.has(hash)) out.set(hash, sentence.from)
    }
  }
  return [...out].map(([hash, position]) => ({ hash, position }))
}
