import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import { createInvoice } from '#plugins/erp/index'
import {
  api,
  created,
  eventually,
  openSchool,
  type School,
  type Who,
} from '#tests/support/reports_school'

/*
 * The dashboard: each module's figures, as far as the caller may see them,
 * served from Redis under tenant-scoped keys and recomputed after the writes
 * that change them.
 */

async function statsOf(client: ApiClient, school: School, who: Who) {
  const response = await api(client, school, who, 'get', '/dashboard')
  response.assertStatus(200)
  return Object.fromEntries(
    response.body().data.stats.map((stat: any) => [stat.key, stat])
  ) as Record<string, any>
}

test.group('Dashboards', () => {
  let opening: Promise<School> | undefined
  const ready = (client: ApiClient) => (opening ??= openSchool(client))

  test('figures are cached, and a write through the API shows in the next read', async ({
    client,
    assert,
  }) => {
    const school = await ready(client)
    const first = await statsOf(client, school, 'admin')
    assert.includeMembers(Object.keys(first), [
      'erp.enrolments',
      'erp.attendance_rate',
      'erp.fee_collection',
      'lms.courses',
      'lms.submissions',
      'lms.grades',
    ])
    assert.deepInclude(first['erp.enrolments'].value, { active: 3, total: 3 })
    assert.isFalse(first['erp.enrolments'].cached)

    const again = await statsOf(client, school, 'admin')
    assert.isTrue(again['erp.enrolments'].cached)
    assert.equal(again['erp.enrolments'].computed_at, first['erp.enrolments'].computed_at)

    await created(
      api(client, school, 'admin', 'post', '/erp/students').json({
        enrollment_no: 'S-004',
        first_name: 'Dara',
        last_name: 'Nwosu',
        class_id: school.classId,
      })
    )
    const after = await eventually(async () => {
      const stats = await statsOf(client, school, 'admin')
      return stats['erp.enrolments'].value.active === 4 ? stats : null
    }, 5_000)
    assert.isFalse(after['erp.enrolments'].cached)
    assert.deepInclude(after['erp.enrolments'].value, { active: 4, total: 4 })
    // Figures the write does not touch stay cached.
    assert.isTrue(after['lms.courses'].cached)
  })

  test('fee collection and attendance follow payments and marks', async ({ client, assert }) => {
    const school = await ready(client)
    const invoice = await tenantContext.run(school.tenant, () =>
      withTenantDb((trx) =>
        createInvoice(trx, {
          student_id: school.students.s2,
          lines: [{ description: 'Tuition', amount: 50_000 }],
          due_on: '2026-12-31',
        })
      )
    )
    // The fees service emits no event per invoice: the payment below is what refreshes the figure.
    const before = await statsOf(client, school, 'staff')
    assert.equal(before['erp.fee_collection'].value.collected, 0)
    await created(
      api(client, school, 'staff', 'post', '/erp/payments').json({
        invoice_id: String(invoice.id),
        amount: 20_000,
        method: 'cash',
      })
    )
    const paid = await eventually(async () => {
      const stats = await statsOf(client, school, 'staff')
      return stats['erp.fee_collection'].value.collected === 20_000 ? stats : null
    }, 5_000)
    assert.deepInclude(paid['erp.fee_collection'].value, {
      billed: 50_000,
      outstanding: 30_000,
      open_invoices: 1,
      currency: 'USD',
    })

    const today = DateTime.now()
      .setZone(school.tenant.settings.time_zone || 'UTC')
      .toISODate()
    const teacherView = await statsOf(client, school, 'teacher')
    assert.isNull(teacherView['erp.attendance_rate'].value.rate)
    for (const [student, status] of [
      [school.students.s1, 'present'],
      [school.students.s2, 'absent'],
      [school.students.s3, 'late'],
    ])
      await created(
        api(client, school, 'teacher', 'post', '/erp/attendance_marks').json({
          student_id: student,
          date: today,
          status,
        })
      )
    const marked = await eventually(async () => {
      const stats = await statsOf(client, school, 'teacher')
      return stats['erp.attendance_rate'].value.marks === 3 ? stats : null
    }, 5_000)
    assert.equal(marked['erp.attendance_rate'].value.rate, 66.7)
  })

  test('each caller sees the figures their permissions allow', async ({ client, assert }) => {
    const school = await ready(client)
    const teacher = Object.keys(await statsOf(client, school, 'teacher'))
    assert.includeMembers(teacher, ['erp.attendance_rate', 'lms.courses', 'lms.grades'])
    assert.notInclude(teacher, 'erp.fee_collection')
    assert.notInclude(teacher, 'erp.enrolments')
    assert.deepEqual(await statsOf(client, school, 'student'), {})
    assert.deepEqual(await statsOf(client, school, 'parent'), {})
  })

  test("a second tenant never sees the first one's numbers; cache keys carry the tenant", async ({
    client,
    assert,
  }) => {
    const first = await ready(client)
    const second = await openSchool(client, { plugins: ['erp'] })
    await api(client, second, 'admin', 'patch', `/erp/students/${second.students.s3}`).json({
      status: 'graduated',
    })
    const mine = await statsOf(client, first, 'admin')
    const theirs = await eventually(async () => {
      const stats = await statsOf(client, second, 'admin')
      return stats['erp.enrolments'].value.graduated === 1 ? stats : null
    }, 5_000)
    assert.deepInclude(theirs['erp.enrolments'].value, { active: 2, graduated: 1, total: 3 })
    assert.notEqual(mine['erp.enrolments'].value.total, theirs['erp.enrolments'].value.total)
    assert.notProperty(theirs, 'lms.courses')

    const redis = (await app.container.make('oryne.redis')).shared()
    const keys = await redis.keys('t:*:dashboard:*')
    assert.isNotEmpty(keys.filter((key) => key.startsWith(`t:{${first.tenant.id}}:dashboard:`)))
    assert.isNotEmpty(keys.filter((key) => key.startsWith(`t:{${second.tenant.id}}:dashboard:`)))
    for (const key of keys) assert.match(key, /^t:[^:]+:dashboard:(value|generation):/)
  })
})
