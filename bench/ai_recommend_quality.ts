/*
 * Recommendation quality (plugins/ai) on generated enrolments with a known
 * latent structure: 1,000 students and 200 courses, each with a latent
 * taste vector (8 dimensions) and each course a popularity bias (spread
 * 0.5); a student takes 8-20 courses drawn without replacement with
 * probability proportional to exp(2.5 (taste . course + bias)) (Gumbel top-k), in random
 * order. Per student the last fifth of the courses is the test split; of the
 * rest the last fifth is the validation split the plugin's tuning
 * (training/tuning.ts) chooses the model and hyper-parameters on; the choice
 * is retrained on train + validation and measured on test next to, in the
 * same run: popularity, a plain BPR-MF (32 factors, 40 epochs), and the
 * generating model itself (ranking by the true taste . course + bias), the
 * ceiling, and half of it: the true courses and biases with each student's
 * taste estimated from the courses they took, which is all a model has.
 * BENCH_SEED changes the data (default 5).
 */
process.env.LOG_LEVEL ??= 'warn'

import { startOryne } from './support/oryne.js'
import { fixed, printTable } from './support/report.js'

const USERS = 1000
const ITEMS = 200
const DIMENSIONS = 8
/** How much taste decides over chance (inverse temperature), and how much popularity varies between courses. */
const SHARPNESS = 2.5
const POPULARITY_SPREAD = 0.5
const SETTINGS = { factors: 24, iterations: 10 }

const oryne = await startOryne('console')
try {
  const { seededRandom } = await import('#core/sdk/demo')
  const { chooseRecommender, trainChoice, measure } = await import('#plugins/ai/training/tuning')
  const { trainBpr } = await import('#plugins/ai/training/bpr')
  const { rankingMetrics, topK } = await import('#plugins/ai/training/ranking_metrics')

  const random = seededRandom(Number(process.env.BENCH_SEED) || 5)
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const tastes = Array.from({ length: USERS }, () => Array.from({ length: DIMENSIONS }, gaussian))
  const courses = Array.from({ length: ITEMS }, () => Array.from({ length: DIMENSIONS }, gaussian))
  const bias = Array.from({ length: ITEMS }, () => POPULARITY_SPREAD * gaussian())
  const utility = (u: number, i: number) =>
    tastes[u].reduce((sum, v, d) => sum + v * courses[i][d], 0) / Math.sqrt(DIMENSIONS) + bias[i]

  type Observation = { user: number; item: number; weight: number }
  const train: Observation[] = []
  const fit: Observation[] = []
  const validation = new Map<number, Set<number>>()
  const test = new Map<number, Set<number>>()
  for (let u = 0; u < USERS; u++) {
    const count = 8 + Math.floor(random() * 13)
    const taken = Array.from({ length: ITEMS }, (_, i) => ({
      i,
      key: SHARPNESS * utility(u, i) - Math.log(-Math.log(random())),
    }))
      .sort((a, b) => b.key - a.key)
      .slice(0, count)
      .map(({ i }) => i)
    for (let n = taken.length - 1; n > 0; n--) {
      const m = Math.floor(random() * (n + 1))
      ;[taken[n], taken[m]] = [taken[m], taken[n]]
    }
    const testCount = Math.max(1, Math.floor(count / 5))
    const rest = taken.slice(0, count - testCount)
    const validationCount = Math.max(1, Math.floor(rest.length / 5))
    test.set(u, new Set(taken.slice(count - testCount)))
    validation.set(u, new Set(rest.slice(rest.length - validationCount)))
    for (const item of rest) train.push({ user: u, item, weight: 1 })
    for (const item of rest.slice(0, rest.length - validationCount))
      fit.push({ user: u, item, weight: 1 })
  }

  let started = performance.now()
  const ranked = chooseRecommender(USERS, ITEMS, fit, validation, SETTINGS)
  const tuningSeconds = (performance.now() - started) / 1000
  const chosen = ranked[0]
  const served = measure(trainChoice(chosen.choice, USERS, ITEMS, train), train, test)
  started = performance.now()
  const bpr = measure(trainBpr(USERS, ITEMS, train, { factors: 32 }), train, test)
  const bprSeconds = (performance.now() - started) / 1000

  const seen = new Map<number, Set<number>>()
  const popularity = new Float64Array(ITEMS)
  for (const { user, item } of train) {
    seen.set(user, (seen.get(user) ?? new Set()).add(item))
    popularity[item]++
  }
  const rankWith = (scores: (u: number) => ArrayLike<number>) =>
    rankingMetrics(
      [...test].map(([u, relevant]) => ({
        ranked: topK(scores(u), 10, (item) => seen.get(u)!.has(item)),
        relevant,
      }))
    )
  const popular = rankWith(() => popularity)
  const ceiling = rankWith((u) => Float64Array.from({ length: ITEMS }, (_, i) => utility(u, i)))
  // Half an oracle: the true course vectors and biases, but each student's taste estimated from what they took
  // (the mean of their training courses' vectors, shrunk by one pseudo-course at zero), as a model must.
  const estimatedTaste = rankWith((u) => {
    const taste = new Float64Array(DIMENSIONS)
    for (const i of seen.get(u)!) for (let d = 0; d < DIMENSIONS; d++) taste[d] += courses[i][d]
    const scale = 1 / (seen.get(u)!.size + 1)
    return Float64Array.from(
      { length: ITEMS },
      (_, i) =>
        (SHARPNESS * scale * taste.reduce((sum, v, d) => sum + v * courses[i][d], 0)) /
          Math.sqrt(DIMENSIONS) +
        bias[i]
    )
  })

  console.log(
    `Tuning: ${ranked.length} candidates in ${fixed(tuningSeconds, 1)} s; validation NDCG@10: ` +
      ranked
        .slice(0, 5)
        .map(
          ({ choice, validation: v }) =>
            `${choice.model === 'ease' ? `EASE λ=${choice.lambda}` : `ALS f=${choice.factors} λ=${choice.lambda} α=${choice.alpha}`} ${fixed(v.ndcg_at_10, 3)}`
        )
        .join(', ') +
      ' …'
  )
  const label =
    chosen.choice.model === 'ease'
      ? `Oryne: EASE λ=${chosen.choice.lambda} (chosen)`
      : `Oryne: ALS f=${chosen.choice.factors} λ=${chosen.choice.lambda} α=${chosen.choice.alpha} (chosen)`
  const rows = [
    [label, served],
    ['Popularity', popular],
    [`BPR-MF, 32 factors (${fixed(bprSeconds, 1)} s)`, bpr],
    ['True courses, taste from taken courses', estimatedTaste],
    ['Generating model (ceiling)', ceiling],
  ] as const
  printTable(
    `Recommendations on held-out enrolments: ${USERS} students, ${ITEMS} courses, ${train.length} training enrolments, ${[...test.values()].reduce((s, v) => s + v.size, 0)} test enrolments`,
    ['model', 'NDCG@10', 'precision@10', 'recall@10', '× popularity'],
    rows.map(([name, m]) => [
      name,
      fixed(m.ndcg_at_10, 3),
      fixed(m.precision_at_10, 3),
      fixed(m.recall_at_10, 3),
      fixed(m.ndcg_at_10 / popular.ndcg_at_10, 2),
    ])
  )
  const ratio = served.ndcg_at_10 / popular.ndcg_at_10
  const gap = ceiling.ndcg_at_10 - served.ndcg_at_10
  console.log(
    `Targets: NDCG@10 ≥ 2.2× popularity (${fixed(ratio, 2)}×: ${ratio >= 2.2 ? 'met' : 'MISSED'}), ` +
      `within 0.1 of the generating model (${fixed(gap, 3)}: ${gap <= 0.1 ? 'met' : 'MISSED'}).`
  )
} finally {
  await oryne.stop()
}
