import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { listen } from '#core/http/listen'
import { DEMO_PASSWORD, DEMO_PLUGINS } from '#core/plugins/demo'
import { runOryne } from '#tests/support/cli'
import { activeTenant } from '#tests/support/tenants'

const env = () => ({ DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL })

async function seedDemo(slug: string) {
  const result = await runOryne(['tenant', 'seed-demo', slug, '--json'], env(), 180_000)
  return { ...result, body: result.stdout ? JSON.parse(result.stdout) : null }
}

/** A demo account's API, over HTTP: GET `/api/v1<path>` with its token. */
async function signedIn(baseUrl: string, tenant: string, email: string) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': tenant },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  })
  const token = ((await login.json()) as any).data.access_token as string
  return async (path: string) => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      headers: { 'x-tenant-id': tenant, 'authorization': `Bearer ${token}` },
    })
    return { status: response.status, body: (await response.json()) as any }
  }
}

test.group('oryne tenant seed-demo', (group) => {
  group.each.timeout(240_000)

  test('fills a tenant with a small school through every demo plugin, once', async ({
    assert,
    cleanup,
  }) => {
    const tenant = await activeTenant()
    const first = await seedDemo(tenant.slug)
    assert.equal(first.code, 0, first.stderr)
    assert.sameMembers(first.body.enabled, DEMO_PLUGINS)
    assert.sameMembers(first.body.seeded, DEMO_PLUGINS)
    // Dependencies are seeded first.
    assert.equal(first.body.seeded[0], 'erp')
    assert.deepEqual(
      first.body.accounts.map((a: { role: string }) => a.role),
      ['Teacher', 'Student', 'Parent', 'Staff']
    )

    const schema = `"${tenant.schema_name}"`
    const count = async (table: string, where = 'true') =>
      Number(
        (await db.rawQuery(`SELECT count(*) AS n FROM ${schema}.${table} WHERE ${where}`)).rows[0].n
      )
    assert.equal(await count('erp_students'), 200)
    assert.equal(await count('erp_teachers'), 15)
    assert.equal(await count('lms_courses'), 20)
    assert.equal(await count('erp_invoices'), 200)
    assert.isAbove(await count('erp_attendance_marks'), 200)
    assert.isAbove(await count('lms_grades', 'released'), 200)
    // The demo teacher is the teacher of a course; the demo parent is a guardian.
    const teacher = first.body.accounts[0].email
    assert.equal(
      await count(
        'lms_courses c',
        `c.teacher_user_id = (SELECT id FROM ${schema}.users WHERE email = '${teacher}')`
      ),
      2
    )

    // The AI: enrolments are course interactions, student1 gets courses they do not take yet,
    // and the demo teacher's submissions have plagiarism reports only staff of the course may read.
    const accountOf = (role: string) =>
      first.body.accounts.find((a: { role: string }) => a.role === role).email as string
    const student = accountOf('Student')
    assert.equal(
      await count('ai_interactions', "item_type = 'courses'"),
      await count('lms_enrolments', 'student_user_id IS NOT NULL')
    )
    const http = await listen(app, { host: '127.0.0.1', port: 0 })
    cleanup(() => new Promise<void>((resolve) => http.server.close(() => resolve())))
    const asStudent = await signedIn(http.url, tenant.slug, student)
    const recommended = await asStudent('/ai/recommendations?type=courses&limit=5')
    assert.equal(recommended.status, 200, JSON.stringify(recommended.body))
    assert.lengthOf(recommended.body.data.items, 5)
    const own = await db.rawQuery(
      `SELECT course_id::text AS id FROM ${schema}.lms_enrolments
        WHERE student_user_id = (SELECT id FROM ${schema}.users WHERE email = ?)`,
      [student]
    )
    assert.isNotEmpty(own.rows)
    const ownCourses = own.rows.map((row: { id: string }) => row.id)
    for (const item of recommended.body.data.items) assert.notInclude(ownCourses, item.item_id)
    // Named, although the student cannot read a course they have not taken.
    const names = await db.rawQuery(`SELECT id::text AS id, title, code FROM ${schema}.lms_courses`)
    const nameOf = new Map(
      names.rows.map((row: any) => [row.id, `${row.title} (${row.code})`] as [string, string])
    )
    for (const item of recommended.body.data.items)
      assert.equal(item.label, nameOf.get(item.item_id))

    const checked = await db.rawQuery(
      `SELECT s.id::text AS id FROM ${schema}.lms_submissions s
         JOIN ${schema}.lms_courses c ON c.id = s.course_id
        WHERE c.teacher_user_id = (SELECT id FROM ${schema}.users WHERE email = ?)
        ORDER BY s.id LIMIT 1`,
      [teacher]
    )
    const submission = checked.rows[0].id
    const asTeacher = await signedIn(http.url, tenant.slug, teacher)
    const report = await asTeacher(`/ai/plagiarism/reports/${submission}`)
    assert.equal(report.status, 200, JSON.stringify(report.body))
    assert.equal(report.body.data.submission_id, submission)
    assert.isArray(report.body.data.matches)
    const refused = await asStudent(`/ai/plagiarism/reports/${submission}`)
    assert.equal(refused.status, 403)
    assert.equal(refused.body.error.code, 'ERR_FORBIDDEN')

    const again = await seedDemo(tenant.slug)
    assert.equal(again.code, 0, again.stderr)
    assert.deepEqual(again.body.seeded, [])
    assert.sameMembers(
      again.body.skipped.map((s: { plugin: string }) => s.plugin),
      DEMO_PLUGINS
    )
    assert.equal(await count('erp_students'), 200)
    assert.equal(
      await count('ai_interactions', "item_type = 'courses'"),
      await count('lms_enrolments', 'student_user_id IS NOT NULL')
    )
  })

  test('an unknown tenant is refused with its code', async ({ assert }) => {
    const result = await seedDemo('no-such-school')
    assert.equal(result.code, 1)
    assert.equal(
      result.body?.error?.code ?? JSON.parse(result.stderr).error.code,
      'ERR_TENANT_NOT_FOUND'
    )
  })
})
