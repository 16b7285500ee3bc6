import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import { DateTime } from 'luxon'
import type { ApiClient } from '@japa/api-client'
import tenancy from '#core/services/tenancy'
import { findJob } from '#core/jobs/define_job'
import { testTenant } from '#core/sdk/testing'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { createInvoice } from '#plugins/erp/index'
import { sendFeeReminders } from '#plugins/erp/jobs/fee_reminders'
import { signedInAs, tenantApi } from '#tests/support/access'
import { PLATFORM_TOKEN } from '#tests/support/tenants'
import { identity } from '#core/auth/identity'

/*
 * ERP fee reminders: the daily sweep (run here in the tenant's context, as the
 * worker does) tells the guardians and the student of every unpaid invoice due
 * within `fee_reminder_days_before` days or overdue, in the tenant's time zone,
 * at most once per invoice and day — checked in their in-app inboxes over HTTP.
 */

const ZONE = 'Pacific/Auckland'

type Family = { parent: string; student: string; otherParent: string }

async function userIdOf(tenant: Tenant, email: string) {
  return tenantContext.run(tenant, async () => (await identity.tenantUsers.find(email)).id)
}

async function create(client: ApiClient, tenant: Tenant, resource: string, body: object) {
  const response = await tenantApi(client, tenant, PLATFORM_TOKEN()).post(`/erp/${resource}`, body)
  if (response.status() !== 201)
    throw new Error(`${resource}: ${response.status()} ${JSON.stringify(response.body())}`)
  return response.body().data
}

async function reminders(client: ApiClient, tenant: Tenant, token: string) {
  const inbox = await tenantApi(client, tenant, token).get('/notifications?per_page=100')
  inbox.assertStatus(200)
  return (inbox.body().data as Array<Record<string, any>>).filter(
    (item) => item.template === 'erp.fee_reminder'
  )
}

/** `hour`:00 on the tenant's calendar day `day` days from today, as an instant. */
function at(day: number, hour: number) {
  return DateTime.now().setZone(ZONE).startOf('day').plus({ days: day, hours: hour }).toJSDate()
}
const localDate = (day: number) => DateTime.now().setZone(ZONE).plus({ days: day }).toISODate()!

test.group('ERP: fee reminders', (group) => {
  let saved: string | undefined
  group.setup(() => {
    // Shorter than the gaps between runs below: a second reminder the same day is stopped by
    // the per-invoice-per-day key in PostgreSQL, not by the short Redis dedup window.
    saved = process.env.ORYNE_NOTIFICATION_DEDUP_SECONDS
    process.env.ORYNE_NOTIFICATION_DEDUP_SECONDS = '1'
    return () => {
      if (saved === undefined) delete process.env.ORYNE_NOTIFICATION_DEDUP_SECONDS
      else process.env.ORYNE_NOTIFICATION_DEDUP_SECONDS = saved
    }
  })
  group.each.timeout(60_000)

  test('guardians and the student are reminded of invoices due soon or overdue, once a day, in the tenant time zone', async ({
    client,
    assert,
  }) => {
    assert.isDefined(findJob('erp.fee_reminders'))
    const created = await testTenant({ plugins: ['erp'] })
    ;(
      await client
        .patch(`/api/v1/platform/tenants/${created.slug}`)
        .bearerToken(PLATFORM_TOKEN())
        .json({ settings: { time_zone: ZONE, currency: 'KES', locale: 'en-KE' } })
    ).assertStatus(200)
    const tenant = await tenancy.registry.findOrFail(created.slug)

    const tokens: Family = {
      parent: await signedInAs(tenant, `mum@${tenant.slug}.example`, ['Parent']),
      student: await signedInAs(tenant, `kit@${tenant.slug}.example`, ['Student']),
      otherParent: await signedInAs(tenant, `dad@${tenant.slug}.example`, ['Parent']),
    }
    const kit = await create(client, tenant, 'students', {
      enrollment_no: 'S-1',
      first_name: 'Kit',
      last_name: 'Marlowe',
      user_id: await userIdOf(tenant, `kit@${tenant.slug}.example`),
    })
    await create(client, tenant, 'guardians', {
      student_id: kit.id,
      name: 'Mum Marlowe',
      user_id: await userIdOf(tenant, `mum@${tenant.slug}.example`),
    })
    const ann = await create(client, tenant, 'students', {
      enrollment_no: 'S-2',
      first_name: 'Ann',
      last_name: 'Hathaway',
    })
    await create(client, tenant, 'guardians', {
      student_id: ann.id,
      name: 'Dad Hathaway',
      user_id: await userIdOf(tenant, `dad@${tenant.slug}.example`),
    })

    const invoice = (studentId: unknown, dueIn: number, amount: number) =>
      tenantContext.run(tenant, () =>
        withTenantDb((trx) =>
          createInvoice(trx, {
            student_id: String(studentId),
            lines: [{ description: 'Term fees', amount }],
            due_on: localDate(dueIn),
            issued_on: localDate(-30),
          })
        )
      )
    const soon = await invoice(kit.id, 2, 1_250_000)
    const overdue = await invoice(kit.id, -3, 300_000)
    const paid = await invoice(kit.id, 1, 50_000)
    await invoice(ann.id, 10, 90_000)
    await create(client, tenant, 'payments', {
      invoice_id: paid.id,
      amount: 50_000,
      method: 'cash',
    })

    const run = (when: Date) => tenantContext.run(tenant, () => sendFeeReminders(when))

    // Before the reminder hour (08:00 in Auckland): nothing yet.
    assert.deepInclude(await run(at(0, 6)), { reminded: 0, waiting: true })
    assert.lengthOf(await reminders(client, tenant, tokens.parent), 0)

    const first = await run(at(0, 9))
    assert.deepEqual(first, { invoices: 2, reminded: 2 })
    const parentInbox = await reminders(client, tenant, tokens.parent)
    assert.lengthOf(parentInbox, 2)
    assert.lengthOf(await reminders(client, tenant, tokens.student), 2)
    // Ann's invoice is due in 10 days (beyond the 3-day horizon): her guardian hears nothing.
    assert.lengthOf(await reminders(client, tenant, tokens.otherParent), 0)
    const text = (number: string) =>
      parentInbox.map((item) => item.body as string).find((body) => body.includes(number))!
    assert.match(
      text(soon.number),
      /^Invoice \S+ for Kit Marlowe \(.*12,500\.00 outstanding\) is due in 2 days\./
    )
    assert.match(
      text(overdue.number),
      /^Invoice \S+ for Kit Marlowe \(.*3,000\.00 outstanding\) is 3 days overdue\./
    )

    // Later the same (Auckland) day: no second reminder.
    await sleep(1100)
    assert.deepEqual(await run(at(0, 15)), { invoices: 2, reminded: 0 })
    assert.lengthOf(await reminders(client, tenant, tokens.parent), 2)

    // Two workers racing on the next day: one reminder per invoice and person all the same.
    await sleep(1100)
    const raced = await Promise.all([run(at(1, 9)), run(at(1, 10))])
    assert.equal(raced[0].reminded + raced[1].reminded, 2)
    assert.lengthOf(await reminders(client, tenant, tokens.parent), 4)
    assert.lengthOf(await reminders(client, tenant, tokens.student), 4)

    // Overdue reminders switched off: only the invoice not yet due is reminded.
    ;(
      await tenantApi(client, tenant, PLATFORM_TOKEN()).patch('/admin/plugins/erp/settings', {
        fee_reminder_overdue: false,
      })
    ).assertStatus(200)
    await sleep(1100)
    assert.deepEqual(await run(at(2, 9)), { invoices: 1, reminded: 1 })
    const latest = (await reminders(client, tenant, tokens.parent))[0]
    assert.include(latest.body, `Invoice ${soon.number}`)
    assert.include(latest.body, 'is due today')
  })
})
