/*
 * Search over 100,000 documents in one tenant (ERP students: enrolment
 * number, first and last name), the goal being p95 <= 30 ms through the API.
 * Queries are a realistic mix: full last names, first + last name, the first
 * letters of a name (as typed), misspelt names (one letter changed) and
 * enrolment numbers. Timed one request after another in one process:
 * - "HTTP": GET /api/v1/search?types=erp.students&q=… as a signed-in tenant
 *   admin (token check, tenant resolution, permission, envelope);
 * - "SQL, GIN indexes": the statements the PostgreSQL driver sends (words,
 *   then misspellings when no word matched), through their own `pg` client;
 * - "SQL, no index" (the baseline): the same statement with index scans
 *   switched off for that session, i.e. what search cost before the GIN
 *   indexes of createSearchIndexes (a full scan computing every document).
 * Every HTTP answer must list the same first page as the SQL.
 */
process.env.LOG_LEVEL ??= 'warn'
process.env.ORYNE_RATE_LIMIT_API ??= 'off'

import pg from 'pg'
import { listen } from '#core/http/listen'
import type { Tenant } from '#core/tenancy/types'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'
import { summarize } from './support/stats.js'

const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS) || 100_000
const QUERIES = Number(process.env.BENCH_RUNS) || 400
const BASELINE_QUERIES = Math.min(40, QUERIES)
const PASSWORD = 'Maple-Syrup-2031'

const FIRST = [
  'Ada',
  'Alan',
  'Amara',
  'Bea',
  'Carlos',
  'Chen',
  'Dara',
  'Elif',
  'Emeka',
  'Farah',
  'Grace',
  'Hana',
  'Ibrahim',
  'Ines',
  'Jonas',
  'Kofi',
  'Lena',
  'Maya',
  'Nadia',
  'Omar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sami',
  'Tomas',
  'Uma',
  'Victor',
  'Wen',
  'Yusuf',
  'Zara',
]
// 300 surnames: 60 stems x 5 endings, so a name matches about 1 in 300 students.
const STEMS = [
  'Adler',
  'Baker',
  'Castell',
  'Dorn',
  'Ellis',
  'Fisher',
  'Garner',
  'Hollis',
  'Ingram',
  'Jarvis',
  'Keller',
  'Lambert',
  'Marlow',
  'Norr',
  'Osborn',
  'Pryce',
  'Quill',
  'Rowan',
  'Sutter',
  'Thorne',
  'Underwood',
  'Vance',
  'Walden',
  'Yates',
  'Zeller',
  'Abbott',
  'Brennan',
  'Calder',
  'Delaney',
  'Everett',
  'Fairfax',
  'Galloway',
  'Hartley',
  'Irving',
  'Jennings',
  'Kendrick',
  'Lockwood',
  'Mercer',
  'Newcombe',
  'Oakley',
  'Penrose',
  'Radcliffe',
  'Sinclair',
  'Talbot',
  'Upton',
  'Vickers',
  'Whitlock',
  'Yardley',
  'Ashby',
  'Blackwood',
  'Cromwell',
  'Dunmore',
  'Eastwood',
  'Fenwick',
  'Grantham',
  'Holloway',
  'Kingsley',
  'Langley',
  'Merriweather',
  'Northcott',
]
const ENDINGS = ['', 'son', 'ton', 'ford', 'by']
const LAST = STEMS.flatMap((stem) => ENDINGS.map((ending) => stem + ending))

/** A deterministic query mix (same queries every run). */
function queries(count: number) {
  let seed = 42
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed % n
  }
  const misspell = (word: string) => {
    const at = 2 + next(word.length - 3)
    return word.slice(0, at) + (word[at] === 'e' ? 'a' : 'e') + word.slice(at + 1)
  }
  const mix = [
    () => LAST[next(LAST.length)],
    () => `${FIRST[next(FIRST.length)]} ${LAST[next(LAST.length)]}`,
    () => LAST[next(LAST.length)].slice(0, 4).toLowerCase(),
    () =>
      misspell(LAST.filter((name) => name.length >= 7)[next(LAST.length / 2)] ?? 'Merriweather'),
    () => `S${String(1 + next(DOCUMENTS)).padStart(6, '0')}`,
  ]
  return Array.from({ length: count }, (_, i) => mix[i % mix.length]())
}

const oryne = await startOryne('web')
let pools: pg.Pool[] = []

try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb, readTenantDb } = await import('#core/tenancy/tenant_db')
  const { identity } = await import('#core/auth/identity')
  const { resourceCatalogOf } = await import('#core/resources/catalog')
  const { documentText, documentVector, prefixTsquery, queryTerms } =
    await import('#core/search/document')
  const { missingSearchIndexes } = await import('#core/search/index_check')
  const plugins = await oryne.app.container.make('oryne.plugins')

  const slug = `bench-search-${Date.now().toString(36)}`
  const created = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
  const { tenant } = (await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }
  await plugins.enable(tenant, ['erp'], { actor: 'bench' })
  const inTenant = <T>(fn: () => Promise<T>) => tenantContext.run(tenant, fn)
  const model = resourceCatalogOf(plugins).get('erp.students')!

  const seedStarted = performance.now()
  await inTenant(() =>
    withTenantDb(async (trx) => {
      await trx.rawQuery(
        `INSERT INTO erp_students (enrollment_no, first_name, last_name, status, gender)
         SELECT 'S' || lpad(g::text, 6, '0'),
                (?::text[])[1 + (g * 7) % ?],
                (?::text[])[1 + (g * 13) % ?],
                (ARRAY['active','active','active','inactive','graduated'])[1 + g % 5],
                (ARRAY['female','male','other'])[1 + g % 3]
           FROM generate_series(1, ?) g`,
        [FIRST, FIRST.length, LAST, LAST.length, DOCUMENTS]
      )
    })
  )
  // As after autovacuum: the GIN pending lists merged, statistics fresh.
  await inTenant(() =>
    readTenantDb((client) => client.rawQuery(`VACUUM ANALYZE "${tenant.schema_name}".erp_students`))
  )
  const problems = await inTenant(() => missingSearchIndexes([model]))
  if (problems.length) throw new Error(`Search indexes are missing: ${JSON.stringify(problems)}`)
  console.log(
    `Seeded ${DOCUMENTS.toLocaleString('en')} students in ${fixed((performance.now() - seedStarted) / 1000, 1)} s; ` +
      `${QUERIES} queries (${BASELINE_QUERIES} for the baseline), ${loadAverage()}`
  )

  const email = `admin@${slug}.example`
  await inTenant(() =>
    identity.tenantUsers.create({ email, role: 'TenantAdmin', password: PASSWORD })
  )
  const server = await listen(oryne.app, { host: '127.0.0.1', port: 0 })
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': slug },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  if (login.status !== 200) throw new Error(`Login answered ${login.status}`)
  const token = ((await login.json()) as { data: { access_token: string } }).data.access_token
  const headers = { 'x-tenant-id': slug, 'authorization': `Bearer ${token}` }

  // The driver's statements for a tenant admin (no row rule), with pg's numbered placeholders:
  // words (prefixes, ts_rank) and, when no word matches, misspellings (trigram similarity).
  const table = `"${tenant.schema_name}".erp_students AS t`
  const statement = (rank: string, match: string) =>
    `SELECT t.id, t.enrollment_no, t.first_name, t.last_name, ${rank} AS score, ` +
    `count(*) OVER () AS total FROM ${table} WHERE ${match} ORDER BY score DESC, t.id LIMIT 20`
  const words = statement(
    `ts_rank(${documentVector(model)}, to_tsquery('simple', $1))`,
    `${documentVector(model)} @@ to_tsquery('simple', $1)`
  )
  const similar = statement(
    `public.word_similarity($1, ${documentText(model)})`,
    `$1 OPERATOR(public.<%) ${documentText(model)}`
  )
  const indexed = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
  const unindexed = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
  pools = [indexed, unindexed]
  const noIndex = await unindexed.connect()
  await noIndex.query('SET enable_bitmapscan = off; SET enable_indexscan = off')
  const viaSql = async (client: pg.Pool | pg.PoolClient, query: string) => {
    const terms = queryTerms(query)
    let result = await client.query(words, [prefixTsquery(terms)])
    if (!result.rows.length) result = await client.query(similar, [terms.join(' ')])
    return result.rows.map((row) => String(row.id))
  }
  const viaHttp = async (query: string) => {
    const response = await fetch(
      `${server.url}/api/v1/search?types=erp.students&per_page=20&q=${encodeURIComponent(query)}`,
      { headers }
    )
    const body = (await response.json()) as { data: Array<{ id: string }> }
    if (response.status !== 200)
      throw new Error(`Search answered ${response.status}: ${JSON.stringify(body)}`)
    return body.data.map((hit) => hit.id)
  }

  const mix = queries(QUERIES)
  if (process.env.BENCH_EXPLAIN)
    for (const query of mix.slice(0, 5)) {
      const terms = queryTerms(query)
      const { rows } = await indexed.query(`EXPLAIN (ANALYZE, BUFFERS) ${words}`, [
        prefixTsquery(terms),
      ])
      console.log(`-- ${query}\n${rows.map((row) => row['QUERY PLAN']).join('\n')}`)
    }
  // The API and the statement must agree before anything is timed.
  let matched = 0
  for (const query of mix.slice(0, 25)) {
    const [api, sql] = [await viaHttp(query), await viaSql(indexed, query)]
    if (api.join() !== sql.join())
      throw new Error(`"${query}": the API listed ${api.join()} but the SQL ${sql.join()}`)
    matched += api.length ? 1 : 0
  }
  if (matched < 20) throw new Error(`Only ${matched} of 25 queries found anything`)

  const time = async (fn: () => Promise<unknown>) => {
    const started = performance.now()
    await fn()
    return performance.now() - started
  }
  for (const query of mix.slice(0, 20)) await viaHttp(query)
  const http: number[] = []
  const sql: number[] = []
  const baseline: number[] = []
  for (const [i, query] of mix.entries()) {
    http.push(await time(() => viaHttp(query)))
    sql.push(await time(() => viaSql(indexed, query)))
    if (i < BASELINE_QUERIES) baseline.push(await time(() => viaSql(noIndex, query)))
  }
  noIndex.release()

  const rows = [
    ['HTTP /api/v1/search', summarize(http)],
    ['SQL, GIN indexes', summarize(sql)],
    ['SQL, no index (baseline)', summarize(baseline)],
  ] as const
  printTable(
    `Search over ${DOCUMENTS.toLocaleString('en')} documents in one tenant, one query at a time`,
    ['variant', 'queries', 'p50 ms', 'p95 ms', 'mean ms'],
    rows.map(([name, s]) => [
      name,
      String(s.count),
      fixed(s.p50, 2),
      fixed(s.p95, 2),
      fixed(s.mean, 2),
    ])
  )
  const p95 = summarize(http).p95
  console.log(
    `HTTP p95 ${fixed(p95, 1)} ms (goal <= 30 ms: ${p95 <= 30 ? 'met' : 'MISSED'}); ` +
      `indexed SQL is ${fixed(summarize(baseline).p50 / summarize(sql).p50, 0)}x faster than no index at p50`
  )
} finally {
  await Promise.all(pools.map((pool) => pool.end()))
  await oryne.stop()
}
