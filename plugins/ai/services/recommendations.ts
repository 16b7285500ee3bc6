import ort from '../onnx/runtime.js'
import { readTenantDb, type Principal } from '@oryne/sdk'
import { E_AI_NOT_ENOUGH_DATA, E_AI_NOT_FOUND } from '../errors.js'
import { EXCLUDED_SCORE, recommenderModel } from '../onnx/recommender_graph.js'
import { rankingMetrics, topK, type RankingMetrics } from '../training/ranking_metrics.js'
import { chooseRecommender, trainChoice, type RecommenderChoice } from '../training/tuning.js'
import { aiSettings } from '../settings.js'
import { interactionMatrix, seenItems, type ItemType } from './interactions.js'
import { modelVocabulary, promotedModel, currentTenantId } from './registry.js'
import { modelSession } from './sessions.js'
import { namesOfCourses, peersOf, seesUser } from './school.js'
import type { TrainedModel } from './lifecycle.js'

/*
 * Recommendations: implicit ALS or EASE over the tenant's interactions, the
 * model and its hyper-parameters chosen on the held-out split
 * (training/tuning.ts), exported as Gather -> MatMul -> mask -> TopK and
 * served from the cached ONNX session;
 * users the model does not know (cold start) get what is popular among their
 * classmates, else among holders of their role, else in the whole tenant.
 */

/** The rows (users) and columns (`type:id` items) of a recommender. */
export type Vocabulary = { users: string[]; items: string[] }

type Matrix = Awaited<ReturnType<typeof interactionMatrix>>

function vocabularyOf(matrix: Matrix): Vocabulary {
  return {
    users: [...new Set(matrix.map((row) => row.user_id))].sort(),
    items: [...new Set(matrix.map((row) => row.item))].sort(),
  }
}

function observationsOf(matrix: Matrix, vocabulary: Vocabulary) {
  const userIndex = new Map(vocabulary.users.map((user, i) => [user, i]))
  const itemIndex = new Map(vocabulary.items.map((item, i) => [item, i]))
  return matrix.map((row) => ({
    user: userIndex.get(row.user_id)!,
    item: itemIndex.get(row.item)!,
    weight: row.weight,
  }))
}

/**
 * The held-out split: for every user with at least 3 items, the most recent
 * fifth of them (at least one) is held out; everything else trains.
 */
function split(matrix: Matrix) {
  const byUser = new Map<string, Matrix>()
  for (const row of matrix) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row])
  const train: Matrix = []
  const test = new Map<string, Set<string>>()
  for (const [user, rows] of byUser) {
    const ordered = rows.sort(
      (a, b) => a.last_at.getTime() - b.last_at.getTime() || a.item.localeCompare(b.item)
    )
    const held = ordered.length >= 3 ? Math.max(1, Math.floor(ordered.length / 5)) : 0
    train.push(...ordered.slice(0, ordered.length - held))
    if (held) test.set(user, new Set(ordered.slice(ordered.length - held).map((row) => row.item)))
  }
  return { train, test }
}

/** Whether a split holds enough to train and measure on: held-out items and 10 training pairs. */
function enoughToTrain({ train, test }: ReturnType<typeof split>) {
  return test.size > 0 && train.length >= 10
}

/** Whether the tenant's interactions are enough to train a recommender (else the cold-start path answers). */
export async function canTrainRecommender() {
  return enoughToTrain(split(await interactionMatrix()))
}

export type RecommendationEvaluation = {
  users: number
  items: number
  interactions: number
  test_users: number
  /** The candidate chosen on the held-out split, and every candidate's NDCG@10 there. */
  hyperparameters: RecommenderChoice
  candidates: Array<RecommenderChoice & { ndcg_at_10: number }>
  model: RankingMetrics
  popularity: RankingMetrics
}

/**
 * Trains on the split's training part and measures the model and the
 * popularity baseline on the held-out part, in the same run.
 */
export async function evaluateRecommendations(matrix?: Matrix): Promise<RecommendationEvaluation> {
  const all = matrix ?? (await interactionMatrix())
  const { train, test } = split(all)
  if (!enoughToTrain({ train, test }))
    throw new E_AI_NOT_ENOUGH_DATA([
      'recommendations',
      `${all.length} (user, item) pairs and ${test.size} users with 3 or more items`,
    ])
  const vocabulary = vocabularyOf(all)
  const settings = await aiSettings()
  const userIndex = new Map(vocabulary.users.map((user, i) => [user, i]))
  const itemIndex = new Map(vocabulary.items.map((item, i) => [item, i]))
  const heldOut = new Map(
    [...test].map(([user, items]) => [
      userIndex.get(user)!,
      new Set([...items].map((item) => itemIndex.get(item)!)),
    ])
  )
  const ranked = chooseRecommender(
    vocabulary.users.length,
    vocabulary.items.length,
    observationsOf(train, vocabulary),
    heldOut,
    { factors: settings.recommendation_factors, iterations: settings.recommendation_iterations }
  )
  const seen = new Map<number, Set<number>>()
  const popularity = new Float64Array(vocabulary.items.length)
  for (const row of train) {
    const user = userIndex.get(row.user_id)!
    const item = itemIndex.get(row.item)!
    seen.set(user, (seen.get(user) ?? new Set()).add(item))
    popularity[item] += 1
  }
  const popularityCases = [...heldOut].map(([user, relevant]) => ({
    ranked: topK(popularity, 10, (item) => seen.get(user)?.has(item) ?? false),
    relevant,
  }))
  return {
    users: vocabulary.users.length,
    items: vocabulary.items.length,
    interactions: all.length,
    test_users: test.size,
    hyperparameters: ranked[0].choice,
    candidates: ranked.map(({ choice, validation }) => ({
      ...choice,
      ndcg_at_10: validation.ndcg_at_10,
    })),
    model: ranked[0].validation,
    popularity: rankingMetrics(popularityCases),
  }
}

/** Trains the tenant's recommender on every interaction, with the held-out metrics of the same data. */
export async function trainRecommender(): Promise<TrainedModel> {
  const matrix = await interactionMatrix()
  const evaluation = await evaluateRecommendations(matrix)
  const vocabulary = vocabularyOf(matrix)
  const factors = trainChoice(
    evaluation.hyperparameters,
    vocabulary.users.length,
    vocabulary.items.length,
    observationsOf(matrix, vocabulary)
  )
  const times = matrix.flatMap((row) => [row.first_at.getTime(), row.last_at.getTime()])
  return {
    bytes: recommenderModel(factors, { kind: 'recommendations' }),
    io: {
      inputs: [
        { name: 'user', type: 'int64', shape: [1] },
        { name: 'exclude', type: 'bool', shape: [1, vocabulary.items.length] },
        { name: 'k', type: 'int64', shape: [1], fill: 1 },
      ],
      outputs: [
        { name: 'scores', type: 'float' },
        { name: 'items', type: 'int64' },
      ],
    },
    // `hyperparameters` and `validation_ndcg_at_10` are what `oryne ai models` shows of the choice.
    metrics: { ...evaluation, validation_ndcg_at_10: evaluation.model.ndcg_at_10 },
    window: { from: new Date(Math.min(...times)), to: new Date(Math.max(...times)) },
    vocabulary,
    // A model that cannot beat "what is popular" is not worth serving.
    refusal:
      evaluation.model.ndcg_at_10 < evaluation.popularity.ndcg_at_10
        ? `its NDCG@10 ${evaluation.model.ndcg_at_10} is below the popularity baseline's ${evaluation.popularity.ndcg_at_10}`
        : null,
  }
}

export type Recommendation = { item_type: ItemType; item_id: string; score: number }

type Prepared = {
  users: Map<string, number>
  items: Array<{ type: ItemType; id: string }>
  columns: Map<string, number>
  /** Per item type: 1 for every column of another type. */
  otherTypes: Map<ItemType, Uint8Array>
}

function prepare(vocabulary: Vocabulary): Prepared {
  const items = vocabulary.items.map((key) => {
    const colon = key.indexOf(':')
    return { type: key.slice(0, colon) as ItemType, id: key.slice(colon + 1) }
  })
  const otherTypes = new Map<ItemType, Uint8Array>()
  for (const type of ['courses', 'books', 'products', 'events'] as ItemType[])
    otherTypes.set(
      type,
      Uint8Array.from(items, (item) => (item.type === type ? 0 : 1))
    )
  return {
    users: new Map(vocabulary.users.map((user, i) => [user, i])),
    items,
    columns: new Map(vocabulary.items.map((item, i) => [item, i])),
    otherTypes,
  }
}

/** The model's top `limit` items of a type for a known user, or null when the model does not know them. */
async function fromModel(userId: string, type: ItemType, limit: number) {
  const model = await promotedModel('recommendations')
  if (!model?.file_id) return null
  const loaded = await modelSession(currentTenantId(), {
    ...model,
    file_id: model.file_id,
  })
  const vocabulary = await loaded.memo('vocabulary', () =>
    modelVocabulary<Vocabulary>(model.id).then(prepare)
  )
  const user = vocabulary.users.get(userId)
  if (user === undefined) return null
  const exclude = Uint8Array.from(vocabulary.otherTypes.get(type)!)
  for (const item of await seenItems(userId)) {
    const column = vocabulary.columns.get(item)
    if (column !== undefined) exclude[column] = 1
  }
  const k = Math.min(limit, vocabulary.items.length)
  const output = await loaded.session.run({
    user: new ort.Tensor('int64', BigInt64Array.of(BigInt(user)), [1]),
    exclude: new ort.Tensor('bool', exclude, [1, exclude.length]),
    k: new ort.Tensor('int64', BigInt64Array.of(BigInt(k)), [1]),
  })
  const scores = output.scores.data as Float32Array
  const columns = output.items.data as BigInt64Array
  const found: Recommendation[] = []
  for (const [i, score] of scores.entries()) {
    if (score <= EXCLUDED_SCORE / 2) break
    const item = vocabulary.items[Number(columns[i])]
    found.push({ item_type: item.type, item_id: item.id, score: Math.round(score * 1e6) / 1e6 })
  }
  return found
}

/**
 * Popular items of a type among the user's peers: their classmates first,
 * then holders of their roles, then everyone, each wider group filling what
 * the narrower ones left of `limit` (a newcomer in a class that took one
 * course still gets a full list). The score is the takers within the group.
 */
async function popularAmongPeers(userId: string, type: ItemType, limit: number) {
  const found: Recommendation[] = []
  for (const peers of await peersOf(userId)) {
    const taken = found.map((item) => item.item_id)
    const rows = await readTenantDb((client, table) => {
      const query = client
        .from(table('ai_interactions', 'i'))
        .where('i.item_type', type)
        .whereNotIn(
          'i.item_id',
          client
            .from(table('ai_interactions', 'own'))
            .where('own.user_id', userId)
            .where('own.item_type', type)
            .select('own.item_id')
        )
        .groupBy('i.item_id')
        .select('i.item_id')
        .countDistinct('i.user_id as takers')
        .orderBy([{ column: 'takers', order: 'desc' }, { column: 'i.item_id' }])
        .limit(limit - found.length)
      if (peers) query.whereIn('i.user_id', peers)
      if (taken.length) query.whereNotIn('i.item_id', taken)
      return query
    })
    for (const row of rows)
      found.push({ item_type: type, item_id: String(row.item_id), score: Number(row.takers) })
    if (found.length >= limit) break
  }
  return found
}

export type RecommendationQuery = { type: ItemType; limit: number; user_id?: string }

/**
 * Recommendations of a type for a user: the caller themselves, or a user the
 * caller may see (staff: anyone; a teacher: students of their courses; a
 * parent: their children). Anyone else is "not found".
 */
export async function recommend(principal: Principal, query: RecommendationQuery) {
  const userId = query.user_id ?? principal.id
  if (query.user_id && query.user_id !== principal.id && !(await seesUser(principal, userId)))
    throw new E_AI_NOT_FOUND(['User', userId])
  if (principal.kind !== 'user' && !query.user_id)
    throw new E_AI_NOT_FOUND(['User', 'of this credential'])
  const modelled = await fromModel(userId, query.type, query.limit)
  const strategy = modelled && modelled.length ? ('model' as const) : ('popularity' as const)
  const items = modelled?.length
    ? modelled
    : await popularAmongPeers(userId, query.type, query.limit)
  // Courses come with their names: the user has not taken them, so the LMS would not show them.
  const names = query.type === 'courses' ? await namesOfCourses(items.map((i) => i.item_id)) : null
  return {
    items: items.map((item) => ({ ...item, label: names?.get(item.item_id) ?? null })),
    strategy,
  }
}
