import { test } from '@japa/runner'
import { DEMO_PASSWORD } from '#core/plugins/demo'
import { signedInAs, tenantApi } from '#tests/support/access'
import { activeTenant } from '#tests/support/tenants'
import { demoSchool } from '#tests/support/web'

/*
 * GET /api/v1/app/calendar (docs/web.md, "Calendar"): the signed-in user's
 * entries from every enabled plugin and the school's holidays, for the web
 * app's calendar page; only their own, only at their own school.
 */

const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)

test.group('Web app calendar route', () => {
  test('a teacher gets their classes and the school’s events and holidays, in start order', async ({
    client,
    assert,
  }) => {
    const { tenant, accounts } = await demoSchool()
    const login = await client
      .post('/api/v1/auth/login')
      .header('x-tenant-id', tenant.slug)
      .json({ email: accounts.Teacher, password: DEMO_PASSWORD })
    const teacher = tenantApi(client, tenant, login.body().data.access_token)
    const answer = await teacher.get(`/app/calendar?from=${day(0)}&to=${day(30)}`)
    answer.assertStatus(200)
    const { entries, holidays, from, to } = answer.body().data
    assert.deepEqual([from, to], [day(0), day(30)])
    assert.isTrue(entries.some((entry: any) => entry.kind === 'class' && entry.source === 'erp'))
    assert.isTrue(entries.some((entry: any) => entry.title === 'Sports day'))
    assert.isTrue(holidays.some((holiday: any) => holiday.title.startsWith('Founders day')))
    const starts = entries.map((entry: any) => entry.starts_at)
    assert.deepEqual(starts, [...starts].sort())
    // The events plugin decides who sees an event: the parent-teacher meeting is not a student's.
    assert.isTrue(entries.some((entry: any) => entry.title === 'Parent-teacher meeting'))
    const student = await client
      .post('/api/v1/auth/login')
      .header('x-tenant-id', tenant.slug)
      .json({ email: accounts.Student, password: DEMO_PASSWORD })
    const theirs = await tenantApi(client, tenant, student.body().data.access_token).get(
      `/app/calendar?from=${day(0)}&to=${day(30)}`
    )
    theirs.assertStatus(200)
    const titles = theirs.body().data.entries.map((entry: any) => entry.title)
    assert.include(titles, 'Sports day')
    assert.notInclude(titles, 'Parent-teacher meeting')
  }).timeout(120_000)

  test('bad windows are refused with their codes; another school’s token is not accepted', async ({
    client,
    assert,
  }) => {
    const { tenant } = await demoSchool()
    const token = await signedInAs(tenant, `calendar-bad@${tenant.slug}.example`, ['Student'])
    const api = tenantApi(client, tenant, token)
    const missing = await api.get('/app/calendar?from=2026-01-01')
    missing.assertStatus(400)
    assert.equal(missing.body().error.code, 'ERR_VALIDATION')
    const words = await api.get('/app/calendar?from=tomorrow&to=2026-01-02')
    words.assertStatus(400)
    assert.equal(words.body().error.code, 'ERR_VALIDATION')
    for (const [from, to] of [
      ['2026-01-10', '2026-01-01'],
      ['2026-01-01', '2026-06-01'],
      ['2026-02-30', '2026-03-02'],
    ]) {
      const refused = await api.get(`/app/calendar?from=${from}&to=${to}`)
      refused.assertStatus(400)
      assert.equal(refused.body().error.code, 'ERR_BAD_REQUEST', `${from}..${to}`)
    }
    const anonymous = await client.get('/api/v1/app/calendar').header('x-tenant-id', tenant.slug)
    anonymous.assertStatus(401)

    const elsewhere = await activeTenant()
    const stranger = await signedInAs(elsewhere, `stranger@${elsewhere.slug}.example`, ['Teacher'])
    const crossed = await tenantApi(client, tenant, stranger).get(
      `/app/calendar?from=${day(0)}&to=${day(6)}`
    )
    crossed.assertStatus(401)
  }).timeout(120_000)
})
