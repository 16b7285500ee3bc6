import onnxProto from 'onnx-proto'

/*
 * A small builder of ONNX graphs: the models this plugin trains are a handful
 * of standard operators over weight tensors, so they are written out directly
 * as a ModelProto (onnx-proto) instead of going through a Python exporter.
 */

const { onnx } = onnxProto
const DataType = onnx.TensorProto.DataType
const AttributeType = onnx.AttributeProto.AttributeType

/** The opset every exported graph declares (TopK with a K input, Where, Gather). */
export const OPSET = 13

export type ElementType = 'float' | 'int64' | 'bool'
/** A dimension: a fixed size, or a symbolic name such as "batch". */
export type Dim = number | string
export type TensorSpec = { name: string; type: ElementType; shape: Dim[] }
export type Attribute = number | number[] | string

const ELEMENT: Record<ElementType, number> = {
  float: DataType.FLOAT,
  int64: DataType.INT64,
  bool: DataType.BOOL,
}

/**
 * An int64 as protobufjs writes it. A negative value (axis = -1) must be the
 * 64-bit two's complement, which a plain JS number does not always carry, so
 * it is split into the two 32-bit halves protobufjs takes as a Long.
 */
export function int64(value: number): number | { low: number; high: number; unsigned: false } {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`)
  if (value >= 0) return value
  const low = Number(BigInt.asIntN(32, BigInt(value)))
  const high = Number(BigInt.asIntN(32, BigInt(value) >> 32n))
  return { low, high, unsigned: false }
}

function valueInfo(spec: TensorSpec) {
  return onnx.ValueInfoProto.create({
    name: spec.name,
    type: {
      tensorType: {
        elemType: ELEMENT[spec.type],
        shape: {
          dim: spec.shape.map((dim) =>
            typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim }
          ),
        },
      },
    },
  })
}

function attribute(name: string, value: Attribute) {
  if (typeof value === 'string')
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) }
  if (Array.isArray(value))
    return { name, type: AttributeType.INTS, ints: value.map(int64) as number[] }
  if (Number.isInteger(value)) return { name, type: AttributeType.INT, i: int64(value) as number }
  return { name, type: AttributeType.FLOAT, f: value }
}

/** A constant tensor of the graph (weights, thresholds). */
export type Initializer = {
  name: string
  type: ElementType
  dims: number[]
  values: Float32Array | number[] | boolean[]
}

function tensor(init: Initializer) {
  const size = init.dims.reduce((product, dim) => product * dim, 1)
  if (init.values.length !== size)
    throw new RangeError(`${init.name}: ${init.values.length} values for dims ${init.dims}`)
  const base = { name: init.name, dims: init.dims, dataType: ELEMENT[init.type] }
  if (init.type === 'float') {
    const floats =
      init.values instanceof Float32Array ? init.values : Float32Array.from(init.values as number[])
    // Raw little-endian bytes: compact, and exact for every float32.
    return onnx.TensorProto.create({
      ...base,
      rawData: new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength),
    })
  }
  if (init.type === 'bool')
    return onnx.TensorProto.create({ ...base, int32Data: (init.values as boolean[]).map(Number) })
  return onnx.TensorProto.create({
    ...base,
    int64Data: (init.values as number[]).map(int64) as number[],
  })
}

export type GraphNode = {
  op: string
  inputs: string[]
  outputs: string[]
  attributes?: Record<string, Attribute>
}

export type GraphSpec = {
  name: string
  inputs: TensorSpec[]
  outputs: TensorSpec[]
  initializers: Initializer[]
  nodes: GraphNode[]
  /** Free-form key/values kept in the model (what it was trained on, its version). */
  metadata?: Record<string, string>
}

/** Encodes a graph as the bytes of an .onnx file. */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'oryne-ai',
    opsetImport: [{ domain: '', version: OPSET }],
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: spec.name,
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: spec.initializers.map(tensor),
      node: spec.nodes.map((node, index) =>
        onnx.NodeProto.create({
          name: `${node.op.toLowerCase()}_${index}`,
          opType: node.op,
          input: node.inputs,
          output: node.outputs,
          attribute: Object.entries(node.attributes ?? {}).map(([name, value]) =>
            attribute(name, value)
          ),
        })
      ),
    },
  })
  return onnx.ModelProto.encode(model).finish()
}
