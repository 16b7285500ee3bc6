import { sentencesOf } from './corpus.js'
import { isStopword, synonymsOf } from './lexicon.js'

/*
 * Copies made harder to see, the way students do it, for training the
 * scorer and for the evaluation: six kinds, each a function of the copied
 * sentences and a random source.
 */

export const OBFUSCATIONS = [
  'verbatim',
  'light_edits',
  'sentence_reorder',
  'synonyms',
  'look_alike',
  'paraphrase',
] as const
export type Obfuscation = (typeof OBFUSCATIONS)[number]

type Random = () => number

const pick = <T>(random: Random, list: readonly T[]) => list[Math.floor(random() * list.length)]

/** Latin letters and the Cyrillic or Greek letters drawn the same. */
const LOOK_ALIKES: Record<string, string> = {
  a: 'а',
  c: 'с',
  e: 'е',
  i: 'і',
  j: 'ј',
  o: 'о',
  p: 'р',
  s: 'ѕ',
  x: 'х',
  y: 'у',
  A: 'А',
  B: 'В',
  C: 'С',
  E: 'Е',
  H: 'Н',
  K: 'К',
  M: 'М',
  O: 'Ο',
  P: 'Р',
  T: 'Т',
  X: 'Х',
}
const INVISIBLES = ['\u200B', '\u200C', '\u200D', '\u00AD', '\u2060']
const FILLERS = ['indeed', 'in fact', 'clearly', 'of course', 'moreover', 'in short']

function mapWords(text: string, change: (word: string) => string) {
  return text.replace(/[A-Za-z]+/g, change)
}

function synonym(random: Random, word: string): string {
  const lower = word.toLowerCase()
  if (isStopword(lower)) return word
  const options = synonymsOf(lower)
  if (!options.length) return word
  const chosen = pick(random, options)
  return word[0] === word[0].toUpperCase() ? chosen[0].toUpperCase() + chosen.slice(1) : chosen
}

/** Words replaced by other words of the text, dropped or added (rate per word), case and commas changed. */
function lightEdits(random: Random, text: string, rate = 0.08) {
  const words = text.split(' ')
  const out: string[] = []
  for (const word of words) {
    const roll = random()
    if (roll < rate / 3) out.push(pick(random, words))
    else if (roll < (2 * rate) / 3) continue
    else if (roll < rate) out.push(word, pick(random, words))
    else if (roll < rate * 1.3) out.push(word.toUpperCase())
    else out.push(word)
  }
  return out.join(' ').replace(/,/g, () => (random() < 0.5 ? '' : ','))
}

/** One sentence said differently: synonyms, a clause moved, function words dropped, a filler added. */
function paraphraseSentence(random: Random, sentence: string) {
  let body = sentence.replace(/[.!?]+["')\]]*$/, '')
  const end = sentence.slice(body.length) || '.'
  body = mapWords(body, (word) => (random() < 0.5 ? synonym(random, word) : word))
  body = body
    .split(' ')
    .filter((word) => !(isStopword(word.toLowerCase()) && random() < 0.2))
    .join(' ')
  const comma = body.indexOf(', ')
  if (comma > 0) body = `${body.slice(comma + 2)}, ${body.slice(0, comma)}`
  else {
    const words = body.split(' ')
    const moved = Math.min(words.length - 1, 2 + Math.floor(random() * 3))
    body = [...words.slice(-moved), ...words.slice(0, -moved)].join(' ')
  }
  if (random() < 0.4) body = `${pick(random, FILLERS)}, ${body}`
  return body[0].toUpperCase() + body.slice(1) + end
}

export function obfuscate(kind: Obfuscation, sentences: string[], random: Random): string {
  switch (kind) {
    case 'verbatim':
      return sentences.join(' ')
    case 'light_edits':
      return lightEdits(random, sentences.join(' '))
    case 'sentence_reorder': {
      const shuffled = [...sentences]
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]
      }
      if (shuffled.every((s, i) => s === sentences[i])) shuffled.reverse()
      return shuffled.join(' ')
    }
    case 'synonyms':
      return mapWords(sentences.join(' '), (word) =>
        random() < 0.4 ? synonym(random, word) : word
      )
    case 'look_alike':
      return mapWords(sentences.join(' '), (word) => {
        let out = [...word]
          .map((c) => (LOOK_ALIKES[c] && random() < 0.4 ? LOOK_ALIKES[c] : c))
          .join('')
        if (word.length > 3 && random() < 0.3) {
          const at = 1 + Math.floor(random() * (word.length - 2))
          out = out.slice(0, at) + pick(random, INVISIBLES) + out.slice(at)
        }
        return out
      })
    case 'paraphrase':
      return sentences.map((sentence) => paraphraseSentence(random, sentence)).join(' ')
  }
}

export type PlantedCase = {
  kind: Obfuscation
  /** Where the obfuscated copy sits in the suspicious text, and where it was taken from in the source. */
  start: number
  end: number
  sourceStart: number
  sourceEnd: number
}

/**
 * A suspicious text: `host` with obfuscated runs of 3-8 sentences of the
 * sources planted between its sentences. Offsets of every case are exact.
 */
export function plantCases(
  host: string,
  plants: Array<{ source: string; kind: Obfuscation }>,
  random: Random
): { text: string; cases: Array<PlantedCase & { plant: number }> } {
  const hostSentences = sentencesOf(host)
  const slots = plants
    .map(() => Math.floor(random() * (hostSentences.length + 1)))
    .sort((a, b) => a - b)
  let text = ''
  const cases: Array<PlantedCase & { plant: number }> = []
  const append = (part: string) => {
    text += (text ? ' ' : '') + part
  }
  let next = 0
  hostSentences.forEach((sentence, i) => {
    while (next < plants.length && slots[next] === i) plantOne(next++)
    append(sentence)
  })
  while (next < plants.length) plantOne(next++)
  return { text, cases }

  function plantOne(index: number) {
    const { source, kind } = plants[index]
    const sentences = sentencesOf(source)
    const length = Math.min(sentences.length, 3 + Math.floor(random() * 6))
    const from = Math.floor(random() * (sentences.length - length + 1))
    const taken = sentences.slice(from, from + length)
    const sourceStart = source.indexOf(taken[0])
    const lastAt = source.indexOf(taken.at(-1)!, sourceStart)
    const copy = obfuscate(kind, taken, random)
    const start = text.length + (text ? 1 : 0)
    append(copy)
    cases.push({
      kind,
      plant: index,
      start,
      end: start + copy.length,
      sourceStart,
      sourceEnd: lastAt + taken.at(-1)!.length,
    })
  }
}
