/*
 * Recommendations through the API (plugins/ai): a tenant of 10,000 users and
 * 20,000 items (courses, books, products, events), 20 interactions per user,
 * a promoted recommender of 32 factors (random factors: the benchmark times
 * serving, not training). Timed one request after another, BENCH_RUNS
 * (default 500) rounds alternating the variants:
 * - "HTTP": GET /api/v1/ai/recommendations?type=books&limit=10 as the
 *   student signed in (JWT), from this process; its model time is the time
 *   spent inside the ONNX Runtime session during the request;
 * - "Service": `recommend()`, the function the route calls;
 * - "Raw ORT": `session.run` alone on the same model and inputs, the floor.
 * Before timing, the API's answer is checked against a plain TypeScript
 * scoring of the same factors.
 */
process.env.LOG_LEVEL ??= 'warn'

import ort from '#plugins/ai/onnx/runtime'
import { listen } from '#core/http/listen'
import type { Tenant } from '#core/tenancy/types'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'
import { summarize } from './support/stats.js'

const USERS = 10_000
const ITEMS = 20_000
const FACTORS = 32
const PER_USER = 20
const RUNS = Number(process.env.BENCH_RUNS) || 500
const WARM_UP = 50
const PASSWORD = 'Maple-Syrup-2031'
const TYPES = ['courses', 'books', 'products', 'events'] as const

const oryne = await startOryne('web')
try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb } = await import('#core/tenancy/tenant_db')
  const { identity } = await import('#core/auth/identity')
  const { principalForRoles } = await import('#core/rbac/authorize')
  const { seededRandom } = await import('#core/sdk/demo')
  const { registerModel, promoteModel } = await import('#plugins/ai/services/registry')
  const { recommend } = await import('#plugins/ai/services/recommendations')
  const { recommenderModel, scoreItems } = await import('#plugins/ai/onnx/recommender_graph')
  const { topK } = await import('#plugins/ai/training/ranking_metrics')
  const plugins = await oryne.app.container.make('oryne.plugins')

  const slug = `bench-ai-${Date.now().toString(36)}`
  const created = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
  const { tenant } = (await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }
  await plugins.enable(tenant, ['ai'], { actor: 'bench', withDependencies: true })
  const inTenant = <T>(fn: () => Promise<T>) => tenantContext.run(tenant, fn)

  const email = `student@${slug}.example`
  const { user: student } = await inTenant(() =>
    identity.tenantUsers.create({ email, role: 'Student', password: PASSWORD })
  )
  const seedStarted = performance.now()
  const items = Array.from(
    { length: ITEMS },
    (_, i) => `${TYPES[i % 4]}:${Math.floor(i / 4) + 1}`
  ).sort()
  const users = await inTenant(() =>
    withTenantDb(async (trx) => {
      await trx.rawQuery(
        `INSERT INTO users (email, name) SELECT 'u' || g || '@bench.example', 'User ' || g FROM generate_series(1, ?) g`,
        [USERS - 1]
      )
      // Every user took PER_USER items, spread over the four types.
      await trx.rawQuery(
        `INSERT INTO ai_interactions (user_id, item_type, item_id, source, occurred_at)
         SELECT u.id, x.item_type, x.item_id, 'bench', now() - (n || ' hours')::interval
           FROM users u
          CROSS JOIN generate_series(1, ?) n
          CROSS JOIN LATERAL (
            SELECT (ARRAY['courses','books','products','events'])[1 + (abs(hashtext(u.id::text || n)) % 4)] AS item_type,
                   (1 + abs(hashtext(n || u.id::text)) % ?)::text AS item_id) x`,
        [PER_USER, ITEMS / 4]
      )
      await trx.rawQuery('ANALYZE')
      const rows = await trx.from('users').orderBy('id').select('id')
      return rows.map((row) => String(row.id))
    })
  )
  const random = seededRandom(1)
  const factors = {
    users: Float32Array.from({ length: USERS * FACTORS }, () => random() - 0.5),
    items: Float32Array.from({ length: ITEMS * FACTORS }, () => random() - 0.5),
    userCount: USERS,
    itemCount: ITEMS,
    factors: FACTORS,
  }
  const bytes = recommenderModel(factors)
  await inTenant(async () => {
    const model = await registerModel({
      kind: 'recommendations',
      source: 'trained',
      bytes,
      io: {
        inputs: [
          { name: 'user', type: 'int64', shape: [1] },
          { name: 'exclude', type: 'bool', shape: [1, ITEMS] },
          { name: 'k', type: 'int64', shape: [1], fill: 1 },
        ],
        outputs: [
          { name: 'scores', type: 'float' },
          { name: 'items', type: 'int64' },
        ],
      },
      metrics: {},
      vocabulary: { users, items },
      actor: 'bench',
    })
    await promoteModel('recommendations', model.version, 'bench')
  })
  console.log(
    `Seeded in ${fixed((performance.now() - seedStarted) / 1000, 1)} s: ${USERS} users, ${ITEMS} items, ` +
      `${USERS * PER_USER} interactions; model ${fixed(bytes.byteLength / 1024 / 1024, 1)} MiB`
  )

  // Time spent inside ONNX Runtime, whoever calls it (the route included).
  const sessionClass = ort.InferenceSession as unknown as { prototype: ort.InferenceSession }
  const original = sessionClass.prototype.run
  let modelMs: number[] | null = null
  sessionClass.prototype.run = async function (this: ort.InferenceSession, ...args: any[]) {
    const started = performance.now()
    const result = await (original as any).apply(this, args)
    modelMs?.push(performance.now() - started)
    return result
  } as typeof original

  const server = await listen(oryne.app, { host: '127.0.0.1', port: 0 })
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': slug },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  const session = (await login.json()) as { data: { access_token: string } }
  const headers = { 'x-tenant-id': slug, 'authorization': `Bearer ${session.data.access_token}` }
  const principal = await inTenant(() => principalForRoles('user', student.id, ['Student']))

  type Answer = Array<{ item_type: string; item_id: string; score: number }>
  async function viaHttp(): Promise<Answer> {
    const response = await fetch(`${server.url}/api/v1/ai/recommendations?type=books&limit=10`, {
      headers,
    })
    const body = (await response.json()) as { data: { items: Answer } }
    if (response.status !== 200) throw new Error(`The route answered ${response.status}`)
    return body.data.items
  }
  const viaService = async () =>
    inTenant(() => recommend(principal, { type: 'books', limit: 10 })).then((r) => r.items)

  // The raw session on the same inputs.
  const raw = await ort.InferenceSession.create(bytes)
  const userRow = users.indexOf(student.id)
  const seenRows = await inTenant(() =>
    withTenantDb((trx) =>
      trx.from('ai_interactions').where('user_id', student.id).select('item_type', 'item_id')
    )
  )
  const seen = new Set(seenRows.map((row) => `${row.item_type}:${row.item_id}`))
  const exclude = Uint8Array.from(items, (item) =>
    !item.startsWith('books:') || seen.has(item) ? 1 : 0
  )
  const feeds = {
    user: new ort.Tensor('int64', BigInt64Array.of(BigInt(userRow)), [1]),
    exclude: new ort.Tensor('bool', exclude, [1, ITEMS]),
    k: new ort.Tensor('int64', BigInt64Array.of(10n), [1]),
  }
  const viaRawOrt = () => original.call(raw, feeds, {})

  // Refuse to time an answer that is not the TypeScript top 10.
  const expected = topK(scoreItems(factors, userRow), 10, (column) => exclude[column] === 1).map(
    (c) => items[c]
  )
  const firstAnswer = await viaHttp()
  const answered = firstAnswer.map((item) => `${item.item_type}:${item.item_id}`)
  if (answered.join() !== expected.join())
    throw new Error(`The API answered ${answered.join()}, TypeScript ranks ${expected.join()}`)
  console.log(
    'Checked: the API answers the TypeScript top 10 of the same factors (seen items and other types excluded).'
  )
  console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)

  for (let i = 0; i < WARM_UP; i++) {
    await viaHttp()
    await viaService()
    await viaRawOrt()
  }
  const http: number[] = []
  const httpModel: number[] = []
  const service: number[] = []
  const rawOrt: number[] = []
  for (let round = 0; round < RUNS; round++) {
    modelMs = []
    let started = performance.now()
    await viaHttp()
    http.push(performance.now() - started)
    httpModel.push(modelMs.reduce((sum, ms) => sum + ms, 0))
    modelMs = null
    started = performance.now()
    await viaService()
    service.push(performance.now() - started)
    started = performance.now()
    await viaRawOrt()
    rawOrt.push(performance.now() - started)
  }
  const rows = [
    ['HTTP request (JWT, tenant, envelope)', http],
    ['  of which model time (ORT run)', httpModel],
    ['Service recommend()', service],
    ['Raw ORT session.run', rawOrt],
  ] as const
  printTable(
    `Recommendations: ${USERS} users x ${ITEMS} items, ${FACTORS} factors, top 10 books, one request at a time (${RUNS} runs)`,
    ['', 'p50 ms', 'p95 ms', 'mean ms'],
    rows.map(([label, samples]) => {
      const s = summarize([...samples])
      return [label, fixed(s.p50, 3), fixed(s.p95, 3), fixed(s.mean, 3)]
    })
  )
  console.log(`Load average (1 / 5 / 15 min) after: ${loadAverage()}`)
  await raw.release()
} finally {
  await oryne.stop()
}
