/*
 * The gradebook of a 500-student course (plugins/lms/services/gradebook.ts):
 * six graded assignments in three weighted categories, final grades for every
 * student. Seeded through SQL in the tenant's schema, in a tenant that holds
 * four more courses of the same size so that every query has to pick its
 * course. Timed one call after another, in one process, in rounds that
 * alternate the variants, BENCH_RUNS (default 200) rounds:
 * - "Service": `gradebook()`, as the course's teacher, the function
 *   GET /api/v1/lms/courses/:id/gradebook calls;
 * - "HTTP": that route, as the teacher signed in (JWT), from this process;
 * - "Hand-written SQL": one statement that computes the final grades alone,
 *   sent through its own `pg` client: the floor for the same numbers;
 * - "Per-student loop": what a gradebook written the ORM way costs, the roster
 *   then one query per student and the weighting in JavaScript (in every
 *   fifth round).
 * Every variant must give every student the same final percentage, checked
 * against an exact computation in JavaScript before anything is timed.
 */
process.env.LOG_LEVEL ??= 'warn'

import { cpus } from 'node:os'
import pg from 'pg'
import { listen } from '#core/http/listen'
import type { Tenant } from '#core/tenancy/types'
import { cpuWindow, postmasterOf, type CpuUse } from './support/cpu.js'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'
import { summarize, type Summary } from './support/stats.js'

const STUDENTS = 500
const COURSES = 5
/** A multiple of 5 (the loop runs every fifth round). */
const RUNS = Math.ceil((Number(process.env.BENCH_RUNS) || 200) / 5) * 5
/** The loop is 10 to 20 times slower: it runs every fifth round. */
const LOOP_RUNS = Math.ceil(RUNS / 5)
const WARM_UP = 10
const PASSWORD = 'Maple-Syrup-2031'
/*
 * Category maxima of 25, 50 and 100 points keep every ratio a terminating
 * decimal, so PostgreSQL's numeric and the exact check below agree to the cent.
 */
const CATEGORIES = [
  { name: 'Homework', weight: 20 },
  { name: 'Quizzes', weight: 30 },
  { name: 'Exams', weight: 50 },
]
const ASSIGNMENTS = [
  { title: 'Homework 1', category: 'Homework', maxPoints: 10, daysAgo: 40 },
  { title: 'Homework 2', category: 'Homework', maxPoints: 15, daysAgo: 30 },
  { title: 'Quiz 1', category: 'Quizzes', maxPoints: 20, daysAgo: 25 },
  { title: 'Quiz 2', category: 'Quizzes', maxPoints: 30, daysAgo: 15 },
  { title: 'Midterm', category: 'Exams', maxPoints: 40, daysAgo: 10 },
  { title: 'Final exam', category: 'Exams', maxPoints: 60, daysAgo: 2 },
]

/** "87.5" -> 8750n */
function hundredths(value: string | number) {
  const [whole, cents = ''] = String(value).split('.')
  return BigInt(whole) * 100n + BigInt(cents.padEnd(2, '0').slice(0, 2))
}

/** 8750n -> "87.50" */
function formatHundredths(value: bigint) {
  return `${value / 100n}.${String(value % 100n).padStart(2, '0')}`
}

/**
 * The weighted final percentage, exactly: 100 * sum(w * P / M) / sum(w) over
 * the categories with a score, rounded half up to hundredths.
 */
function finalPercent(buckets: Array<{ weight: bigint; points: bigint; max: bigint }>) {
  if (!buckets.length) return null
  const product = buckets.reduce((acc, bucket) => acc * bucket.max, 1n)
  const totalWeight = buckets.reduce((acc, bucket) => acc + bucket.weight, 0n)
  const numerator = buckets.reduce(
    (acc, bucket) => acc + bucket.weight * bucket.points * (product / bucket.max),
    0n
  )
  const denominator = product * totalWeight
  if (denominator === 0n) return null
  // In hundredths of a percent: 100 (percent) * 100 (hundredths) * N / D, half up.
  return formatHundredths((20_000n * numerator + denominator) / (2n * denominator))
}

type Timed = { label: string; ms: number[]; calls: number; cpu: CpuUse }
type Finals = Map<string, string | null>

const oryne = await startOryne('web')
let bare: pg.Pool | undefined

try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb, readTenantDb } = await import('#core/tenancy/tenant_db')
  const { identity } = await import('#core/auth/identity')
  const { principalForRoles } = await import('#core/rbac/authorize')
  const { gradebook } = await import('#plugins/lms/services/gradebook')
  const plugins = await oryne.app.container.make('oryne.plugins')

  const slug = `bench-gradebook-${Date.now().toString(36)}`
  const created = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
  const { tenant } = (await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }
  await plugins.enable(tenant, ['erp', 'lms'], { actor: 'bench' })
  const inTenant = <T>(fn: () => Promise<T>) => tenantContext.run(tenant, fn)

  const email = `teacher@${slug}.example`
  const { user: teacher } = await inTenant(() =>
    identity.tenantUsers.create({ email, role: 'Teacher', password: PASSWORD })
  )

  // The school, through SQL in the tenant's schema: students, courses, enrolments, categories, assignments, grades.
  const seedStarted = performance.now()
  const courseId = await inTenant(() =>
    withTenantDb(async (trx) => {
      const [grade] = await trx
        .insertQuery()
        .table('erp_classes')
        .insert({ name: 'Grade 10', grade_level: 10 })
        .returning('id')
      await trx.rawQuery(
        `INSERT INTO erp_students (enrollment_no, first_name, last_name, class_id)
         SELECT 'G' || lpad(g::text, 5, '0'), 'Pupil', 'No ' || g, ? FROM generate_series(1, ?) g`,
        [grade.id, STUDENTS]
      )
      // Course 1 is the one measured, taught by the teacher; the others are its neighbours in the tables.
      await trx.rawQuery(
        `INSERT INTO lms_courses (code, title, teacher_user_id, status)
         SELECT 'C' || c, 'Course ' || c, CASE WHEN c = 1 THEN ?::uuid END, 'active'
           FROM generate_series(1, ?) c`,
        [teacher.id, COURSES]
      )
      await trx.rawQuery(
        `INSERT INTO lms_enrolments (course_id, student_id, status)
         SELECT c.id, s.id, 'active' FROM lms_courses c CROSS JOIN erp_students s`
      )
      await trx.rawQuery(
        `INSERT INTO lms_grade_categories (course_id, name, weight, position)
         SELECT c.id, x.name, x.weight, x.position
           FROM lms_courses c
          CROSS JOIN json_to_recordset(?::json) AS x(name text, weight numeric, position int)`,
        [JSON.stringify(CATEGORIES.map((category, i) => ({ ...category, position: i + 1 })))]
      )
      await trx.rawQuery(
        `INSERT INTO lms_assignments (course_id, title, due_at, max_points, category_id, status)
         SELECT c.id, a.title, now() - a.days_ago * interval '1 day', a.max_points, k.id, 'published'
           FROM lms_courses c
          CROSS JOIN json_to_recordset(?::json)
                  AS a(title text, category text, max_points numeric, days_ago int)
           JOIN lms_grade_categories k ON k.course_id = c.id AND k.name = a.category`,
        [
          JSON.stringify(
            ASSIGNMENTS.map((a) => ({
              title: a.title,
              category: a.category,
              max_points: a.maxPoints,
              days_ago: a.daysAgo,
            }))
          ),
        ]
      )
      // Every student hands in every assignment; one in seven resubmits, and the latest attempt counts.
      await trx.rawQuery(
        `INSERT INTO lms_submissions (assignment_id, course_id, student_id, attempt, status, submitted_at)
         SELECT a.id, a.course_id, e.student_id, t.attempt, 'graded', now() - interval '1 day'
           FROM lms_assignments a
           JOIN lms_enrolments e ON e.course_id = a.course_id
          CROSS JOIN LATERAL generate_series(1, CASE WHEN (e.student_id + a.id) % 7 = 0 THEN 2 ELSE 1 END) AS t(attempt)`
      )
      // Points from a hash of the submission, 2 decimals; one in five is late and loses 10%.
      await trx.rawQuery(
        `INSERT INTO lms_grades (submission_id, assignment_id, course_id, student_id, attempt,
                                 points, penalty_percent, final_points, released, released_at, graded_at)
         SELECT s.id, s.assignment_id, s.course_id, s.student_id, s.attempt,
                p.points, p.penalty, round(p.points * (100 - p.penalty) / 100, 2), true, now(), now()
           FROM lms_submissions s
           JOIN lms_assignments a ON a.id = s.assignment_id
          CROSS JOIN LATERAL (
            SELECT round(a.max_points * (abs(hashtext(s.id::text)) % 1001) / 1000.0, 2) AS points,
                   CASE WHEN s.id % 5 = 0 THEN 10 ELSE 0 END AS penalty) p`
      )
      await trx.rawQuery('ANALYZE')
      const [first] = await trx.from('lms_courses').where('code', 'C1').select('id')
      return String(first.id)
    })
  )
  const { rows: counted } = await db.rawQuery(
    `SELECT (SELECT count(*) FROM "${tenant.schema_name}".lms_grades)::int AS grades,
            (SELECT count(*) FROM "${tenant.schema_name}".lms_grades WHERE course_id = ?)::int AS course_grades`,
    [courseId]
  )
  console.log(
    `Seeded in ${fixed((performance.now() - seedStarted) / 1000, 1)} s: ${COURSES} courses of ${STUDENTS} students, ` +
      `${ASSIGNMENTS.length} assignments in ${CATEGORIES.length} categories each; ` +
      `${counted[0].course_grades} grades in the measured course, ${counted[0].grades} in the tenant`
  )

  const server = await listen(oryne.app, { host: '127.0.0.1', port: 0 })
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': slug },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  const session = (await login.json()) as { data: { access_token: string } }
  if (login.status !== 200) throw new Error(`Login answered ${login.status}`)
  const headers = { 'x-tenant-id': slug, 'authorization': `Bearer ${session.data.access_token}` }
  const principal = await inTenant(() => principalForRoles('user', teacher.id, ['Teacher']))

  /** The part of the gradebook the benchmark compares. */
  type Book = { students: Array<{ student_id: string; final_percent: string | null }> }
  const finalsOf = (book: Book): Finals =>
    new Map(book.students.map((row) => [row.student_id, row.final_percent]))

  async function viaService(): Promise<Finals> {
    return finalsOf(await inTenant(() => gradebook(courseId, {}, principal)))
  }

  async function viaHttp(): Promise<Finals> {
    const response = await fetch(`${server.url}/api/v1/lms/courses/${courseId}/gradebook`, {
      headers,
    })
    const body = (await response.json()) as { data: Book }
    if (response.status !== 200)
      throw new Error(`The gradebook route answered ${response.status}: ${JSON.stringify(body)}`)
    return finalsOf(body.data)
  }

  // Final grades alone, every assignment in a category: latest attempt, category ratio, weighted mean.
  const schema = tenant.schema_name
  const handWritten = `
    WITH latest AS (
      SELECT DISTINCT ON (g.student_id, g.assignment_id) g.student_id, g.assignment_id, g.final_points
        FROM "${schema}".lms_grades g
       WHERE g.course_id = $1
       ORDER BY g.student_id, g.assignment_id, g.attempt DESC
    ), ratios AS (
      SELECT l.student_id, a.category_id, sum(l.final_points) / sum(a.max_points) AS ratio
        FROM latest l
        JOIN "${schema}".lms_assignments a ON a.id = l.assignment_id AND a.status = 'published'
       GROUP BY l.student_id, a.category_id
    )
    SELECT e.student_id::text AS student_id,
           round(100 * sum(c.weight * r.ratio) / nullif(sum(c.weight), 0), 2)::text AS final_percent
      FROM "${schema}".lms_enrolments e
      LEFT JOIN ratios r ON r.student_id = e.student_id
      LEFT JOIN "${schema}".lms_grade_categories c ON c.id = r.category_id
     WHERE e.course_id = $1 AND e.status IN ('active', 'completed')
     GROUP BY e.student_id`
  bare = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
  const pool = bare
  async function viaHandWrittenSql(): Promise<Finals> {
    const { rows } = await pool.query(handWritten, [courseId])
    return new Map(rows.map((row) => [row.student_id, row.final_percent]))
  }

  /** The ORM way: the roster, the course's assignments and categories, then each student's grades. */
  async function viaPerStudentLoop(): Promise<Finals> {
    return inTenant(() =>
      readTenantDb(async (client, table) => {
        const roster = await client
          .from(table('lms_enrolments', 'e'))
          .where('e.course_id', courseId)
          .whereIn('e.status', ['active', 'completed'])
          .select('e.student_id')
        const assignments = await client
          .from(table('lms_assignments', 'a'))
          .where('a.course_id', courseId)
          .where('a.status', 'published')
          .select('a.id', 'a.max_points', 'a.category_id')
        const categories = await client
          .from(table('lms_grade_categories', 'c'))
          .where('c.course_id', courseId)
          .select('c.id', 'c.weight')
        const byId = new Map(assignments.map((a) => [String(a.id), a]))
        const weights = new Map(categories.map((c) => [String(c.id), hundredths(c.weight)]))
        const finals: Finals = new Map()
        for (const { student_id: studentId } of roster) {
          const grades = await client
            .from(table('lms_grades', 'g'))
            .where('g.course_id', courseId)
            .where('g.student_id', studentId)
            .orderBy('g.attempt', 'desc')
            .select('g.assignment_id', 'g.final_points')
          const latest = new Map<string, string>()
          for (const grade of grades) {
            const key = String(grade.assignment_id)
            if (!latest.has(key)) latest.set(key, grade.final_points)
          }
          const buckets = new Map<string, { weight: bigint; points: bigint; max: bigint }>()
          for (const [assignmentId, points] of latest) {
            const assignment = byId.get(assignmentId)
            if (!assignment) continue
            const category = String(assignment.category_id)
            const bucket = buckets.get(category) ?? {
              weight: weights.get(category) ?? 0n,
              points: 0n,
              max: 0n,
            }
            bucket.points += hundredths(points)
            bucket.max += hundredths(assignment.max_points)
            buckets.set(category, bucket)
          }
          finals.set(String(studentId), finalPercent([...buckets.values()]))
        }
        return finals
      })
    )
  }

  /** The expected grades, straight from the rows: one query, exact arithmetic in JavaScript. */
  async function expectedFinals(): Promise<Finals> {
    const { rows } = await db.rawQuery(
      `SELECT e.student_id::text AS student_id, g.assignment_id::text AS assignment_id,
              g.attempt, g.final_points::text AS final_points, a.max_points::text AS max_points,
              k.weight::text AS weight, k.id::text AS category_id
         FROM "${schema}".lms_enrolments e
         JOIN "${schema}".lms_grades g ON g.student_id = e.student_id AND g.course_id = e.course_id
         JOIN "${schema}".lms_assignments a ON a.id = g.assignment_id
         JOIN "${schema}".lms_grade_categories k ON k.id = a.category_id
        WHERE e.course_id = ?`,
      [courseId]
    )
    const latest = new Map<string, (typeof rows)[number]>()
    for (const row of rows) {
      const key = `${row.student_id}:${row.assignment_id}`
      if (!latest.has(key) || latest.get(key).attempt < row.attempt) latest.set(key, row)
    }
    const perStudent = new Map<
      string,
      Map<string, { weight: bigint; points: bigint; max: bigint }>
    >()
    for (const row of latest.values()) {
      const buckets = perStudent.get(row.student_id) ?? new Map()
      const bucket = buckets.get(row.category_id) ?? {
        weight: hundredths(row.weight),
        points: 0n,
        max: 0n,
      }
      bucket.points += hundredths(row.final_points)
      bucket.max += hundredths(row.max_points)
      buckets.set(row.category_id, bucket)
      perStudent.set(row.student_id, buckets)
    }
    return new Map(
      [...perStudent].map(([student, buckets]) => [student, finalPercent([...buckets.values()])])
    )
  }

  const variants: Array<{ label: string; run: () => Promise<Finals>; runs: number }> = [
    { label: 'Service', run: viaService, runs: RUNS },
    { label: 'HTTP', run: viaHttp, runs: RUNS },
    { label: 'Hand-written SQL', run: viaHandWrittenSql, runs: RUNS },
    { label: 'Per-student loop', run: viaPerStudentLoop, runs: LOOP_RUNS },
  ]

  // Refuse to time anything that does not give every student the expected grade.
  const expected = await expectedFinals()
  if (expected.size !== STUDENTS || [...expected.values()].some((value) => value === null))
    throw new Error(`Expected ${STUDENTS} graded students, found ${expected.size}`)
  for (const { label, run } of variants) {
    const finals = await run()
    const wrong = [...expected].filter(([student, value]) => finals.get(student) !== value)
    if (finals.size !== STUDENTS || wrong.length) {
      throw new Error(
        `${label}: ${finals.size} students, ${wrong.length} differ, e.g. ${JSON.stringify(
          wrong.slice(0, 3).map(([student, value]) => [student, value, finals.get(student)])
        )}`
      )
    }
  }
  const percents = [...expected.values()].map(Number).sort((a, b) => a - b)
  console.log(
    `Checked: the four variants give the same final percentage to all ${STUDENTS} students ` +
      `(from ${percents[0]} to ${percents.at(-1)}, median ${percents[STUDENTS / 2]}).`
  )
  const answer = await fetch(`${server.url}/api/v1/lms/courses/${courseId}/gradebook`, { headers })
  const { byteLength: bytes } = await answer.arrayBuffer()
  console.log(`The route answers ${fixed(bytes / 1024, 0)} KiB of JSON.`)
  console.log(`NODE_ENV=${process.env.NODE_ENV}, LOG_LEVEL=${process.env.LOG_LEVEL}`)
  console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)

  const { rows: backend } = await db.rawQuery('SELECT pg_backend_pid() AS pid')
  const postmasterPid = await postmasterOf(backend[0].pid)
  for (let i = 0; i < WARM_UP; i++) for (const { run } of variants) await run()
  // Rounds alternate the variants (the loop every fifth round), so that drift and other processes weigh on all alike.
  const timings = variants.map(() => [] as number[])
  const rounds = await cpuWindow(postmasterPid)
  for (let round = 0; round < RUNS; round++) {
    for (const [i, { run, runs }] of variants.entries()) {
      if (runs < RUNS && round % (RUNS / runs) !== 0) continue
      const started = performance.now()
      await run()
      timings[i].push(performance.now() - started)
    }
  }
  const during = await rounds.finish()
  /*
   * CPU per call, measured apart: sampling /proc around every timed call
   * would cost more than the calls. Each variant runs a block of a quarter of
   * its timed calls, between two samples.
   */
  const timed: Timed[] = []
  for (const [i, { label, run, runs }] of variants.entries()) {
    const calls = Math.ceil(runs / 4)
    const window = await cpuWindow(postmasterPid)
    for (let call = 0; call < calls; call++) await run()
    timed.push({ label, ms: timings[i], calls, cpu: await window.finish() })
  }

  const summaries = timed.map((t) => summarize(t.ms))
  const baseline = summaries[2]
  const row = (label: string, figure: (s: Summary) => number) => [
    label,
    ...summaries.map((s) => fixed(figure(s), 1)),
  ]
  const ratios = (figure: (s: Summary) => number) =>
    summaries.map((s, i) => (i === 2 ? '1.00' : fixed(figure(s) / figure(baseline), 2)))
  printTable(
    `Gradebook of a ${STUDENTS}-student course (${ASSIGNMENTS.length} assignments, ${CATEGORIES.length} weighted categories), one call at a time`,
    ['', ...timed.map((t) => t.label)],
    [
      ['Runs', ...timed.map((t) => String(t.ms.length))],
      row('p50 (ms)', (s) => s.p50),
      row('p95 (ms)', (s) => s.p95),
      row('mean (ms)', (s) => s.mean),
      ['p50 / hand-written SQL', ...ratios((s) => s.p50)],
      ['p95 / hand-written SQL', ...ratios((s) => s.p95)],
      ['Main thread CPU, ms per call', ...timed.map((t) => fixed(t.cpu.threadMs / t.calls, 1))],
      ['PostgreSQL CPU, ms per call', ...timed.map((t) => fixed(t.cpu.postgresMs / t.calls, 1))],
    ]
  )
  console.log(
    `\nCPU rows: a block of a quarter of each variant's timed calls, run after the timed rounds. ` +
      `During the timed rounds (${fixed(during.wallMs / 1000, 1)} s) the machine was ` +
      `${fixed(100 * during.machineBusy, 0)}% busy (of ${cpus().length} cores), other processes ` +
      `${fixed(100 * during.othersBusy, 0)}%.`
  )
  console.log(`\nLoad average (1 / 5 / 15 min) after: ${loadAverage()}`)
} finally {
  await bare?.end()
  await oryne.stop()
}
