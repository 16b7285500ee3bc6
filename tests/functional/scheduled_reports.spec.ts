import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { parse } from 'csv-parse/sync'
import { DateTime } from 'luxon'
import jobs from '#core/services/jobs'
import type { BullDriver } from '#core/jobs/bull_driver'
import { tenantContext } from '#core/tenancy/context'
import { reportSubscriptionJob } from '#core/reports/subscriptions'
import { api, fetchBytes, openSchool, type School } from '#tests/support/reports_school'

/*
 * Scheduled reports: a tenant admin subscribes someone to an export or a
 * dashboard digest on a cron schedule in the tenant's time zone; each run
 * (here: the scheduled job, run in the tenant's context as the worker would)
 * makes the report as its recipient and leaves it in their in-app inbox.
 */

const ZONE = 'Africa/Nairobi'

/** One run of the scheduled job, in the tenant's context. */
function runScheduled(school: School, subscriptionId: string) {
  return tenantContext.run(school.tenant, () =>
    reportSubscriptionJob.handle(
      { subscription_id: subscriptionId },
      { tenantId: school.tenant.id, jobId: 'test', attempt: 1, logger: console as any }
    )
  )
}

/** The repeatable jobs of the reports queue (bull keeps them in Redis). */
async function repeatable() {
  return (jobs.driver as BullDriver).queue('reports').getRepeatableJobs()
}

async function inbox(client: ApiClient, school: School, who: 'admin' | 'staff' | 'teacher') {
  const response = await api(client, school, who, 'get', '/notifications')
  response.assertStatus(200)
  return response.body().data as Array<Record<string, any>>
}

test.group('Scheduled reports', (group) => {
  let opening: Promise<School> | undefined
  const ready = (client: ApiClient) =>
    (opening ??= openSchool(client, { plugins: ['erp'], settings: { time_zone: ZONE } }))
  group.setup(async () => {
    await jobs.work(['reports'])
  })

  test('the daily 06:00 export reaches the admin in-app, with a link to the file', async ({
    client,
    assert,
  }) => {
    const school = await ready(client)
    const response = await api(
      client,
      school,
      'admin',
      'post',
      '/admin/reports/subscriptions'
    ).json({
      kind: 'export',
      title: 'Active students',
      resource: 'erp.students',
      format: 'csv',
      filters: { status: 'active' },
      cron: '0 6 * * *',
    })
    response.assertStatus(201)
    const subscription = response.body().data
    assert.equal(subscription.time_zone, ZONE)
    assert.equal(subscription.user_id, school.users.admin)
    // 06:00 in Nairobi (UTC+3) is 03:00 UTC, within the next day.
    const next = DateTime.fromISO(subscription.next_run_at, { zone: ZONE })
    assert.equal(next.hour, 6)
    assert.equal(next.minute, 0)
    assert.equal(DateTime.fromISO(subscription.next_run_at, { zone: 'UTC' }).hour, 3)
    assert.isBelow(Date.parse(subscription.next_run_at) - Date.now(), 24 * 3600 * 1000 + 1)

    const scheduled = (await repeatable()).find(
      (job) => job.id === `report-subscription-${subscription.id}`
    )
    assert.deepInclude(scheduled, { name: 'core.report_subscription', cron: '0 6 * * *', tz: ZONE })

    const listed = await api(client, school, 'admin', 'get', '/admin/reports/subscriptions')
    assert.deepEqual(
      listed.body().data.map((item: any) => item.id),
      [subscription.id]
    )

    await runScheduled(school, subscription.id)
    const received = (await inbox(client, school, 'admin')).find(
      (item) => item.template === 'core.report_ready'
    )
    assert.exists(received)
    assert.equal(received!.subject, 'Your report "Active students" is ready')
    assert.equal(received!.data.rows, 3)
    assert.include(received!.body, received!.data.url)
    assert.isAbove(Date.parse(received!.data.expires_at), Date.now() + 6 * 24 * 3600 * 1000)

    const file = await fetchBytes(received!.data.url, { 'x-tenant-id': school.tenant.slug })
    assert.equal(file.status, 200)
    const rows = parse(file.body, { columns: true, bom: true }) as Array<Record<string, string>>
    assert.sameMembers(
      rows.map((row) => row.enrollment_no),
      ['S-001', 'S-002', 'S-003']
    )

    // The export is the recipient's, followed like any other.
    const status = await api(client, school, 'admin', 'get', `/exports/${received!.data.export_id}`)
    status.assertStatus(200)
    assert.equal(status.body().data.status, 'completed')
  })

  test('a digest of the dashboard reaches the user it was set up for, with their figures', async ({
    client,
    assert,
  }) => {
    const school = await ready(client)
    const response = await api(
      client,
      school,
      'admin',
      'post',
      '/admin/reports/subscriptions'
    ).json({
      kind: 'digest',
      title: 'Morning figures',
      user_id: school.users.staff,
      cron: '30 6 * * 1-5',
    })
    response.assertStatus(201)
    await runScheduled(school, response.body().data.id)

    const digest = (await inbox(client, school, 'staff')).find(
      (item) => item.template === 'core.report_digest'
    )
    assert.exists(digest)
    assert.equal(digest!.subject, 'Morning figures')
    assert.include(digest!.body, 'Students by status: active 3')
    assert.include(digest!.body, 'Fee collection')
    assert.deepInclude(digest!.data.stats['erp.enrolments'], { active: 3 })
    // Nothing for the admin who set it up.
    assert.notExists(
      (await inbox(client, school, 'admin')).find((item) => item.template === 'core.report_digest')
    )

    const removed = await api(
      client,
      school,
      'admin',
      'delete',
      `/admin/reports/subscriptions/${response.body().data.id}`
    )
    removed.assertStatus(200)
    assert.notExists(
      (await repeatable()).find(
        (job) => job.id === `report-subscription-${response.body().data.id}`
      )
    )
    // A run queued before the unsubscription finds nothing to send.
    assert.deepEqual(await runScheduled(school, response.body().data.id), {
      skipped: 'unsubscribed',
    })
  })

  test('bad subscriptions are refused with stable codes', async ({ client, assert }) => {
    const school = await ready(client)
    const post = (who: 'admin' | 'teacher', body: object) =>
      api(client, school, who, 'post', '/admin/reports/subscriptions').json(body)

    const cron = await post('admin', { kind: 'digest', cron: 'every morning' })
    cron.assertStatus(400)
    assert.equal(cron.body().error.code, 'ERR_REPORT_SCHEDULE_INVALID')

    const resource = await post('admin', {
      kind: 'export',
      resource: 'erp.nope',
      cron: '0 6 * * *',
    })
    resource.assertStatus(404)
    assert.equal(resource.body().error.code, 'ERR_REPORT_RESOURCE_UNKNOWN')

    const format = await post('admin', {
      kind: 'export',
      resource: 'erp.students',
      format: 'docx',
      cron: '0 6 * * *',
    })
    format.assertStatus(400)
    assert.equal(format.body().error.code, 'ERR_REPORT_FORMAT_UNKNOWN')

    // The recipient must be able to list what they would receive.
    const recipient = await post('admin', {
      kind: 'export',
      resource: 'erp.invoices',
      cron: '0 6 * * *',
      user_id: school.users.teacher,
    })
    recipient.assertStatus(403)
    assert.equal(recipient.body().error.code, 'ERR_FORBIDDEN')

    const teacher = await post('teacher', { kind: 'digest', cron: '0 6 * * *' })
    teacher.assertStatus(403)
    assert.equal(teacher.body().error.code, 'ERR_FORBIDDEN')

    const gone = await api(
      client,
      school,
      'admin',
      'delete',
      '/admin/reports/subscriptions/00000000-0000-4000-8000-000000000000'
    )
    gone.assertStatus(404)
    assert.equal(gone.body().error.code, 'ERR_REPORT_SUBSCRIPTION_NOT_FOUND')

    const listed = await api(client, school, 'admin', 'get', '/admin/reports/subscriptions')
    assert.notInclude(
      listed.body().data.map((item: any) => item.cron),
      'every morning'
    )
  })
})
