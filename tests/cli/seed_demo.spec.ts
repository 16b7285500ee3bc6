import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DEMO_PLUGINS } from '#core/plugins/demo'
import { runOryne } from '#tests/support/cli'
import { activeTenant } from '#tests/support/tenants'

const env = () => ({ DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL })

async function seedDemo(slug: string) {
  const result = await runOryne(['tenant', 'seed-demo', slug, '--json'], env(), 180_000)
  return { ...result, body: result.stdout ? JSON.parse(result.stdout) : null }
}

test.group('oryne tenant seed-demo', (group) => {
  group.each.timeout(240_000)

  test('fills a tenant with a small school through every demo plugin, once', async ({ assert }) => {
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

    const again = await seedDemo(tenant.slug)
    assert.equal(again.code, 0, again.stderr)
    assert.deepEqual(again.body.seeded, [])
    assert.sameMembers(
      again.body.skipped.map((s: { plugin: string }) => s.plugin),
      DEMO_PLUGINS
    )
    assert.equal(await count('erp_students'), 200)
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
