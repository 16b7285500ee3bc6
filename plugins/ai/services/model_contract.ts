import ort, { type InferenceSession } from '../onnx/runtime.js'
import { E_AI_MODEL_INVALID } from '../errors.js'
import type { ModelKind } from './kinds.js'
import type { Dim, ElementType } from '../onnx/graph.js'

/** The declared interface of a model: its inputs (with the value a probe fills them with) and outputs. */
export type ModelIo = {
  inputs: Array<{ name: string; type: ElementType; shape: Dim[]; fill?: number }>
  outputs: Array<{ name: string; type: ElementType }>
}

/** The inputs and outputs each kind is served through (an uploaded model must offer them). */
const CONTRACTS: Record<ModelKind, { inputs: string[]; outputs: string[] }> = {
  recommendations: { inputs: ['user', 'exclude', 'k'], outputs: ['scores', 'items'] },
  plagiarism: { inputs: ['features'], outputs: ['probability'] },
  at_risk: { inputs: ['features'], outputs: ['probability', 'contributions'] },
}

function probeTensor(input: ModelIo['inputs'][number]) {
  const dims = input.shape.map((dim) => (typeof dim === 'number' ? dim : 1))
  const size = dims.reduce((product, dim) => product * dim, 1)
  const fill = input.fill ?? 0
  if (input.type === 'float')
    return new ort.Tensor('float32', new Float32Array(size).fill(fill), dims)
  if (input.type === 'int64')
    return new ort.Tensor('int64', new BigInt64Array(size).fill(BigInt(Math.trunc(fill))), dims)
  return new ort.Tensor('bool', new Uint8Array(size).fill(fill ? 1 : 0), dims)
}

/**
 * Validates model bytes before they may be promoted: ONNX Runtime loads them,
 * the graph's inputs and outputs are those declared (and those the kind is
 * served through), and a probe input runs to finite outputs.
 */
export async function validateModel(kind: ModelKind, bytes: Uint8Array, io: ModelIo) {
  const contract = CONTRACTS[kind]
  const declaredInputs = io.inputs.map((input) => input.name)
  const declaredOutputs = io.outputs.map((output) => output.name)
  const missing = [
    ...contract.inputs.filter((name) => !declaredInputs.includes(name)),
    ...contract.outputs.filter((name) => !declaredOutputs.includes(name)),
  ]
  if (missing.length) throw new E_AI_MODEL_INVALID([`a ${kind} model needs ${missing.join(', ')}`])

  let session: InferenceSession
  try {
    session = await ort.InferenceSession.create(bytes)
  } catch (error) {
    throw new E_AI_MODEL_INVALID([
      `ONNX Runtime cannot load it (${(error as Error).message.slice(0, 200)})`,
    ])
  }
  try {
    const actualInputs = [...session.inputNames].sort()
    if (actualInputs.join() !== [...declaredInputs].sort().join())
      throw new E_AI_MODEL_INVALID([
        `its inputs are ${actualInputs.join(', ')}, not the declared ${declaredInputs.join(', ')}`,
      ])
    const absent = declaredOutputs.filter((name) => !session.outputNames.includes(name))
    if (absent.length) throw new E_AI_MODEL_INVALID([`it has no output ${absent.join(', ')}`])
    let outputs: InferenceSession.ReturnType
    try {
      outputs = await session.run(
        Object.fromEntries(io.inputs.map((input) => [input.name, probeTensor(input)]))
      )
    } catch (error) {
      throw new E_AI_MODEL_INVALID([
        `the probe input fails (${(error as Error).message.slice(0, 200)})`,
      ])
    }
    for (const output of io.outputs) {
      const data = outputs[output.name]?.data
      if (data instanceof Float32Array && data.some((value) => !Number.isFinite(value)))
        throw new E_AI_MODEL_INVALID([`output ${output.name} is not finite on the probe input`])
    }
  } finally {
    await session.release()
  }
}

/**
 * Whether a model reads feature rows of this width: a model trained before the
 * features changed (or uploaded for other ones) is not fed rows it cannot read.
 */
export function readsFeatures(io: ModelIo, width: number) {
  const features = io.inputs.find((input) => input.name === 'features')
  const declared = features?.shape[1]
  return typeof declared !== 'number' || declared === width
}
