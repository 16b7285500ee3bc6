import { test } from '@japa/runner'
import { created, eventually, ok, sharedSchool, type School } from '@oryne/sdk/testing'
import { trainModel } from '../services/lifecycle.js'
import { evaluateRecommendations } from '../services/recommendations.js'
import { recordInteractions } from '../services/interactions.js'
import { listModels, registerModel } from '../services/registry.js'
import { limitSessionCache, modelSession, sessionCacheStats } from '../services/sessions.js'
import { syntheticInteractions } from '../training/synthetic.js'
import { recommenderModel } from '../onnx/recommender_graph.js'
import { logisticModelGraph } from '../onnx/logistic_graph.js'

/*
 * Recommendations end to end: interactions in (HTTP and LMS enrolments),
 * a model trained per tenant that beats the popularity baseline, promoted
 * atomically, served through the API to the people allowed to ask.
 */

type Who = 'head' | 'teacher' | 'student' | 'other' | 'parent'

/** The school, and a crowd of 120 users (invited, never signed in) that generated interactions are about. */
const schoolFor = sharedSchool(
  {
    plugins: ['ai'],
    people: {
      head: 'TenantAdmin',
      teacher: 'Teacher',
      student: 'Student',
      other: 'Student',
      parent: 'Parent',
    },
  },
  async (school: School<Who>) => {
    const crowd = await school.db(async (trx) => {
      const rows = await trx
        .insertQuery()
        .table('users')
        .multiInsert(
          Array.from({ length: 120 }, (_, i) => ({
            email: `crowd${i}@${school.tenant.slug}.example`,
            name: `Crowd ${i}`,
          }))
        )
        .returning('id')
      return rows.map((row) => String(row.id))
    })
    return { crowd }
  }
)
type AiSchool = School<Who> & { crowd: string[] }

async function interactionCount(school: AiSchool) {
  const counted = await school.db((trx) => trx.from('ai_interactions').count('* as n').first())
  return Number(counted.n)
}

test.group('AI: interactions', () => {
  test('a bulk of interactions is validated, recorded once per client id, and refused whole on a bad row', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const before = await interactionCount(school)
    const batch = [
      { client_id: 'pos-1', user_id: school.people.student.id, item_type: 'books', item_id: 'B-1' },
      {
        client_id: 'pos-2',
        user_id: school.people.student.id,
        item_type: 'books',
        item_id: 'B-2',
        weight: 2,
        occurred_at: '2026-03-01T10:00:00Z',
      },
    ]
    const first = await school.as('head').post('/ai/interactions').json({
      interactions: batch,
    })
    first.assertStatus(201)
    assert.deepEqual(first.body().data, { recorded: 2, duplicates: 0 })
    const replay = await school.as('head').post('/ai/interactions').json({
      interactions: batch,
    })
    replay.assertStatus(200)
    assert.deepEqual(replay.body().data, { recorded: 0, duplicates: 2 })

    const invalid = [
      { interactions: [] },
      { interactions: [{ user_id: 'nope', item_type: 'books', item_id: 'B-1' }] },
      { interactions: [{ user_id: school.people.student.id, item_type: 'cars', item_id: 'B-1' }] },
      {
        interactions: [
          { user_id: school.people.student.id, item_type: 'books', item_id: 'B 1; drop' },
        ],
      },
      {
        interactions: [
          { user_id: school.people.student.id, item_type: 'books', item_id: 'B-1', weight: -1 },
        ],
      },
    ]
    for (const body of invalid) {
      const response = await school.as('head').post('/ai/interactions').json(body)
      response.assertStatus(400)
      assert.equal(response.body().error.code, 'ERR_VALIDATION')
    }
    // One unknown user refuses the whole batch: nothing of it is written.
    const mixed = await school
      .as('head')
      .post('/ai/interactions')
      .json({
        interactions: [
          {
            client_id: 'pos-3',
            user_id: school.people.student.id,
            item_type: 'books',
            item_id: 'B-3',
          },
          {
            client_id: 'pos-4',
            user_id: '00000000-0000-4000-8000-000000000000',
            item_type: 'books',
            item_id: 'B-4',
          },
        ],
      })
    mixed.assertStatus(400)
    assert.equal(mixed.body().error.details[0].field, 'interactions.1.user_id')
    assert.equal(await interactionCount(school), before + 2)

    const student = await school.as('student').post('/ai/interactions').json({
      interactions: batch,
    })
    student.assertStatus(403)
  })

  test('an LMS enrolment is recorded as an interaction with the course', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const head = (path: string, body: object) => created(school.as('head').post(path).json(body))
    const grade = await head('/erp/classes', { name: 'Grade 7', grade_level: 7 })
    const section = await head('/erp/sections', { class_id: grade.id, name: 'A' })
    const student = await head('/erp/students', {
      enrollment_no: 'AI-1',
      first_name: 'Ada',
      last_name: 'Learner',
      class_id: grade.id,
      section_id: section.id,
      user_id: school.people.other.id,
    })
    const course = await head('/lms/courses', {
      code: 'AI-BIO',
      title: 'Biology',
      status: 'active',
    })
    await head('/lms/enrolments', { course_id: course.id, student_id: student.id })
    // Recorded by an event handler, after the enrolment commits.
    const rows = await eventually(
      () =>
        school.db((trx) =>
          trx
            .from('ai_interactions')
            .where({ user_id: school.people.other.id, item_type: 'courses' })
        ),
      { until: (found) => found.length > 0 }
    )
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].item_id, String(course.id))
    assert.equal(rows[0].source, 'lms.enrolments.created')
  })
})

test.group('AI: recommendations', () => {
  test('training on generated data beats the popularity baseline and is promoted; the API serves unseen items of the type', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const generated = syntheticInteractions(school.crowd, {
      items: 120,
      groups: 4,
      perUser: 10,
      type: 'courses',
    })
    await school.run(() => recordInteractions(generated, 'test'))

    const evaluation = await school.run(() => evaluateRecommendations())
    assert.isAbove(evaluation.model.ndcg_at_10, evaluation.popularity.ndcg_at_10)
    assert.isAbove(evaluation.model.precision_at_10, evaluation.popularity.precision_at_10)

    const trained = await school.run(() => trainModel('recommendations', 'test'))
    assert.isTrue(trained.promoted)
    assert.equal(trained.model.status, 'promoted')
    assert.isAbove(trained.model.size_bytes, 1000)

    // A crowd member signs in? They have no password: ask as the admin on their behalf.
    const userId = school.crowd[5]
    const response = await school
      .as('head')
      .get(`/ai/recommendations?type=courses&limit=10&user_id=${userId}`)
    response.assertStatus(200)
    const { items, strategy } = response.body().data
    assert.equal(strategy, 'model')
    assert.lengthOf(items, 10)
    const seen = new Set(generated.filter((i) => i.user_id === userId).map((i) => i.item_id))
    for (const item of items) {
      assert.equal(item.item_type, 'courses')
      assert.isFalse(seen.has(item.item_id), `${item.item_id} was already taken`)
    }
    const scores = items.map((item: { score: number }) => item.score)
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a)
    )
    // Most of them come from the user's own group (group = index % 4, 30 items per group).
    const group = 5 % 4
    const inGroup = items.filter(
      (item: { item_id: string }) => Math.floor((Number(item.item_id) - 1) / 30) === group
    )
    assert.isAtLeast(inGroup.length, 5)

    const books = await school.as('head').get(`/ai/recommendations?type=books&user_id=${userId}`)
    books.assertStatus(200)
    for (const item of books.body().data.items) assert.equal(item.item_type, 'books')
  })

  test('a user the model does not know gets what is popular among their peers', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const response = await school.as('student').get('/ai/recommendations?type=books&limit=5')
    response.assertStatus(200)
    assert.equal(response.body().data.strategy, 'popularity')
    // The student took B-1 and B-2 already (first test); nobody else took books: nothing left.
    const mine = response.body().data.items.map((item: { item_id: string }) => item.item_id)
    assert.notInclude(mine, 'B-1')
    assert.notInclude(mine, 'B-2')

    const courses = await school.as('parent').get('/ai/recommendations?type=courses&limit=3')
    courses.assertStatus(200)
    assert.lengthOf(courses.body().data.items, 3)
  })

  test('a user sees their own recommendations; others only those of people they may see', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const other = await school
      .as('student')
      .get(`/ai/recommendations?type=courses&user_id=${school.people.other.id}`)
    other.assertStatus(404)
    assert.equal(other.body().error.code, 'ERR_AI_NOT_FOUND')
    const teacher = await school
      .as('teacher')
      .get(`/ai/recommendations?type=courses&user_id=${school.crowd[0]}`)
    teacher.assertStatus(404)
    const self = await school
      .as('student')
      .get(`/ai/recommendations?type=courses&user_id=${school.people.student.id}`)
    self.assertStatus(200)
    for (const query of [
      'type=cars',
      'type=courses&limit=0',
      'type=courses&limit=1000',
      'type=courses&user_id=x',
    ]) {
      const bad = await school.as('student').get(`/ai/recommendations?${query}`)
      bad.assertStatus(400)
      assert.equal(bad.body().error.code, 'ERR_VALIDATION')
    }
    const anonymous = await school.as('anonymous').get('/ai/recommendations?type=courses')
    anonymous.assertStatus(401)
  })
})

test.group('AI: bring your own model', () => {
  const model = {
    features: ['a', 'b', 'c', 'd', 'e'],
    mean: [0, 0, 0, 0, 0],
    scale: [1, 1, 1, 1, 1],
    weights: [4, 0.5, 1, 0.5, 0.2],
    bias: -3,
  }
  const io = (input = 'features') => ({
    inputs: [{ name: input, type: 'float', shape: ['n', 5] }],
    outputs: [
      { name: 'probability', type: 'float' },
      { name: 'contributions', type: 'float' },
    ],
  })
  const upload = (school: AiSchool, declared: object, bytes: Uint8Array) =>
    school
      .as('head')
      .post('/ai/models')
      .field('kind', 'plagiarism')
      .field('io', JSON.stringify(declared))
      .file('file', Buffer.from(bytes), { filename: 'scorer.onnx' })

  test('an uploaded ONNX model is validated by loading and probing it, then promoted like a trained one', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const bytes = logisticModelGraph(model)
    const wrongName = await upload(school, io('x'), bytes)
    wrongName.assertStatus(422)
    assert.equal(wrongName.body().error.code, 'ERR_AI_MODEL_INVALID')
    const wrongShape = await upload(
      school,
      { ...io(), inputs: [{ name: 'features', type: 'float', shape: ['n', 3] }] },
      bytes
    )
    wrongShape.assertStatus(422)
    const notJson = await school
      .as('head')
      .post('/ai/models')
      .field('kind', 'plagiarism')
      .field('io', '{oops')
      .file('file', Buffer.from(bytes), { filename: 'scorer.onnx' })
    notJson.assertStatus(400)

    const accepted = await upload(school, io(), bytes)
    accepted.assertStatus(201)
    const candidate = accepted.body().data
    assert.include(candidate, {
      kind: 'plagiarism',
      status: 'candidate',
      source: 'uploaded',
      size_bytes: bytes.byteLength,
    })
    const promoted = await school
      .as('head')
      .post(`/ai/models/plagiarism/${candidate.version}/promote`)
      .json({})
    promoted.assertStatus(200)
    assert.equal(promoted.body().data.status, 'promoted')
  })
})

test.group('AI: model lifecycle', () => {
  test('a worse model is rejected, a failed one never promoted, and the promoted one keeps serving', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const list = () => ok(school.as('head').get('/ai/models?kind=recommendations'))
    const before = await list()
    const promoted = before.find((model: any) => model.status === 'promoted')
    assert.exists(promoted, 'the previous test promoted a model')

    // A candidate measured worse than the promoted one cannot replace it.
    const worse = await school.run(() =>
      registerModel({
        kind: 'recommendations',
        source: 'trained',
        bytes: recommenderModel({
          users: new Float32Array(2),
          items: new Float32Array(2),
          userCount: 2,
          itemCount: 2,
          factors: 1,
        }),
        io: {
          inputs: [
            { name: 'user', type: 'int64', shape: [1] },
            { name: 'exclude', type: 'bool', shape: [1, 2] },
            { name: 'k', type: 'int64', shape: [1], fill: 1 },
          ],
          outputs: [
            { name: 'scores', type: 'float' },
            { name: 'items', type: 'int64' },
          ],
        },
        metrics: { model: { ndcg_at_10: 0.0001 } },
        vocabulary: {
          users: [school.crowd[0], school.crowd[1]],
          items: ['courses:1', 'courses:2'],
        },
        actor: 'test',
      })
    )
    const refused = await school
      .as('head')
      .post(`/ai/models/recommendations/${worse.version}/promote`)
      .json({})
    refused.assertStatus(409)
    assert.equal(refused.body().error.code, 'ERR_AI_NOT_PROMOTABLE')

    // Garbage bytes are refused at upload and recorded as failed, never promotable.
    const upload = await school
      .as('head')
      .post('/ai/models')
      .field('kind', 'plagiarism')
      .field(
        'io',
        JSON.stringify({
          inputs: [{ name: 'features', type: 'float', shape: ['n', 4] }],
          outputs: [{ name: 'probability', type: 'float' }],
        })
      )
      .file('file', Buffer.from('not an onnx model'), { filename: 'model.onnx' })
    upload.assertStatus(422)
    assert.equal(upload.body().error.code, 'ERR_AI_MODEL_INVALID')
    const failed = await ok(school.as('head').get('/ai/models?kind=plagiarism'))
    assert.equal(failed[0].status, 'failed')
    const promoteFailed = await school
      .as('head')
      .post(`/ai/models/plagiarism/${failed[0].version}/promote`)
      .json({})
    promoteFailed.assertStatus(409)

    const after = await list()
    assert.equal(after.find((model: any) => model.status === 'promoted').version, promoted.version)
    assert.equal(after.filter((model: any) => model.status === 'promoted').length, 1)

    // Retraining on the same data measures the same and replaces it atomically (one promoted model).
    const again = await school.run(() => trainModel('recommendations', 'test'))
    assert.isTrue(again.promoted)
    const final = await list()
    assert.equal(final.filter((model: any) => model.status === 'promoted').length, 1)
    assert.equal(final.find((model: any) => model.version === promoted.version).status, 'retired')

    const unknown = await school.as('head').post('/ai/models/weather/1/promote').json({})
    unknown.assertStatus(400)
    assert.equal(unknown.body().error.code, 'ERR_AI_UNKNOWN_KIND')
    const missing = await school.as('head').post('/ai/models/recommendations/999/promote').json({})
    missing.assertStatus(404)
    const student = await school.as('student').get('/ai/models')
    student.assertStatus(403)
  })
})

test.group('AI: inference sessions', () => {
  test('sessions are cached per tenant, kind and version, and the least recently used go past the memory bound', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const models = await school.run(() => listModels('recommendations'))
    const stored = models.filter((model) => model.status !== 'failed')
    assert.isAtLeast(stored.length, 3)
    // Largest first, so that evicting one of the two larger leaves room for the smallest.
    const [a, b, c] = [...stored].sort((x, y) => y.size_bytes - x.size_bytes)
    const rows = await school.db((trx) =>
      trx
        .from('ai_models')
        .whereIn('id', [a.id, b.id, c.id])
        .select('id', 'kind', 'version', 'file_id', 'size_bytes')
    )
    const row = (id: string) => rows.find((r) => String(r.id) === id)!
    const key = (model: { id: string; version: number }) =>
      `${school.tenant.id}:recommendations:${model.version}:${model.id}`
    try {
      limitSessionCache(Number(row(a.id).size_bytes) + Number(row(b.id).size_bytes))
      for (const model of [a, b, a, c])
        await school.run(() =>
          modelSession(school.tenant.id, { ...row(model.id), id: String(model.id) })
        )
      const { keys } = sessionCacheStats()
      // b was the least recently used when c came in.
      assert.include(keys, key(a))
      assert.include(keys, key(c))
      assert.notInclude(keys, key(b))
      const first = await school.run(() =>
        modelSession(school.tenant.id, { ...row(c.id), id: String(c.id) })
      )
      const again = await school.run(() =>
        modelSession(school.tenant.id, { ...row(c.id), id: String(c.id) })
      )
      assert.strictEqual(first.session, again.session)
    } finally {
      limitSessionCache(256 * 1024 * 1024)
    }
  })
})
