/*
 * What the AI plugin exports to the host, the CLI (`oryne ai`) and plugins
 * that depend on it.
 */
export { default } from './plugin.js'
export { recordInteractions, type Interaction, type ItemType } from './services/interactions.js'
export { recommend } from './services/recommendations.js'
export { trainModel } from './services/lifecycle.js'
export { evaluate, type Evaluation } from './services/evaluation.js'
export { MODEL_KINDS, modelKind, primaryMetric, type ModelKind } from './services/kinds.js'
export { listModels, presentModel, promoteModel, registerModel } from './services/registry.js'
export { trainModelJob } from './jobs/train_model.js'
