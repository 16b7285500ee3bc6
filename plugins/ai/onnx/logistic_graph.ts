import { encodeModel } from './graph.js'

/**
 * A logistic model over standardised features: p = sigmoid(((x - mean) / scale) . w + b).
 * Used by the plagiarism passage scorer and the at-risk predictor.
 */
export type LogisticModel = {
  features: string[]
  mean: number[]
  scale: number[]
  weights: number[]
  bias: number
}

/**
 * The model as an ONNX graph. Input `features` float [n, d]; outputs
 * `probability` float [n, 1] and `contributions` float [n, d] (each feature's
 * share of the logit, standardised value times weight: what explains a score).
 */
export function logisticModelGraph(model: LogisticModel, metadata: Record<string, string> = {}) {
  const d = model.features.length
  return encodeModel({
    name: 'oryne_logistic',
    metadata: { ...metadata, features: JSON.stringify(model.features) },
    inputs: [{ name: 'features', type: 'float', shape: ['n', d] }],
    outputs: [
      { name: 'probability', type: 'float', shape: ['n', 1] },
      { name: 'contributions', type: 'float', shape: ['n', d] },
    ],
    initializers: [
      { name: 'mean', type: 'float', dims: [d], values: model.mean },
      { name: 'scale', type: 'float', dims: [d], values: model.scale },
      { name: 'weights', type: 'float', dims: [d, 1], values: model.weights },
      { name: 'weights_row', type: 'float', dims: [d], values: model.weights },
      { name: 'bias', type: 'float', dims: [1], values: [model.bias] },
    ],
    nodes: [
      { op: 'Sub', inputs: ['features', 'mean'], outputs: ['centred'] },
      { op: 'Div', inputs: ['centred', 'scale'], outputs: ['standard'] },
      { op: 'MatMul', inputs: ['standard', 'weights'], outputs: ['dot'] },
      { op: 'Add', inputs: ['dot', 'bias'], outputs: ['logit'] },
      { op: 'Sigmoid', inputs: ['logit'], outputs: ['probability'] },
      { op: 'Mul', inputs: ['standard', 'weights_row'], outputs: ['contributions'] },
    ],
  })
}

/** The same computation in plain TypeScript. */
export function logisticPredict(model: LogisticModel, row: number[]) {
  const contributions = row.map(
    (value, i) => ((value - model.mean[i]) / model.scale[i]) * model.weights[i]
  )
  const logit = contributions.reduce((sum, value) => sum + value, model.bias)
  return { probability: 1 / (1 + Math.exp(-logit)), contributions }
}

/**
 * Fits the model by full-batch gradient descent with L2 regularisation on
 * standardised features: deterministic (no sampling), enough for a few
 * thousand rows of a handful of features.
 */
export function fitLogistic(
  features: string[],
  rows: number[][],
  labels: number[],
  options: { epochs?: number; rate?: number; l2?: number } = {}
): LogisticModel {
  const d = features.length
  const n = rows.length
  const mean = Array.from({ length: d }, (_, i) => rows.reduce((s, r) => s + r[i], 0) / (n || 1))
  const scale = Array.from({ length: d }, (_, i) => {
    const variance = rows.reduce((s, r) => s + (r[i] - mean[i]) ** 2, 0) / (n || 1)
    return Math.sqrt(variance) || 1
  })
  const standard = rows.map((r) => r.map((v, i) => (v - mean[i]) / scale[i]))
  const weights = new Array(d).fill(0)
  let bias = 0
  const { epochs = 400, rate = 0.5, l2 = 1e-3 } = options
  for (let epoch = 0; epoch < epochs; epoch++) {
    const gradient = new Array(d).fill(0)
    let gradientBias = 0
    for (let row = 0; row < n; row++) {
      const x = standard[row]
      const logit = x.reduce((s, v, i) => s + v * weights[i], bias)
      const error = 1 / (1 + Math.exp(-logit)) - labels[row]
      for (let i = 0; i < d; i++) gradient[i] += error * x[i]
      gradientBias += error
    }
    for (let i = 0; i < d; i++) weights[i] -= rate * (gradient[i] / (n || 1) + l2 * weights[i])
    bias -= (rate * gradientBias) / (n || 1)
  }
  return { features, mean, scale, weights, bias }
}
