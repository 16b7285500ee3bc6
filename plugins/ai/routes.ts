import {
  E_AI_DOCUMENT_EXISTS,
  E_AI_MODEL_INVALID,
  E_AI_NO_MODEL,
  E_AI_NOT_ENOUGH_DATA,
  E_AI_NOT_FOUND,
  E_AI_NOT_PROMOTABLE,
  E_AI_TEXT_TOO_LONG,
  E_AI_UNKNOWN_KIND,
  E_AI_UNREADABLE_FILE,
} from './errors.js'
import { ITEM_TYPES, recordInteractions } from './services/interactions.js'
import { recommend } from './services/recommendations.js'
import { atRiskStudents } from './services/at_risk.js'
import { MODEL_KINDS, modelKind } from './services/kinds.js'
import { listModels, presentModel, promoteModel, registerModel } from './services/registry.js'
import { readUploadedModel } from './services/uploads.js'
import {
  addDocument,
  checkOnDemand,
  deleteDocument,
  listDocuments,
  plagiarismReport,
  recheckSubmission,
} from './services/plagiarism.js'
import { checkCode } from './services/code_plagiarism.js'
import {
  actorOf,
  authorize,
  defineIdParam,
  E_VALIDATION,
  respond,
  vine,
  type Router,
} from '@oryne/sdk'

const interactionsInput = vine.compile(
  vine.object({
    interactions: vine
      .array(
        vine.object({
          client_id: vine.string().trim().minLength(1).maxLength(120).optional(),
          user_id: vine.string().uuid(),
          item_type: vine.enum(ITEM_TYPES),
          item_id: vine
            .string()
            .trim()
            .regex(/^[A-Za-z0-9._:-]{1,64}$/),
          weight: vine.number().min(0.001).max(1000).optional(),
          occurred_at: vine.date({ formats: { utc: true } }).optional(),
        })
      )
      .minLength(1)
      .maxLength(5000),
  })
)

const codeFiles = vine
  .array(
    vine.object({
      name: vine.string().trim().minLength(1).maxLength(200),
      content: vine.string().maxLength(200_000),
    })
  )
  .minLength(1)
  .maxLength(50)

const codeCheckInput = vine.compile(vine.object({ files: codeFiles, sources: codeFiles }))

const recommendationsQuery = vine.compile(
  vine.object({
    type: vine.enum(ITEM_TYPES),
    limit: vine.number().withoutDecimals().min(1).max(100).optional(),
    user_id: vine.string().uuid().optional(),
  })
)

const checkInput = vine.compile(
  vine.object({ text: vine.string().minLength(1).maxLength(200_000) })
)

const documentInput = vine.compile(
  vine.object({
    external_id: vine
      .string()
      .trim()
      .regex(/^[\w.:\/-]{1,200}$/),
    title: vine.string().trim().minLength(1).maxLength(300),
    text: vine.string().minLength(1).maxLength(1_000_000),
  })
)

const pageQuery = vine.compile(
  vine.object({
    page: vine.number().withoutDecimals().min(1).max(100_000).optional(),
    per_page: vine.number().withoutDecimals().min(1).max(200).optional(),
  })
)

const atRiskQuery = vine.compile(
  vine.object({
    limit: vine.number().withoutDecimals().min(1).max(1000).optional(),
    min_risk: vine.number().min(0).max(1).optional(),
  })
)

const modelsQuery = vine.compile(vine.object({ kind: vine.enum(MODEL_KINDS).optional() }))

/** A digits-only route parameter, so a junk id is a 404 and never reaches SQL. */
const param = defineIdParam(E_AI_NOT_FOUND)
/** Model versions are `integer` columns: 9 digits stay below 2^31. */
const versionParam = defineIdParam(E_AI_NOT_FOUND, { digits: 9 })

export function aiRoutes(router: Router) {
  router
    .post('/interactions', async (ctx) => {
      const principal = await authorize(ctx, 'ai.interactions.create')
      const { interactions } = await interactionsInput.validate(ctx.request.body())
      const result = await recordInteractions(interactions, actorOf(principal))
      respond(ctx, result, { status: result.recorded ? 201 : 200 })
    })
    .describe({
      summary:
        'Record what users did with courses, titles, products or events (feeds recommendations)',
      description:
        'Idempotent per `client_id`: an interaction sent again is not counted twice (200 when nothing was new).',
      body: interactionsInput,
      status: 201,
      alsoStatus: [200],
      data: { type: 'object' },
      errors: [E_VALIDATION],
    })

  router
    .get('/recommendations', async (ctx) => {
      const principal = await authorize(ctx, 'ai.recommendations.read')
      const query = await recommendationsQuery.validate(ctx.request.qs())
      respond(ctx, await recommend(principal, { ...query, limit: query.limit ?? 10 }))
    })
    .describe({
      summary: 'Recommended items of one type for you (or, for staff, for user_id)',
      description:
        'Best first. `strategy` says whether the tenant’s trained model answered or the cold-start picks (popular among the user’s peers). A course comes with its `label` (title and code), since the user cannot read a course they have not taken.',
      query: recommendationsQuery,
      data: {
        type: 'object',
        required: ['items', 'strategy'],
        properties: {
          strategy: { type: 'string', enum: ['model', 'popularity'] },
          items: {
            type: 'array',
            items: {
              type: 'object',
              required: ['item_type', 'item_id', 'score', 'label'],
              properties: {
                item_type: { type: 'string' },
                item_id: { type: 'string' },
                score: { type: 'number' },
                label: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
      errors: [E_AI_NOT_FOUND, E_AI_NOT_ENOUGH_DATA, E_VALIDATION],
    })

  router
    .post('/plagiarism/check', async (ctx) => {
      await authorize(ctx, 'ai.plagiarism.check')
      const { text } = await checkInput.validate(ctx.request.body())
      respond(ctx, await checkOnDemand(text))
    })
    .describe({
      summary: 'Check a text against the reference documents and past submissions',
      description:
        'Each match names its source, its offsets in the text sent, its kind (verbatim, edited, paraphrase) and a similarity.',
      body: checkInput,
      data: { type: 'object' },
      errors: [E_AI_TEXT_TOO_LONG],
    })

  router
    .post('/plagiarism/code-check', async (ctx) => {
      await authorize(ctx, 'ai.plagiarism.check')
      respond(ctx, checkCode(await codeCheckInput.validate(ctx.request.body())))
    })
    .describe({
      summary:
        'Compare source files with other files, as token streams (renamed or reordered copies match)',
      body: codeCheckInput,
      data: { type: 'object' },
    })

  router
    .get('/plagiarism/reports/:submissionId', async (ctx) => {
      const principal = await authorize(ctx, 'ai.plagiarism_reports.read')
      respond(ctx, await plagiarismReport(principal, param(ctx, 'Submission', 'submissionId')))
    })
    .describe({
      summary: "A submission's plagiarism report",
      data: { type: 'object' },
      errors: [E_AI_NOT_FOUND],
    })

  router
    .post('/plagiarism/reports/:submissionId/check', async (ctx) => {
      const principal = await authorize(ctx, 'ai.plagiarism.check')
      respond(ctx, await recheckSubmission(principal, param(ctx, 'Submission', 'submissionId')))
    })
    .describe({
      summary: 'Check a submission again (its text and files) and replace its report',
      data: { type: 'object' },
      errors: [E_AI_NOT_FOUND, E_AI_TEXT_TOO_LONG, E_AI_UNREADABLE_FILE],
    })

  router
    .post('/plagiarism/documents', async (ctx) => {
      const principal = await authorize(ctx, 'ai.plagiarism_documents.manage')
      const input = await documentInput.validate(ctx.request.body())
      respond(ctx, await addDocument(input, actorOf(principal)), { status: 201 })
    })
    .describe({
      summary: 'Add a reference document that later checks compare against',
      body: documentInput,
      status: 201,
      data: { type: 'object' },
      errors: [E_AI_DOCUMENT_EXISTS, E_AI_TEXT_TOO_LONG],
    })

  router
    .get('/plagiarism/documents', async (ctx) => {
      await authorize(ctx, 'ai.plagiarism_documents.manage')
      const { page = 1, per_page: perPage = 50 } = await pageQuery.validate(ctx.request.qs())
      respond(ctx, await listDocuments(page, perPage))
    })
    .describe({
      summary: 'The reference documents, newest first',
      query: pageQuery,
      data: { type: 'array', items: { type: 'object' } },
    })

  router
    .delete('/plagiarism/documents/:id', async (ctx) => {
      const principal = await authorize(ctx, 'ai.plagiarism_documents.manage')
      respond(ctx, await deleteDocument(param(ctx, 'Reference document'), actorOf(principal)))
    })
    .describe({
      summary: 'Remove a reference document',
      data: { type: 'object' },
      errors: [E_AI_NOT_FOUND],
    })

  router
    .get('/at-risk', async (ctx) => {
      const principal = await authorize(ctx, 'ai.at_risk.read')
      const query = await atRiskQuery.validate(ctx.request.qs())
      respond(
        ctx,
        await atRiskStudents(principal, {
          limit: query.limit ?? 100,
          min_risk: query.min_risk ?? 0,
        })
      )
    })
    .describe({
      summary:
        'Students at risk of failing, highest risk first, with the factors behind each score',
      description: 'Answers 409 ERR_AI_NO_MODEL until an at-risk model is trained and promoted.',
      query: atRiskQuery,
      data: { type: 'object' },
      errors: [E_AI_NO_MODEL, E_AI_NOT_ENOUGH_DATA],
    })

  router
    .get('/models', async (ctx) => {
      await authorize(ctx, 'ai.models.read')
      const { kind } = await modelsQuery.validate(ctx.request.qs())
      respond(ctx, await listModels(kind))
    })
    .describe({
      summary: 'The trained and uploaded models, with their evaluation and the one in use per kind',
      query: modelsQuery,
      data: { type: 'array', items: { type: 'object' } },
    })

  // Bring your own model: multipart `file` (.onnx), `kind` and `io` (declared inputs and outputs, JSON).
  router
    .post('/models', async (ctx) => {
      const principal = await authorize(ctx, 'ai.models.manage')
      const upload = await readUploadedModel(ctx)
      const row = await registerModel({ ...upload, source: 'uploaded', actor: actorOf(principal) })
      respond(ctx, presentModel(row), { status: 201 })
    })
    .describe({
      summary: 'Upload an ONNX model (bring your own): multipart `file`, `kind` and `io`',
      status: 201,
      multipart: {
        type: 'object',
        properties: {
          file: { type: 'string', format: 'binary' },
          kind: { type: 'string', enum: [...MODEL_KINDS] },
          io: { type: 'string', description: 'The declared inputs and outputs, as JSON' },
        },
        required: ['file', 'kind', 'io'],
      },
      data: { type: 'object' },
      errors: [E_AI_MODEL_INVALID, E_AI_UNKNOWN_KIND, E_VALIDATION],
    })

  router
    .post('/models/:kind/:version/promote', async (ctx) => {
      const principal = await authorize(ctx, 'ai.models.manage')
      const kind = modelKind(String(ctx.params.kind))
      const version = Number(versionParam(ctx, 'Model version', 'version'))
      respond(ctx, presentModel(await promoteModel(kind, version, actorOf(principal))))
    })
    .describe({
      summary: 'Put a model version in use for its kind',
      data: { type: 'object' },
      errors: [E_AI_NOT_FOUND, E_AI_UNKNOWN_KIND, E_AI_NOT_PROMOTABLE],
    })
}
