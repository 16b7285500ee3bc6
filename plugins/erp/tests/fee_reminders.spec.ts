import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import { DateTime } from 'luxon'
import { created, openSchool, registeredJob, type School } from '@oryne/sdk/testing'
import { createInvoice } from '../index.js'
import { sendFeeReminders } from '../jobs/fee_reminders.js'

/*
 * ERP fee reminders: the daily sweep (run here in the tenant's context, as the
 * worker does) tells the guardians and the student of every unpaid invoice due
 * within `fee_reminder_days_before` days or overdue, in the tenant's time zone,
 * at most once per invoice and day — checked in their in-app inboxes over HTTP.
 */

const ZONE = 'Pacific/Auckland'

type Who = 'mum' | 'kit' | 'dad'

async function reminders(school: School<Who>, who: Who) {
  const inbox = await school.as(who).get('/notifications?per_page=100')
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
    assert.isDefined(registeredJob('erp.fee_reminders'))
    const school = await openSchool(client, {
      plugins: ['erp'],
      people: { mum: 'Parent', kit: 'Student', dad: 'Parent' },
    })
    const zoned = await school
      .as('platform')
      .patch(`/platform/tenants/${school.tenant.slug}`)
      .json({ settings: { time_zone: ZONE, currency: 'KES', locale: 'en-KE' } })
    zoned.assertStatus(200)
    await school.reload()
    const create = (resource: string, body: object) =>
      created(school.as('platform').post(`/erp/${resource}`).json(body))

    const kit = await create('students', {
      enrollment_no: 'S-1',
      first_name: 'Kit',
      last_name: 'Marlowe',
      user_id: school.people.kit.id,
    })
    await create('guardians', {
      student_id: kit.id,
      name: 'Mum Marlowe',
      user_id: school.people.mum.id,
    })
    const ann = await create('students', {
      enrollment_no: 'S-2',
      first_name: 'Ann',
      last_name: 'Hathaway',
    })
    await create('guardians', {
      student_id: ann.id,
      name: 'Dad Hathaway',
      user_id: school.people.dad.id,
    })

    const invoice = (studentId: unknown, dueIn: number, amount: number) =>
      school.db((trx) =>
        createInvoice(trx, {
          student_id: String(studentId),
          lines: [{ description: 'Term fees', amount }],
          due_on: localDate(dueIn),
          issued_on: localDate(-30),
        })
      )
    const soon = await invoice(kit.id, 2, 1_250_000)
    const overdue = await invoice(kit.id, -3, 300_000)
    const paid = await invoice(kit.id, 1, 50_000)
    await invoice(ann.id, 10, 90_000)
    await create('payments', {
      invoice_id: paid.id,
      amount: 50_000,
      method: 'cash',
    })

    const run = (when: Date) => school.run(() => sendFeeReminders(when))

    // Before the reminder hour (08:00 in Auckland): nothing yet.
    assert.deepInclude(await run(at(0, 6)), { reminded: 0, waiting: true })
    assert.lengthOf(await reminders(school, 'mum'), 0)

    const first = await run(at(0, 9))
    assert.deepEqual(first, { invoices: 2, reminded: 2 })
    const parentInbox = await reminders(school, 'mum')
    assert.lengthOf(parentInbox, 2)
    assert.lengthOf(await reminders(school, 'kit'), 2)
    // Ann's invoice is due in 10 days (beyond the 3-day horizon): her guardian hears nothing.
    assert.lengthOf(await reminders(school, 'dad'), 0)
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
    assert.lengthOf(await reminders(school, 'mum'), 2)

    // Two workers racing on the next day: one reminder per invoice and person all the same.
    await sleep(1100)
    const raced = await Promise.all([run(at(1, 9)), run(at(1, 10))])
    assert.equal(raced[0].reminded + raced[1].reminded, 2)
    assert.lengthOf(await reminders(school, 'mum'), 4)
    assert.lengthOf(await reminders(school, 'kit'), 4)

    // Overdue reminders switched off: only the invoice not yet due is reminded.
    const switched = await school
      .as('platform')
      .patch('/admin/plugins/erp/settings')
      .json({ fee_reminder_overdue: false })
    switched.assertStatus(200)
    await sleep(1100)
    assert.deepEqual(await run(at(2, 9)), { invoices: 1, reminded: 1 })
    const [latest] = await reminders(school, 'mum')
    assert.include(latest.body, `Invoice ${soon.number}`)
    assert.include(latest.body, 'is due today')
  })
})
