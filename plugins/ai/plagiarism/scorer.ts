import { seededRandom } from '@oryne/sdk'
import {
  fitLogistic,
  logisticModelGraph,
  logisticPredict,
  type LogisticModel,
} from '../onnx/logistic_graph.js'
import { addresses, documents, TRAINING_YEARS } from './corpus.js'
import { analyse } from './document.js'
import { detectPassages, passageFeatures, PASSAGE_FEATURES } from './detect.js'
import { OBFUSCATIONS, plantCases } from './obfuscation.js'

/*
 * The passage scorer: a logistic model over passage features, trained on
 * real prose (State of the Union addresses before 1900, or the tenant's own
 * texts when given) where passages were planted with the six obfuscations a
 * check must survive, next to texts of the same genre that only share what
 * everyone in it writes. Labels come from the planting, so no human
 * labelling is needed; the pipeline that serves checks (analysis,
 * detection) produces the training passages.
 */

export type LabelledPassage = { features: number[]; label: number }

const overlap = (start: number, end: number, from: number, to: number) =>
  Math.max(0, Math.min(end, to) - Math.max(start, from))

let trainingDocuments: string[] | undefined

/** Labelled passages from `pairs` source/suspicious pairs; in 70% of them one case is planted. */
export function labelledPassages(
  pairs: number,
  options: { seed?: number; hosts?: string[] } = {}
): LabelledPassage[] {
  trainingDocuments ??= documents(addresses(...TRAINING_YEARS), 500)
  const texts = options.hosts?.length ? [...options.hosts, ...trainingDocuments] : trainingDocuments
  const random = seededRandom(options.seed ?? 2024)
  const examples: LabelledPassage[] = []
  for (let pair = 0; pair < pairs; pair++) {
    const source = texts[Math.floor(random() * texts.length)]
    let host = texts[Math.floor(random() * texts.length)]
    while (host === source) host = texts[Math.floor(random() * texts.length)]
    const planted = random() < 0.7
    const { text, cases } = plantCases(
      host,
      planted ? [{ source, kind: OBFUSCATIONS[pair % OBFUSCATIONS.length] }] : [],
      random
    )
    const query = analyse(text)
    const sourceText = analyse(source)
    for (const passage of detectPassages(query, sourceText)) {
      const start = query.words[passage.qs].start
      const end = query.words[passage.qe - 1].end
      const sourceStart = sourceText.words[passage.ss].start
      const sourceEnd = sourceText.words[passage.se - 1].end
      // A copy is where it was planted, and taken from where it was copied (not a phrase met twice).
      const copied = cases.some(
        (c) =>
          overlap(start, end, c.start, c.end) > (end - start) / 2 &&
          overlap(sourceStart, sourceEnd, c.sourceStart, c.sourceEnd) >
            (sourceEnd - sourceStart) / 2
      )
      examples.push({ features: passageFeatures(passage), label: copied ? 1 : 0 })
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

export type ScorerTraining = {
  model: LogisticModel
  bytes: Uint8Array
  metrics: { f1: number; precision: number; recall: number; examples: number; held_out: number }
  /** "Report every detected passage", measured on the same held-out passages. */
  baseline: { f1: number; precision: number; recall: number }
}

/** Trains and exports the scorer; the last 30% of the passages are held out for its metrics. */
export function trainScorer(options: {
  threshold: number
  pairs?: number
  hosts?: string[]
  seed?: number
}): ScorerTraining {
  const examples = labelledPassages(options.pairs ?? 250, options)
  const cut = Math.floor(examples.length * 0.7)
  const train = examples.slice(0, cut)
  const test = examples.slice(cut)
  const model = fitLogistic(
    [...PASSAGE_FEATURES],
    train.map((e) => e.features),
    train.map((e) => e.label)
  )
  const measured = f1(
    (features) => logisticPredict(model, features).probability >= options.threshold,
    test
  )
  return {
    model,
    bytes: logisticModelGraph(model, { kind: 'plagiarism' }),
    metrics: { ...measured, examples: examples.length, held_out: test.length },
    baseline: f1(() => true, test),
  }
}
