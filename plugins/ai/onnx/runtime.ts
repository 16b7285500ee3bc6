/*
 * ONNX Runtime, as the AI plugin loads it: always through this module, so that
 * telemetry is off before the library loads (./telemetry_off.ts). ES modules
 * evaluate their imports in order: the first import runs first.
 */
import './telemetry_off.js'
import ort from 'onnxruntime-node'

export type { InferenceSession, Tensor } from 'onnxruntime-node'
export default ort
