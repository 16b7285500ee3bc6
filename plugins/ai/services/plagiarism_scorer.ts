import ort, { type InferenceSession } from '../onnx/runtime.js'
import { AI_DEFAULTS } from '../settings.js'
import { trainScorer } from '../plagiarism/scorer.js'
import { currentTenantId, promotedModel } from './registry.js'
import { modelSession } from './sessions.js'
import { readsFeatures } from './model_contract.js'

/*
 * The passage scorer a check uses: the tenant's promoted plagiarism model
 * (when it reads today's passage features), or until it has one, the built-in scorer, trained once per process on
 * public-domain prose with planted obfuscated copies (no tenant data, so
 * every tenant may share it).
 */

let builtIn: Promise<InferenceSession> | undefined

function builtInScorer() {
  builtIn ??= ort.InferenceSession.create(
    trainScorer({ threshold: AI_DEFAULTS.plagiarism_threshold }).bytes
  )
  return builtIn
}

/** Probabilities that each passage (a row of features) is copied. */
export async function scorePassages(rows: number[][]): Promise<Float32Array> {
  if (!rows.length) return new Float32Array()
  const promoted = await promotedModel('plagiarism')
  const model = promoted && readsFeatures(promoted.io, rows[0].length) ? promoted : null
  const session = model?.file_id
    ? await modelSession(currentTenantId(), { ...model, file_id: model.file_id }).then(
        (loaded) => loaded.session
      )
    : await builtInScorer()
  const output = await session.run({
    features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [
      rows.length,
      rows[0].length,
    ]),
  })
  return output.probability.data as Float32Array
}
