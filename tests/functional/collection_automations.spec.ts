import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiClient } from '@japa/api-client'
import jobs from '#core/services/jobs'
import type { BullDriver } from '#core/jobs/bull_driver'
import {
  automationScheduleJob,
  declareAllAutomationSchedules,
} from '#core/collections/automations/runner'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { createUser, PASSWORD } from '#tests/support/auth'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'
import { Receiver, verifiedSignature } from '#tests/support/webhook_receiver'

/*
 * Collection automations (docs/collections.md, "Automations"): a tenant admin
 * sets what happens when a record of a collection is created or updated, or on
 * a schedule — notify a role or a user, call a webhook, set a field, create a
 * record in another collection. Every run is logged with its attempts and
 * retried; a failed run can be retried by hand. Everything through HTTP, with
 * a real local receiver for webhooks and the worker of this process.
 */

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined && value !== false) return value as T
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what}`)
}

const ENV = {
  ORYNE_AUTOMATION_BACKOFF_MS: '100',
  ORYNE_AUTOMATION_ATTEMPTS: '3',
  // The receiver listens on 127.0.0.1, which outbound calls refuse unless allowed.
  ORYNE_OUTBOUND_ALLOW: '127.0.0.1/32',
}
const ZONE = 'Africa/Nairobi'

type Caller = ReturnType<typeof callerOf>

function callerOf(client: ApiClient, tenant: Tenant, token: string) {
  const call = (method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: unknown) => {
    const request = client[method](`/api/v1/${path}`)
      .header('x-tenant-id', tenant.slug)
      .bearerToken(token)
    return body === undefined ? request : ((request as any).json(body) as typeof request)
  }
  return {
    get: (path: string) => call('get', path),
    post: (path: string, body: unknown = {}) => call('post', path, body),
    patch: (path: string, body: unknown) => call('patch', path, body),
    delete: (path: string) => call('delete', path),
  }
}

type School = { tenant: Tenant; admin: Caller; coach: Caller; coachId: string; adminId: string }

async function signIn(client: ApiClient, tenant: Tenant, email: string, role: string) {
  const user = await createUser(tenant, { email, role })
  const response = await client
    .post('/api/v1/auth/login')
    .header('x-tenant-id', tenant.slug)
    .json({ email, password: PASSWORD })
  if (response.status() !== 200) throw new Error(`Sign-in failed: ${response.text()}`)
  return {
    caller: callerOf(client, tenant, response.body().data.access_token),
    id: user.user.id as string,
  }
}

/** A school in Nairobi with its admin and a coach (a role of the school's own). */
async function openSchool(client: ApiClient): Promise<School> {
  const tenant = await activeTenant()
  const zoned = await client
    .patch(`/api/v1/platform/tenants/${tenant.slug}`)
    .bearerToken(PLATFORM_TOKEN())
    .json({ settings: { time_zone: ZONE } })
  zoned.assertStatus(200)
  Object.assign(tenant, { settings: { ...tenant.settings, time_zone: ZONE } })
  const admin = await signIn(client, tenant, `head@${tenant.slug}.example`, 'TenantAdmin')
  ;(await admin.caller.post('admin/roles', { name: 'Coach', permissions: [] })).assertStatus(201)
  const coach = await signIn(client, tenant, `coach@${tenant.slug}.example`, 'Coach')
  return { tenant, admin: admin.caller, adminId: admin.id, coach: coach.caller, coachId: coach.id }
}

let counter = 0

/** A sign-ups collection of its own for each test, so that automations of one test never meet another's. */
async function signups(school: School) {
  const name = `signups_${++counter}`
  const created = await school.admin.post('admin/collections', {
    name,
    label: 'Sports club sign-ups',
    definition: {
      fields: {
        student_name: { type: 'string', required: true },
        sport: { type: 'enum', values: ['football', 'chess'] },
        status: { type: 'enum', values: ['new', 'confirmed'], default: 'new' },
        coach_id: { type: 'reference', target: 'core.users' },
        notes: { type: 'text' },
        kit: { type: 'json' },
      },
      title: 'student_name',
    },
  })
  created.assertStatus(201)
  return name
}

async function automate(school: School, collection: string, body: Record<string, unknown>) {
  const response = await school.admin.post(`admin/collections/${collection}/automations`, body)
  response.assertStatus(201)
  return response.body().data as { id: string; secret?: string; signed: boolean }
}

async function runsOf(school: School, collection: string, automationId: string) {
  const response = await school.admin.get(
    `admin/collections/${collection}/automations/${automationId}/runs`
  )
  response.assertStatus(200)
  return response.body().data as Array<Record<string, any>>
}

/** Waits for the automation's runs to be `count`, all finished, and answers them. */
function finishedRuns(school: School, collection: string, automationId: string, count = 1) {
  return until(`${count} finished run(s)`, async () => {
    const runs = await runsOf(school, collection, automationId)
    return runs.length === count &&
      runs.every((run) => ['succeeded', 'failed'].includes(run.status))
      ? runs
      : undefined
  })
}

async function record(school: School, collection: string, values: Record<string, unknown>) {
  const response = await school.admin.post(`collections/${collection}`, values)
  response.assertStatus(201)
  return response.body().data as Record<string, any>
}

async function inbox(caller: Caller) {
  const response = await caller.get('notifications')
  response.assertStatus(200)
  return (response.body().data as Array<Record<string, any>>).filter(
    (item) => item.template === 'core.collection_automation'
  )
}

const rules = (response: any): string[] =>
  (response.body().error?.details ?? []).map(
    (detail: { field: string; rule: string }) => `${detail.field}:${detail.rule}`
  )

test.group('Collection automations', (group) => {
  let receiver: Receiver
  let opening: Promise<School> | undefined
  const school = (client: ApiClient) => (opening ??= openSchool(client))
  const saved: Record<string, string | undefined> = {}

  group.setup(async () => {
    receiver = await Receiver.start()
    for (const [key, value] of Object.entries(ENV)) {
      saved[key] = process.env[key]
      process.env[key] = value
    }
    await jobs.work(['automations', 'notifications'])
    return async () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
      }
      await receiver.close()
    }
  })
  group.each.timeout(60_000)

  test("a new record notifies a role: the coach finds it in their notifications, filled from the record's fields", async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const collection = await signups(s)
    const automation = await automate(s, collection, {
      name: 'Tell the coaches',
      trigger: { on: 'create' },
      action: {
        type: 'notify',
        to: { role: 'Coach' },
        title: 'New sign-up: {{student_name}}',
        body: '{{ student_name }} wants to play {{sport}} (status {{status}}, #{{id}})',
      },
    })
    assert.isFalse(automation.signed)
    // A value that looks like a placeholder is text: it is never filled in turn.
    const signup = await record(s, collection, { student_name: 'Ada {{sport}}', sport: 'chess' })

    const [run] = await finishedRuns(s, collection, automation.id)
    assert.deepInclude(run, {
      status: 'succeeded',
      attempts: 1,
      record_id: String(signup.id),
      event: `collections.${collection}.created`,
      error: null,
    })
    assert.equal(run.output.notified, 1)

    const [received] = await until('the notification', async () => {
      const items = await inbox(s.coach)
      return items.length ? items : undefined
    })
    assert.equal(received.subject, 'New sign-up: Ada {{sport}}')
    assert.equal(received.body, `Ada {{sport}} wants to play chess (status new, #${signup.id})`)
    // Only the role named: the admin is not a coach.
    assert.lengthOf(await inbox(s.admin), 0)
  })

  test('what an automation names is checked on save: unknown fields, roles and collections are 422 with a detail each', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const collection = await signups(s)
    const path = `admin/collections/${collection}/automations`

    const unknown = await s.admin.post(path, {
      name: 'Broken',
      trigger: { on: 'update', field: 'grade', when: { field: 'level', equals: 3 } },
      action: {
        type: 'notify',
        to: { role: 'Headmaster' },
        title: 'About {{nickname}}',
        // Not a field, though every object has it.
        body: '{{student_name}} {{constructor}}',
      },
    })
    unknown.assertStatus(422)
    assert.equal(unknown.body().error.code, 'ERR_AUTOMATION_INVALID')
    assert.sameMembers(rules(unknown), [
      'trigger.field:unknown_field',
      'trigger.when.field:unknown_field',
      'action.to.role:unknown_role',
      'action.title:unknown_field',
      'action.body:unknown_field',
    ])

    const elsewhere = await s.admin.post(path, {
      name: 'Copy',
      trigger: { on: 'create' },
      action: { type: 'create_record', collection: 'nowhere', values: { title: '{{nope}}' } },
    })
    elsewhere.assertStatus(422)
    assert.sameMembers(rules(elsewhere), [
      'action.collection:unknown_collection',
      'action.values.title:unknown_field',
    ])

    const mistyped = await s.admin.post(path, {
      name: 'Wrong values',
      trigger: { on: 'update', when: { field: 'sport', equals: 'rugby' } },
      action: { type: 'set_field', field: 'status', value: 'maybe' },
    })
    mistyped.assertStatus(422)
    assert.sameMembers(rules(mistyped), ['trigger.when.equals:type', 'action.value:type'])

    const json = await s.admin.post(path, {
      name: 'Kit check',
      trigger: { on: 'schedule', every: 'day', when: { field: 'kit', equals: 'boots' } },
      action: { type: 'webhook', url: receiver.url('/kit') },
    })
    json.assertStatus(422)
    assert.deepEqual(rules(json), ['trigger.when.field:not_comparable'])

    const notUser = await s.admin.post(path, {
      name: 'Tell the student',
      trigger: { on: 'create' },
      action: { type: 'notify', to: { user_field: 'notes' }, title: 'x', body: 'y' },
    })
    notUser.assertStatus(422)
    assert.deepEqual(rules(notUser), ['action.to.user_field:not_user_reference'])

    const shape = await s.admin.post(path, {
      name: 'Odd',
      trigger: { on: 'delete' },
      action: { type: 'set_field', field: 'status', value: { nested: true } },
    })
    shape.assertStatus(400)
    assert.equal(shape.body().error.code, 'ERR_VALIDATION')
    assert.sameMembers(rules(shape), ['trigger.on:enum', 'action.value:required'])

    const schedule = await s.admin.post(path, {
      name: 'Late',
      trigger: { on: 'schedule', every: 'day', at: '25:00' },
      action: { type: 'webhook', url: 'ftp://example.com/x' },
    })
    schedule.assertStatus(400)
    assert.deepEqual(rules(schedule), ['trigger.at:regex'])

    const missing = await s.admin.post('admin/collections/nothing_here/automations', {
      name: 'x',
      trigger: { on: 'create' },
      action: { type: 'webhook', url: receiver.url('/x') },
    })
    missing.assertStatus(404)
    assert.equal(missing.body().error.code, 'ERR_COLLECTION_NOT_FOUND')

    // Only who manages collections: a coach may not.
    const forbidden = await s.coach.get(path)
    forbidden.assertStatus(403)
    assert.equal(forbidden.body().error.code, 'ERR_FORBIDDEN')

    const listed = await s.admin.get(path)
    listed.assertStatus(200)
    assert.lengthOf(listed.body().data, 0)
  })

  test('an update of the field it watches calls the webhook, signed, with the event; other updates do not', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const collection = await signups(s)
    const automation = await automate(s, collection, {
      name: 'Confirmations to the club system',
      trigger: { on: 'update', field: 'status' },
      action: { type: 'webhook', url: receiver.url('/confirmed') },
    })
    assert.isTrue(automation.signed)
    assert.match(automation.secret!, /^whsec_/)
    const shown = await s.admin.get(`admin/collections/${collection}/automations/${automation.id}`)
    shown.assertStatus(200)
    assert.notProperty(shown.body().data, 'secret')

    const signup = await record(s, collection, { student_name: 'Grace', sport: 'football' })
    const records = `collections/${collection}/${signup.id}`
    ;(await s.admin.patch(records, { notes: 'brings boots' })).assertStatus(200)
    ;(await s.admin.patch(records, { status: 'confirmed' })).assertStatus(200)

    const [run] = await finishedRuns(s, collection, automation.id)
    assert.equal(run.status, 'succeeded')
    assert.equal(run.output.status, 200)
    const calls = receiver.on('/confirmed')
    assert.lengthOf(calls, 1)
    assert.isTrue(verifiedSignature(automation.secret!, calls[0]))
    assert.isFalse(verifiedSignature('whsec_other', calls[0]))
    const body = JSON.parse(calls[0].body)
    assert.equal(body.event, `collections.${collection}.updated`)
    assert.equal(body.tenant_id, s.tenant.id)
    assert.equal(body.automation.id, automation.id)
    assert.equal(String(body.data.id), String(signup.id))
    assert.equal(body.data.record.status, 'confirmed')
    assert.deepEqual(body.data.changes.after, { status: 'confirmed' })
  })

  test("set_field updates the record as the system; the automation's own update does not trigger it again", async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const collection = await signups(s)
    const automation = await automate(s, collection, {
      name: 'Stamp every change',
      trigger: { on: 'update' },
      action: { type: 'set_field', field: 'notes', value: 'seen: {{student_name}} ({{status}})' },
    })
    const signup = await record(s, collection, { student_name: 'Alan', sport: 'chess' })
    ;(
      await s.admin.patch(`collections/${collection}/${signup.id}`, { status: 'confirmed' })
    ).assertStatus(200)

    const [run] = await finishedRuns(s, collection, automation.id)
    assert.equal(run.status, 'succeeded')
    const shown = await s.admin.get(`collections/${collection}/${signup.id}`)
    assert.equal(shown.body().data.notes, 'seen: Alan (confirmed)')
    // Its own update would have been a second run (and a third...): none comes.
    await sleep(1000)
    assert.lengthOf(await runsOf(s, collection, automation.id), 1)
  })

  test('set_field with value null empties the field', async ({ client, assert }) => {
    const s = await school(client)
    const collection = await signups(s)
    const automation = await automate(s, collection, {
      name: 'Clear the notes once confirmed',
      trigger: { on: 'update', when: { field: 'status', equals: 'confirmed' } },
      action: { type: 'set_field', field: 'notes', value: null },
    })
    const signup = await record(s, collection, {
      student_name: 'Ada',
      sport: 'chess',
      notes: 'call home first',
    })
    ;(
      await s.admin.patch(`collections/${collection}/${signup.id}`, { status: 'confirmed' })
    ).assertStatus(200)
    const [run] = await finishedRuns(s, collection, automation.id)
    assert.equal(run.status, 'succeeded')
    const shown = await s.admin.get(`collections/${collection}/${signup.id}`)
    assert.isNull(shown.body().data.notes)
  })

  test('create_record adds a record to another collection, placeholders keeping their type', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const collection = await signups(s)
    const rota = `rota_${++counter}`
    ;(
      await s.admin.post('admin/collections', {
        name: rota,
        label: 'Volunteer rota',
        definition: {
          fields: {
            title: { type: 'string', required: true },
            signup_ref: { type: 'integer' },
            coach_id: { type: 'reference', target: 'core.users' },
            done: { type: 'boolean' },
          },
        },
      })
    ).assertStatus(201)
    const automation = await automate(s, collection, {
      name: 'Rota entry per sign-up',
      trigger: { on: 'create', when: { field: 'sport', equals: 'football' } },
      action: {
        type: 'create_record',
        collection: rota,
        values: {
          title: 'Kit for {{student_name}}',
          signup_ref: '{{id}}',
          coach_id: '{{coach_id}}',
          done: false,
        },
      },
    })
    const chess = await record(s, collection, { student_name: 'Kasparov', sport: 'chess' })
    const football = await record(s, collection, {
      student_name: 'Pelé',
      sport: 'football',
      coach_id: s.coachId,
    })

    const [run] = await finishedRuns(s, collection, automation.id)
    assert.deepInclude(run, { record_id: String(football.id), status: 'succeeded', error: null })
    const listed = await s.admin.get(`collections/${rota}`)
    listed.assertStatus(200)
    const rows = listed.body().data as Array<Record<string, any>>
    assert.lengthOf(rows, 1)
    assert.deepInclude(rows[0], {
      title: 'Kit for Pelé',
      signup_ref: Number(football.id),
      coach_id: s.coachId,
      done: false,
    })
    assert.equal(run.output.id, String(rows[0].id))
    assert.notEqual(run.record_id, String(chess.id))
  })

  test('two collections creating records in each other stop after a chain of three automations', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const [ping, pong] = [`ping_${++counter}`, `pong_${++counter}`]
    for (const name of [ping, pong])
      (
        await s.admin.post('admin/collections', {
          name,
          label: name,
          definition: { fields: { label: { type: 'string', required: true } } },
        })
      ).assertStatus(201)
    const toPong = await automate(s, ping, {
      name: 'ping → pong',
      trigger: { on: 'create' },
      action: { type: 'create_record', collection: pong, values: { label: '{{label}}>pong' } },
    })
    const toPing = await automate(s, pong, {
      name: 'pong → ping',
      trigger: { on: 'create' },
      action: { type: 'create_record', collection: ping, values: { label: '{{label}}>ping' } },
    })
    await record(s, ping, { label: 'serve' })

    await finishedRuns(s, ping, toPong.id, 2)
    await finishedRuns(s, pong, toPing.id, 1)
    await sleep(1000)
    const labels = async (name: string) =>
      (
        (await s.admin.get(`collections/${name}?sort=id`)).body().data as Array<{ label: string }>
      ).map((row) => row.label)
    assert.deepEqual(await labels(ping), ['serve', 'serve>pong>ping'])
    assert.deepEqual(await labels(pong), ['serve>pong', 'serve>pong>ping>pong'])
    assert.lengthOf(await runsOf(s, ping, toPong.id), 2)
    assert.lengthOf(await runsOf(s, pong, toPing.id), 1)
  })

  test('a failing webhook: the run is retried, then failed with its error; the admin retries it and it succeeds', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const collection = await signups(s)
    receiver.answer('/flaky', 500, 500, 500)
    const automation = await automate(s, collection, {
      name: 'Flaky receiver',
      trigger: { on: 'create' },
      action: { type: 'webhook', url: receiver.url('/flaky') },
    })
    await record(s, collection, { student_name: 'Linus' })

    const [failed] = await finishedRuns(s, collection, automation.id)
    assert.deepInclude(failed, { status: 'failed', attempts: 3 })
    assert.include(failed.error, 'answered 500')
    assert.lengthOf(receiver.on('/flaky'), 3)
    const path = `admin/collections/${collection}/automations/${automation.id}/runs/${failed.id}/retry`

    const retried = await s.admin.post(path)
    retried.assertStatus(202)
    assert.equal(retried.body().data.status, 'pending')
    const [done] = await until('the retried run to succeed', async () => {
      const runs = await runsOf(s, collection, automation.id)
      return runs[0].status === 'succeeded' ? runs : undefined
    })
    assert.deepInclude(done, { id: failed.id, status: 'succeeded', attempts: 4, error: null })
    assert.lengthOf(receiver.on('/flaky'), 4)

    // Only a failed run is retried by hand; an unknown run is 404.
    const again = await s.admin.post(path)
    again.assertStatus(409)
    assert.equal(again.body().error.code, 'ERR_AUTOMATION_RUN_NOT_FAILED')
    // A run left `running` by a worker that died: refused while it may still be running, retried once stuck.
    const leave = (startedAt: Date) =>
      tenantContext.run(s.tenant, () =>
        withTenantDb((trx) =>
          trx
            .from('collection_automation_runs')
            .where('id', failed.id)
            .update({ status: 'running', started_at: startedAt })
        )
      )
    await leave(new Date())
    ;(await s.admin.post(path)).assertStatus(409)
    await leave(new Date(Date.now() - 3600_000))
    ;(await s.admin.post(path)).assertStatus(202)
    await until('the stuck run to succeed', async () => {
      const [latest] = await runsOf(s, collection, automation.id)
      return latest.status === 'succeeded' && latest.attempts === 5 ? latest : undefined
    })
    assert.lengthOf(receiver.on('/flaky'), 5)

    const unknown = await s.admin.post(
      `admin/collections/${collection}/automations/${automation.id}/runs/999999/retry`
    )
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'ERR_AUTOMATION_RUN_NOT_FOUND')
  })

  test('a disabled automation does not run; enabled again it does', async ({ client, assert }) => {
    const s = await school(client)
    const collection = await signups(s)
    const automation = await automate(s, collection, {
      name: 'Paused',
      enabled: false,
      trigger: { on: 'create' },
      action: { type: 'webhook', url: receiver.url('/paused') },
    })
    await record(s, collection, { student_name: 'Off' })
    await sleep(500)
    assert.lengthOf(await runsOf(s, collection, automation.id), 0)

    const enabled = await s.admin.patch(
      `admin/collections/${collection}/automations/${automation.id}`,
      { enabled: true }
    )
    enabled.assertStatus(200)
    assert.isTrue(enabled.body().data.enabled)
    await record(s, collection, { student_name: 'On' })
    const [run] = await finishedRuns(s, collection, automation.id)
    assert.equal(run.status, 'succeeded')
    assert.lengthOf(receiver.on('/paused'), 1)
    assert.equal(JSON.parse(receiver.on('/paused')[0].body).data.record.student_name, 'On')
  })

  test("a daily schedule in the school's time zone runs once per record meeting `when`, notifying each record's coach", async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const collection = await signups(s)
    const automation = await automate(s, collection, {
      name: 'Morning reminder of new sign-ups',
      trigger: {
        on: 'schedule',
        every: 'day',
        at: '06:30',
        when: { field: 'status', equals: 'new' },
      },
      action: {
        type: 'notify',
        to: { user_field: 'coach_id' },
        title: 'Still new: {{student_name}}',
        body: 'Confirm {{student_name}} for {{sport}}',
      },
    })
    const key = `collection-automation-${s.tenant.id}-${automation.id}`
    const repeatable = async () =>
      (await (jobs.driver as BullDriver).queue('automations').getRepeatableJobs()).find(
        (job) => job.id === key
      )
    assert.deepInclude(await repeatable(), {
      name: 'core.collection_automation_schedule',
      cron: '30 6 * * *',
      tz: ZONE,
    })

    const waiting = await record(s, collection, {
      student_name: 'Marie',
      sport: 'chess',
      coach_id: s.coachId,
    })
    await record(s, collection, {
      student_name: 'Done already',
      status: 'confirmed',
      coach_id: s.coachId,
    })
    // The tick the worker runs at 06:30 in Nairobi, run now in the tenant's context.
    const tick = () =>
      tenantContext.run(s.tenant, () =>
        automationScheduleJob.handle(
          { automation_id: automation.id, cron: '30 6 * * *', tz: ZONE },
          { tenantId: s.tenant.id, jobId: 'test', attempt: 1, logger: console as any }
        )
      )
    await tick()

    const [run] = await finishedRuns(s, collection, automation.id)
    assert.deepInclude(run, {
      status: 'succeeded',
      record_id: String(waiting.id),
      event: `collections.${collection}.schedule`,
    })
    const items = await until('the reminder', async () => {
      const list = (await inbox(s.coach)).filter((item) => item.subject.startsWith('Still new'))
      return list.length ? list : undefined
    })
    assert.deepEqual(
      items.map((item) => item.body),
      ['Confirm Marie for chess']
    )
    const shown = await s.admin.get(`admin/collections/${collection}/automations/${automation.id}`)
    assert.isNotNull(shown.body().data.last_scheduled_at)

    // Disabled: the schedule is removed, and a tick already queued does nothing.
    ;(
      await s.admin.patch(`admin/collections/${collection}/automations/${automation.id}`, {
        enabled: false,
      })
    ).assertStatus(200)
    assert.isUndefined(await repeatable())
    await tick()
    assert.lengthOf(await runsOf(s, collection, automation.id), 1)
  })

  test('changing the schedule replaces it; a lost schedule is declared again; without `when` a tick runs once; removing the automation removes its schedule', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const collection = await signups(s)
    const path = `admin/collections/${collection}/automations`
    const automation = await automate(s, collection, {
      name: 'Digest to the club system',
      trigger: { on: 'schedule', every: 'hour', at: '00:15' },
      action: { type: 'webhook', url: receiver.url('/digest') },
    })
    const key = `collection-automation-${s.tenant.id}-${automation.id}`
    const schedules = async () =>
      (await (jobs.driver as BullDriver).queue('automations').getRepeatableJobs())
        .filter((job) => job.id === key)
        .map((job) => job.cron)
    assert.deepEqual(await schedules(), ['15 * * * *'])

    const changed = await s.admin.patch(`${path}/${automation.id}`, {
      trigger: { on: 'schedule', every: 'week', at: '07:00' },
    })
    changed.assertStatus(200)
    assert.deepEqual(changed.body().data.trigger, { on: 'schedule', every: 'week', at: '07:00' })
    assert.deepEqual(await schedules(), ['0 7 * * 1'])

    const tick = (cron: string) =>
      tenantContext.run(s.tenant, () =>
        automationScheduleJob.handle(
          { automation_id: automation.id, cron, tz: ZONE },
          { tenantId: s.tenant.id, jobId: 'test', attempt: 1, logger: console as any }
        )
      )
    // A tick of the hourly schedule that was replaced does nothing.
    await tick('15 * * * *')
    assert.lengthOf(await runsOf(s, collection, automation.id), 0)
    await tick('0 7 * * 1')
    const [run] = await finishedRuns(s, collection, automation.id)
    assert.deepInclude(run, { status: 'succeeded', record_id: null })
    const [call] = receiver.on('/digest')
    assert.equal(JSON.parse(call.body).event, `collections.${collection}.schedule`)
    assert.isNull(JSON.parse(call.body).data.record)

    // Lost from Redis (a restored or cloned tenant, an inline driver restarted): declared again when workers start.
    const queue = (jobs.driver as BullDriver).queue('automations')
    for (const job of await queue.getRepeatableJobs())
      if (job.id === key) await queue.removeRepeatableByKey(job.key)
    assert.deepEqual(await schedules(), [])
    await declareAllAutomationSchedules()
    assert.deepEqual(await schedules(), ['0 7 * * 1'])

    const removed = await s.admin.delete(`${path}/${automation.id}`)
    removed.assertStatus(200)
    assert.deepEqual(removed.body().data, { id: automation.id, deleted: true })
    assert.deepEqual(await schedules(), [])
    const gone = await s.admin.get(`${path}/${automation.id}`)
    gone.assertStatus(404)
    assert.equal(gone.body().error.code, 'ERR_AUTOMATION_NOT_FOUND')
  })

  test("another tenant sees neither the school's automations nor their runs, and its records trigger none of them", async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const collection = await signups(s)
    const automation = await automate(s, collection, {
      name: 'Ours',
      trigger: { on: 'create' },
      action: { type: 'webhook', url: receiver.url('/ours') },
    })
    await record(s, collection, { student_name: 'Mine' })
    await finishedRuns(s, collection, automation.id)

    const other = await activeTenant()
    const stranger = (await signIn(client, other, `head@${other.slug}.example`, 'TenantAdmin'))
      .caller
    const base = `admin/collections/${collection}/automations`
    const hidden = await stranger.get(base)
    hidden.assertStatus(404)
    assert.equal(hidden.body().error.code, 'ERR_COLLECTION_NOT_FOUND')

    // The same collection name in the other tenant: still not our automation.
    ;(
      await stranger.post('admin/collections', {
        name: collection,
        label: 'Theirs',
        definition: { fields: { student_name: { type: 'string', required: true } } },
      })
    ).assertStatus(201)
    const mine = await stranger.get(`${base}/${automation.id}`)
    mine.assertStatus(404)
    assert.equal(mine.body().error.code, 'ERR_AUTOMATION_NOT_FOUND')
    const runs = await stranger.get(`${base}/${automation.id}/runs`)
    runs.assertStatus(404)
    assert.lengthOf((await stranger.get(base)).body().data, 0)

    ;(await stranger.post(`collections/${collection}`, { student_name: 'Theirs' })).assertStatus(
      201
    )
    await sleep(500)
    assert.lengthOf(await runsOf(s, collection, automation.id), 1)
    assert.lengthOf(receiver.on('/ours'), 1)
  })
})
