import { fitLogistic, logisticModelGraph, type LogisticModel } from '../onnx/logistic_graph.js'
import { tokenize } from './tokens.js'
import { winnow } from './winnow.js'
import { alignPassages, passageFeatures, PASSAGE_FEATURES } from './align.js'
import { textGenerator } from './synthetic_text.js'

/*
 * The passage scorer: a logistic model over passage features, trained on
 * pairs of texts where passages were planted (copied verbatim or lightly
 * edited) and texts that only share what everyone writes. Labels come from
 * the planting, so no human labelling is needed; the same pipeline
 * (winnowing, alignment) that serves checks produces the training passages.
 */

export type LabelledPassage = { features: number[]; label: number }

const overlap = (start: number, end: number, [from, to]: [number, number]) =>
  Math.max(0, Math.min(end, to) - Math.max(start, from))

/** Words of a text shared by query and source: seeds from common fingerprints. */
export function seedsBetween(queryText: string, sourceText: string, k: number, w: number) {
  const query = tokenize(queryText)
  const source = tokenize(sourceText)
  const sourceFingerprints = new Map<number, number[]>()
  for (const fp of winnow(source, k, w))
    sourceFingerprints.set(fp.hash, [...(sourceFingerprints.get(fp.hash) ?? []), fp.position])
  const seeds = winnow(query, k, w).flatMap((fp) =>
    (sourceFingerprints.get(fp.hash) ?? []).map((s) => ({ q: fp.position, s }))
  )
  return { query, source, seeds }
}

/**
 * Labelled passages from `pairs` generated pairs (or around `hosts`, texts of
 * the tenant, when given): in most pairs a passage of the source, verbatim or
 * lightly edited, is planted in the query.
 */
export function labelledPassages(
  pairs: number,
  options: { k: number; w: number; seed?: number; hosts?: string[] }
): LabelledPassage[] {
  const generator = textGenerator(options.seed ?? 2024)
  const { random } = generator
  const hostText = (words: number) =>
    options.hosts?.length && random() < 0.5
      ? options.hosts[Math.floor(random() * options.hosts.length)]
      : generator.text(words)
  const examples: LabelledPassage[] = []
  for (let pair = 0; pair < pairs; pair++) {
    const source = hostText(250)
    let query = hostText(250)
    let planted: [number, number] | null = null
    let origin: [number, number] = [0, 0]
    if (random() < 0.6) {
      const words = source.split(' ')
      const length = Math.min(words.length, 12 + Math.floor(random() * 60))
      const from = Math.floor(random() * Math.max(1, words.length - length))
      const passage = generator.edit(words.slice(from, from + length).join(' '), random() * 0.1)
      const originStart = words.slice(0, from).join(' ').length + (from ? 1 : 0)
      origin = [originStart, originStart + words.slice(from, from + length).join(' ').length]
      const queryWords = query.split(' ')
      const at = Math.floor(random() * queryWords.length)
      const before = queryWords.slice(0, at).join(' ')
      query = `${before}${before ? ' ' : ''}${passage} ${queryWords.slice(at).join(' ')}`
      const start = before.length + (before ? 1 : 0)
      planted = [start, start + passage.length]
    }
    const { query: q, source: s, seeds } = seedsBetween(query, source, options.k, options.w)
    for (const passage of alignPassages(q, s, seeds, options.k)) {
      const start = q[passage.qs].start
      const end = q[passage.qe - 1].end
      const sourceStart = s[passage.ss].start
      const sourceEnd = s[passage.se - 1].end
      // A copy is where it was planted, and taken from where it was copied (not a stock phrase met twice).
      const copied =
        planted !== null &&
        overlap(start, end, planted) > (end - start) / 2 &&
        overlap(sourceStart, sourceEnd, origin) > (sourceEnd - sourceStart) / 2
      examples.push({ features: passageFeatures(passage, q), label: copied ? 1 : 0 })
    }
  }
  return examples
}

function f1(model: (features: number[]) => boolean, examples: LabelledPassage[]) {
  let tp = 0
  let fp = 0
  let fn = 0
  for (const example of examples) {
    const predicted = model(example.features)
    if (predicted && example.label) tp++
    else if (predicted) fp++
    else if (example.label) fn++
  }
  const precision = tp + fp ? tp / (tp + fp) : 0
  const recall = tp + fn ? tp / (tp + fn) : 0
  const round = (value: number) => Math.round(value * 1e4) / 1e4
  return {
    precision: round(precision),
    recall: round(recall),
    f1: round(precision + recall ? (2 * precision * recall) / (precision + recall) : 0),
  }
}

/** The logistic probability in plain TypeScript (training-time evaluation). */
function probability(model: LogisticModel, features: number[]) {
  const logit = features.reduce(
    (sum, value, i) => sum + ((value - model.mean[i]) / model.scale[i]) * model.weights[i],
    model.bias
  )
  return 1 / (1 + Math.exp(-logit))
}

export type ScorerTraining = {
  model: LogisticModel
  bytes: Uint8Array
  metrics: { f1: number; precision: number; recall: number; examples: number; held_out: number }
  /** "Report every aligned passage", measured on the same held-out passages. */
  baseline: { f1: number; precision: number; recall: number }
}

/** Trains and exports the scorer; the last 30% of the passages are held out for its metrics. */
export function trainScorer(options: {
  k: number
  w: number
  threshold: number
  pairs?: number
  hosts?: string[]
  seed?: number
}): ScorerTraining {
  const examples = labelledPassages(options.pairs ?? 600, options)
  const cut = Math.floor(examples.length * 0.7)
  const train = examples.slice(0, cut)
  const test = examples.slice(cut)
  const model = fitLogistic(
    [...PASSAGE_FEATURES],
    train.map((e) => e.features),
    train.map((e) => e.label)
  )
  const measured = f1((features) => probability(model, features) >= options.threshold, test)
  return {
    model,
    bytes: logisticModelGraph(model, { kind: 'plagiarism' }),
    metrics: { ...measured, examples: examples.length, held_out: test.length },
    baseline: f1(() => true, test),
  }
}
