/*
 * A plagiarism check (plugins/ai) of a 2,000-word text against 10,000 prior
 * submissions of the tenant (about 400 words each, their fingerprints in
 * ai_fingerprints: winnowed content-key k-grams and sentence sketches), three passages of prior submissions
 * planted in it (two verbatim, one lightly edited). Timed one check after
 * another, BENCH_RUNS (default 30) rounds alternating:
 * - "HTTP": POST /api/v1/ai/plagiarism/check as a teacher (JWT);
 * - "Service": `checkText()`, what the route calls;
 * - "Candidate lookup alone": the fingerprint query that picks the sources
 *   to align (hash index), sent alone: the floor of any check.
 * Before timing, the answer must hold the three planted passages with their
 * exact offsets.
 */
process.env.LOG_LEVEL ??= 'warn'

import { listen } from '#core/http/listen'
import type { Tenant } from '#core/tenancy/types'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'
import { summarize } from './support/stats.js'

const PRIOR = 10_000
const PRIOR_WORDS = 400
const CHECK_WORDS = 2000
const RUNS = Number(process.env.BENCH_RUNS) || 30
const WARM_UP = 3
const PASSWORD = 'Maple-Syrup-2031'

const oryne = await startOryne('web')
try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb } = await import('#core/tenancy/tenant_db')
  const { identity } = await import('#core/auth/identity')
  const { textGenerator } = await import('#plugins/ai/plagiarism/synthetic_text')
  const { analyse } = await import('#plugins/ai/plagiarism/document')
  const { fingerprintsOf } = await import('#plugins/ai/plagiarism/detect')
  const { checkText } = await import('#plugins/ai/services/plagiarism')
  const { AI_DEFAULTS } = await import('#plugins/ai/settings')
  const plugins = await oryne.app.container.make('oryne.plugins')

  const slug = `bench-plag-${Date.now().toString(36)}`
  const created = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
  const { tenant } = (await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }
  await plugins.enable(tenant, ['ai'], { actor: 'bench', withDependencies: true })
  const inTenant = <T>(fn: () => Promise<T>) => tenantContext.run(tenant, fn)
  const email = `teacher@${slug}.example`
  await inTenant(() => identity.tenantUsers.create({ email, role: 'Teacher', password: PASSWORD }))

  const { winnow_k: k, winnow_window: w } = AI_DEFAULTS
  const generator = textGenerator(31)
  const seedStarted = performance.now()
  const priorTexts: string[] = []
  let fingerprintCount = 0
  for (let start = 0; start < PRIOR; start += 500) {
    const batch = Array.from({ length: Math.min(500, PRIOR - start) }, () =>
      generator.text(PRIOR_WORDS)
    )
    priorTexts.push(...batch)
    const rows = batch.map((text, i) => {
      const analysed = analyse(text)
      const fps = fingerprintsOf(analysed, k, w)
      fingerprintCount += fps.length
      return {
        submission_id: start + i + 1,
        course_id: 1 + ((start + i) % 40),
        student_id: start + i + 1,
        text,
        words: analysed.words.length,
        hashes: fps.map((fp) => fp.hash),
        positions: fps.map((fp) => fp.position),
      }
    })
    await inTenant(() =>
      withTenantDb(async (trx) => {
        const inserted = await trx.rawQuery(
          `INSERT INTO ai_plagiarism_sources (kind, submission_id, course_id, student_id, text, words, k)
           SELECT 'submission', r.submission_id, r.course_id, r.student_id, r.text, r.words, ?
             FROM json_to_recordset(?::json) AS r(submission_id bigint, course_id bigint, student_id bigint, text text, words int)
           RETURNING id, submission_id`,
          [k, JSON.stringify(rows.map(({ hashes, positions, ...row }) => row))]
        )
        const idOf = new Map(inserted.rows.map((row: any) => [Number(row.submission_id), row.id]))
        await trx.rawQuery(
          `INSERT INTO ai_fingerprints (source_id, hash, position)
           SELECT r.source_id, unnest(r.hashes), unnest(r.positions)
             FROM json_to_recordset(?::json) AS r(source_id bigint, hashes int[], positions int[])`,
          [
            JSON.stringify(
              rows.map((row) => ({
                source_id: idOf.get(row.submission_id),
                hashes: row.hashes,
                positions: row.positions,
              }))
            ),
          ]
        )
      })
    )
  }
  await inTenant(() =>
    withTenantDb(async (trx) => {
      await trx.rawQuery(
        `INSERT INTO ai_fingerprint_frequency (hash, sources)
         SELECT hash, count(DISTINCT source_id) FROM ai_fingerprints GROUP BY hash`
      )
    })
  )
  // As autovacuum leaves insert-only tables in steady state (PostgreSQL 13+): statistics, and the visibility
  // map the candidate lookup's index-only scan needs to skip the heap. VACUUM runs outside a transaction.
  for (const table of ['ai_plagiarism_sources', 'ai_fingerprints', 'ai_fingerprint_frequency'])
    await db.rawQuery(`VACUUM ANALYZE "${tenant.schema_name}".${table}`)
  console.log(
    `Seeded in ${fixed((performance.now() - seedStarted) / 1000, 1)} s: ${PRIOR} prior submissions of ${PRIOR_WORDS} words, ` +
      `${fingerprintCount} fingerprints (k = ${k}, w = ${w})`
  )

  // The checked text: generated prose with three planted passages.
  const cut = (text: string, from: number, to: number) => text.split(' ').slice(from, to).join(' ')
  const planted = [
    { submission: 17, text: cut(priorTexts[16], 50, 110) },
    { submission: 4242, text: cut(priorTexts[4241], 200, 240) },
    {
      submission: 9001,
      text: cut(priorTexts[9000], 100, 170)
        .split(' ')
        .map((word, i) => (i === 25 ? 'flimwort' : word))
        .join(' '),
    },
  ]
  const filler = (words: number) => generator.text(words)
  const fillerWords = CHECK_WORDS - planted.reduce((sum, p) => sum + p.text.split(' ').length, 0)
  const parts = [
    filler(Math.floor(fillerWords / 4)),
    planted[0].text,
    filler(Math.floor(fillerWords / 4)),
    planted[1].text,
    filler(Math.floor(fillerWords / 4)),
    planted[2].text,
    filler(fillerWords - 3 * Math.floor(fillerWords / 4)),
  ]
  const text = parts.join(' ')

  const server = await listen(oryne.app, { host: '127.0.0.1', port: 0 })
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': slug },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  const session = (await login.json()) as { data: { access_token: string } }
  const headers = {
    'x-tenant-id': slug,
    'authorization': `Bearer ${session.data.access_token}`,
    'content-type': 'application/json',
  }
  type Result = { matches: Array<{ source: { id: string }; start: number; end: number }> }
  async function viaHttp(): Promise<Result> {
    const response = await fetch(`${server.url}/api/v1/ai/plagiarism/check`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ text }),
    })
    const body = (await response.json()) as { data: Result }
    if (response.status !== 200)
      throw new Error(`The route answered ${response.status}: ${JSON.stringify(body)}`)
    return body.data
  }
  const viaService = () => inTenant(() => checkText(text))
  const hashes = [...new Set(fingerprintsOf(analyse(text), k, w).map((fp) => fp.hash))]
  const schema = tenant.schema_name
  const lookup = () =>
    db.rawQuery(
      `SELECT f.source_id, count(*) AS shared
         FROM "${schema}".ai_fingerprints f
        WHERE f.hash = ANY(ARRAY(SELECT q.hash FROM "${schema}".ai_fingerprint_frequency q
                                  WHERE q.hash = ANY(?::int[]) AND q.sources <= ?))
        GROUP BY f.source_id ORDER BY shared DESC, f.source_id LIMIT 60`,
      [hashes, AI_DEFAULTS.plagiarism_common_fingerprint_sources]
    )

  const answer = await viaHttp()
  for (const p of planted) {
    const found = answer.matches.find((m) => m.source.id === String(p.submission))
    if (!found || text.slice(found.start, found.end) !== p.text)
      throw new Error(
        `Planted passage of submission ${p.submission} not found exactly: ${JSON.stringify(answer.matches)}`
      )
  }
  console.log(
    `Checked: the ${analyse(text).words.length}-word text yields ${answer.matches.length} matches, the 3 planted passages at their exact offsets.`
  )
  console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)
  for (let i = 0; i < WARM_UP; i++) {
    await viaHttp()
    await viaService()
    await lookup()
  }
  const timings: number[][] = [[], [], []]
  const variants = [viaHttp, viaService, lookup]
  for (let round = 0; round < RUNS; round++) {
    for (const [i, run] of variants.entries()) {
      const started = performance.now()
      await run()
      timings[i].push(performance.now() - started)
    }
  }
  const labels = [
    'HTTP POST /ai/plagiarism/check',
    'Service checkText()',
    'Candidate lookup alone (SQL)',
  ]
  printTable(
    `Plagiarism check: ${CHECK_WORDS} words against ${PRIOR} prior submissions (${fingerprintCount} fingerprints), one at a time (${RUNS} runs)`,
    ['', 'p50 ms', 'p95 ms', 'mean ms'],
    timings.map((samples, i) => {
      const s = summarize(samples)
      return [labels[i], fixed(s.p50, 1), fixed(s.p95, 1), fixed(s.mean, 1)]
    })
  )
  console.log(`Load average (1 / 5 / 15 min) after: ${loadAverage()}`)
} finally {
  await oryne.stop()
}
