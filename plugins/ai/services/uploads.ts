import { readFile } from 'node:fs/promises'
import { E_VALIDATION, vine, type HttpContext } from '@oryne/sdk'
import { E_AI_MODEL_INVALID } from '../errors.js'
import { MODEL_KINDS, type ModelKind } from './kinds.js'
import type { ModelIo } from './model_contract.js'

const MAX_MODEL_MB = 100

const dims = vine
  .array(
    vine.unionOfTypes([
      vine.number().withoutDecimals().min(0),
      vine.string().regex(/^[a-z_]{1,20}$/),
    ])
  )
  .maxLength(8)
const element = vine.enum(['float', 'int64', 'bool'] as const)

const declaration = vine.compile(
  vine.object({
    kind: vine.enum(MODEL_KINDS),
    io: vine.object({
      inputs: vine
        .array(
          vine.object({
            name: vine.string().regex(/^[A-Za-z_][\w.:-]{0,100}$/),
            type: element,
            shape: dims,
            fill: vine.number().optional(),
          })
        )
        .minLength(1)
        .maxLength(16),
      outputs: vine
        .array(
          vine.object({ name: vine.string().regex(/^[A-Za-z_][\w.:-]{0,100}$/), type: element })
        )
        .minLength(1)
        .maxLength(16),
    }),
    vocabulary: vine
      .object({
        users: vine.array(vine.string().uuid()).minLength(1).maxLength(1_000_000),
        items: vine
          .array(vine.string().regex(/^(courses|books|products|events):[A-Za-z0-9._:-]{1,64}$/))
          .minLength(1)
          .maxLength(1_000_000),
      })
      .optional(),
  })
)

function json(value: unknown, field: string) {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    throw new E_VALIDATION([], {
      details: [{ field, rule: 'json', message: `${field} is not valid JSON` }],
    })
  }
}

/**
 * An uploaded model and its declaration, from a multipart request: `file`
 * (.onnx), `kind`, `io` (JSON: inputs with name, type, shape and optional probe
 * fill; outputs with name and type) and, for a recommender, `vocabulary` (JSON:
 * the user ids of its rows and the `type:id` items of its columns).
 */
export async function readUploadedModel(ctx: HttpContext) {
  const file = ctx.request.file('file', { size: `${MAX_MODEL_MB}mb`, extnames: ['onnx'] })
  if (!file || !file.tmpPath || !file.isValid)
    throw new E_VALIDATION([], {
      details: [
        {
          field: 'file',
          rule: 'file',
          message: file?.errors[0]?.message ?? 'Send the .onnx file in the multipart field "file"',
        },
      ],
    })
  const body = ctx.request.body()
  const input = await declaration.validate({
    kind: body.kind,
    io: json(body.io, 'io'),
    vocabulary: json(body.vocabulary, 'vocabulary'),
  })
  const kind = input.kind as ModelKind
  if (kind === 'recommendations') {
    if (!input.vocabulary)
      throw new E_AI_MODEL_INVALID(['a recommender needs its vocabulary (users and items)'])
    const exclude = input.io.inputs.find((entry) => entry.name === 'exclude')
    if (exclude?.shape[1] !== input.vocabulary.items.length)
      throw new E_AI_MODEL_INVALID(['input "exclude" must be [1, number of vocabulary items]'])
  }
  return {
    kind,
    bytes: new Uint8Array(await readFile(file.tmpPath)),
    io: input.io as ModelIo,
    vocabulary: input.vocabulary,
  }
}
