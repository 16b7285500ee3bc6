import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { setTimeout as sleep } from 'node:timers/promises'
import { formToken } from '#core/collections/forms/token'
import { onCoreEvent, type OryneEvent } from '#core/events/events'
import type { Tenant } from '#core/tenancy/types'
import { api, signIn, type SignedIn } from '#tests/fixtures/plugins/library-lite/testing'
import { activeTenant } from '#tests/support/tenants'

/*
 * Forms of a tenant collection (docs/collections.md, "Forms"): designs checked
 * against the collection, signed-in submissions with the caller's own
 * permissions, and public forms (no account) behind a rate limit per address,
 * a honeypot and a signed "opened at" token with a minimum fill time. A
 * refused spam submission is answered openly (422 with its own code), so a
 * client and these tests can tell what happened; nothing is stored.
 */

type Detail = { field: string; rule: string }
const rules = (response: any): string[] =>
  (response.body().error?.details ?? []).map((d: Detail) => `${d.field}:${d.rule}`)

const FORMS = 'admin/collections/enquiries/forms'
const RECORDS = 'collections/enquiries'

const ENQUIRIES = {
  name: 'enquiries',
  label: 'Enquiries',
  definition: {
    fields: {
      parent_name: { type: 'string', required: true, label: 'Your name' },
      email: { type: 'string', required: true, max: 120 },
      topic: {
        type: 'enum',
        values: ['admission', 'visit', 'other'],
        required: true,
        default: 'other',
      },
      year_group: { type: 'integer', min: 7, max: 13 },
      visit_on: { type: 'date', label: 'Preferred visit day' },
      details: { type: 'text', description: 'Anything we should know' },
      status: { type: 'enum', values: ['new', 'answered'], required: true, default: 'new' },
      handler_id: { type: 'reference', target: 'core.users' },
    },
    title: 'parent_name',
  },
}

const ABOUT_YOU = {
  title: 'About you',
  fields: [{ name: 'parent_name' }, { name: 'email', help: 'We answer here' }],
}
const ENQUIRY = {
  title: 'Your enquiry',
  fields: [
    { name: 'topic' },
    { name: 'year_group', show_if: { field: 'topic', equals: 'admission' } },
    { name: 'visit_on', required: true, show_if: { field: 'topic', in: ['visit'] } },
    { name: 'details' },
  ],
}

/** A public form of enquiries, taking submissions `min_fill_seconds` after it is opened. */
function publicForm(slug: string, settings: Record<string, unknown> = {}) {
  return {
    slug,
    title: 'Admissions enquiry',
    public: true,
    sections: [ABOUT_YOU, ENQUIRY],
    settings: { min_fill_seconds: 0, ...settings },
  }
}

const PARENT = { parent_name: 'Amal Haddad', email: 'amal@example.com', topic: 'other' }

test.group('Collections: forms and public forms', (group) => {
  let tenant: Tenant
  let other: Tenant
  let admin: SignedIn
  let teacher: SignedIn
  const events: OryneEvent[] = []

  /** The public routes: no credentials, the tenant by X-Tenant-ID. */
  const anonymous = (client: ApiClient, on = tenant) => ({
    open: (slug: string) =>
      client.get(`/api/v1/public/forms/${slug}`).header('x-tenant-id', on.slug),
    submit: (slug: string, body: object) =>
      client
        .post(`/api/v1/public/forms/${slug}/submissions`)
        .header('x-tenant-id', on.slug)
        .json(body),
  })
  const records = async (client: ApiClient) =>
    (await api(client, tenant, admin.token).get(`${RECORDS}?per_page=100&sort=id`)).body().data

  group.setup(async () => {
    tenant = await activeTenant()
    other = await activeTenant()
    const { ApiClient } = await import('@japa/api-client')
    const client = new ApiClient(`http://${process.env.HOST}:${process.env.PORT}`)
    admin = await signIn(client, tenant, 'TenantAdmin')
    teacher = await signIn(client, tenant, 'Teacher')
    const created = await api(client, tenant, admin.token).post('admin/collections', ENQUIRIES)
    if (created.status() !== 201) throw new Error(`collection: ${created.text()}`)
    onCoreEvent(
      (event) => event.tenantId === tenant.id && event.name.startsWith('collections.enquiries.'),
      (event) => void events.push(event)
    )
  })

  test('a tenant admin designs forms; each is checked against the collection', async ({
    client,
    assert,
  }) => {
    const adminApi = api(client, tenant, admin.token)
    const refused = async (body: object, expected: string[]) => {
      const response = await adminApi.post(FORMS, body)
      response.assertStatus(422)
      assert.equal(response.body().error.code, 'ERR_FORM_INVALID')
      assert.sameMembers(rules(response), expected)
    }
    const form = (sections: object[], extra: object = {}) => ({
      slug: 'draft',
      title: 'Draft',
      sections,
      ...extra,
    })
    await refused(form([{ fields: [{ name: 'parent_name' }] }]), ['sections:required_missing'])
    await refused(
      form([{ fields: [...ABOUT_YOU.fields, { name: 'colour' }, { name: 'email' }] }]),
      ['sections.0.fields.2.name:unknown_field', 'sections.0.fields.3.name:distinct']
    )
    await refused(
      form([
        {
          fields: [
            { name: 'details', show_if: { field: 'topic', equals: 'visit' } },
            { name: 'topic' },
            { name: 'year_group', show_if: { field: 'topic', equals: 'tour' } },
            { name: 'visit_on', show_if: { field: 'topic' } },
            ...ABOUT_YOU.fields.slice(0, 1),
            { name: 'email', show_if: { field: 'topic', in: ['visit'] } },
          ],
        },
      ]),
      [
        'sections.0.fields.0.show_if.field:earlier_field',
        'sections.0.fields.2.show_if:value',
        'sections.0.fields.3.show_if:one_of',
        'sections.0.fields.5.show_if:required_conditional',
      ]
    )
    await refused(
      form([
        ABOUT_YOU,
        {
          fields: [
            { name: 'topic' },
            { name: 'details', show_if: { field: 'topic', in: [['visit']] } },
          ],
        },
      ]),
      ['sections.1.fields.1.show_if:value']
    )
    await refused(form([ABOUT_YOU, { fields: [{ name: 'handler_id' }] }], { public: true }), [
      'sections.1.fields.0.name:public_field_type',
    ])
    const badSlug = await adminApi.post(FORMS, { ...form([ABOUT_YOU]), slug: 'Not a slug!' })
    badSlug.assertStatus(400)
    assert.equal(badSlug.body().error.code, 'ERR_VALIDATION')

    const created = await adminApi.post(FORMS, publicForm('design', { min_fill_seconds: 5 }))
    created.assertStatus(201)
    assert.deepInclude(created.body().data, {
      collection: 'enquiries',
      slug: 'design',
      public: true,
      submissions: 0,
    })
    assert.deepEqual(created.body().data.settings, {
      success_message: 'Thank you: your answers were received.',
      open: true,
      max_submissions: null,
      min_fill_seconds: 5,
      rate_limit: { requests: 10, per_seconds: 3600 },
    })
    const taken = await adminApi.post(FORMS, publicForm('design'))
    taken.assertStatus(409)
    assert.equal(taken.body().error.code, 'ERR_FORM_EXISTS')
    const byTeacher = await api(client, tenant, teacher.token).post(FORMS, publicForm('mine'))
    byTeacher.assertStatus(403)

    const id = created.body().data.id
    const closed = await adminApi.patch(`${FORMS}/${id}`, { settings: { open: false } })
    closed.assertStatus(200)
    assert.deepInclude(closed.body().data.settings, { open: false, min_fill_seconds: 5 })
    // Made public, the form is checked again: no reference fields for strangers.
    const withReference = await adminApi.patch(`${FORMS}/${id}`, {
      sections: [ABOUT_YOU, { fields: [{ name: 'handler_id' }] }],
    })
    withReference.assertStatus(422)
    assert.deepEqual(rules(withReference), ['sections.1.fields.0.name:public_field_type'])
    const privateNow = await adminApi.patch(`${FORMS}/${id}`, {
      public: false,
      sections: [ABOUT_YOU, { fields: [{ name: 'handler_id' }] }],
    })
    privateNow.assertStatus(200)
    assert.isFalse(privateNow.body().data.public)

    assert.include(
      (await adminApi.get(FORMS)).body().data.map((f: any) => f.slug),
      'design'
    )
    ;(await adminApi.delete(`${FORMS}/${id}`)).assertStatus(200)
    const gone = await adminApi.patch(`${FORMS}/${id}`, { title: 'Back' })
    gone.assertStatus(404)
    assert.equal(gone.body().error.code, 'ERR_FORM_NOT_FOUND')
  })

  test('a public form renders its schema, then takes a submission as the form: hidden fields dropped, audit and events name it', async ({
    client,
    assert,
  }) => {
    const adminApi = api(client, tenant, admin.token)
    const slug = 'admissions'
    ;(
      await adminApi.post(FORMS, {
        ...publicForm(slug, {
          min_fill_seconds: 1,
          success_message: 'Thanks, we write back within two days.',
        }),
        description: 'Questions about joining the school',
      })
    ).assertStatus(201)

    const opened = await anonymous(client).open(slug)
    opened.assertStatus(200)
    const form = opened.body().data
    assert.deepInclude(form, {
      slug,
      title: 'Admissions enquiry',
      description: 'Questions about joining the school',
      public: true,
      min_fill_seconds: 1,
      honeypot: 'website',
      success_message: 'Thanks, we write back within two days.',
    })
    assert.deepEqual(form.tenant, { name: tenant.name, locale: 'en', time_zone: 'UTC' })
    assert.deepEqual(form.sections[0], {
      title: 'About you',
      description: null,
      fields: [
        { name: 'parent_name', label: 'Your name', help: null, type: 'string', required: true },
        {
          name: 'email',
          label: 'email',
          help: 'We answer here',
          type: 'string',
          required: true,
          max: 120,
        },
      ],
    })
    assert.deepEqual(form.sections[1].fields[0], {
      name: 'topic',
      label: 'topic',
      help: null,
      type: 'enum',
      required: false,
      values: ['admission', 'visit', 'other'],
      default: 'other',
    })
    assert.deepInclude(form.sections[1].fields[1], {
      name: 'year_group',
      type: 'integer',
      min: 7,
      max: 13,
      show_if: { field: 'topic', equals: 'admission' },
    })
    assert.deepInclude(form.sections[1].fields[2], {
      label: 'Preferred visit day',
      required: true,
      show_if: { field: 'topic', in: ['visit'] },
    })
    assert.equal(form.sections[1].fields[3].help, 'Anything we should know')

    const automation = await adminApi.post('admin/collections/enquiries/automations', {
      name: 'Tell the office',
      trigger: { on: 'create' },
      action: {
        type: 'notify',
        to: { role: 'Teacher' },
        title: 'Enquiry',
        body: '{{parent_name}}',
      },
    })
    automation.assertStatus(201)

    await sleep(1100)
    const send = (values: object) =>
      anonymous(client).submit(slug, { values, token: form.token, website: '' })
    const sent = await send({
      ...PARENT,
      topic: 'admission',
      year_group: 9,
      visit_on: '2026-05-01',
      details: '',
    })
    assert.equal(sent.status(), 201, sent.text())
    assert.deepEqual(sent.body().data, { message: 'Thanks, we write back within two days.' })

    const [record] = await records(client)
    assert.deepInclude(record, {
      parent_name: 'Amal Haddad',
      topic: 'admission',
      year_group: 9,
      visit_on: null,
      details: null,
      status: 'new',
    })
    const audit = await adminApi.get(
      `admin/audit?action=collections.enquiries.create&resource_id=${record.id}`
    )
    assert.deepEqual(
      audit.body().data.map((entry: any) => entry.actor),
      [`public_form:${slug}`]
    )
    for (let tries = 0; tries < 50 && !events.length; tries++) await sleep(20)
    assert.deepInclude(
      events.map((event) => [event.name, event.actor, (event.payload as any).id]),
      ['collections.enquiries.created', `public_form:${slug}`, record.id]
    )

    // The submission's event starts the collection's automations like any new record.
    let runs: any[] = []
    for (let tries = 0; tries < 50 && !runs.length; tries++) {
      runs = (
        await adminApi.get(
          `admin/collections/enquiries/automations/${automation.body().data.id}/runs`
        )
      ).body().data
      if (!runs.length) await sleep(50)
    }
    assert.deepInclude(runs[0], {
      record_id: record.id,
      event: 'collections.enquiries.created',
    })

    const missingVisit = await send({ ...PARENT, topic: 'visit' })
    missingVisit.assertStatus(400)
    assert.deepEqual(rules(missingVisit), ['values.visit_on:required'])
    const unknown = await send({ ...PARENT, colour: 'red', status: 'answered' })
    unknown.assertStatus(400)
    assert.sameMembers(rules(unknown), [
      'values.colour:unknown_field',
      'values.status:unknown_field',
    ])
    const outOfRange = await send({ ...PARENT, topic: 'admission', year_group: 20 })
    outOfRange.assertStatus(400)
    assert.deepEqual(
      rules(outOfRange).map((rule) => rule.split(':')[0]),
      ['values.year_group']
    )
    assert.lengthOf(await records(client), 1)
  })

  test('spam checks: a filled honeypot, a bad, foreign or expired token and a too fast submission are refused and store nothing', async ({
    client,
    assert,
  }) => {
    const adminApi = api(client, tenant, admin.token)
    const form = (await adminApi.post(FORMS, publicForm('visit', { min_fill_seconds: 3 }))).body()
      .data
    const foreign = (await adminApi.post(FORMS, publicForm('foreign'))).body().data
    const before = (await records(client)).length
    const { token } = (await anonymous(client).open('visit')).body().data
    const send = (body: object) =>
      anonymous(client).submit('visit', { values: PARENT, token, ...body })
    const refusal = async (body: object, status: number, code: string) => {
      const response = await send(body)
      response.assertStatus(status)
      assert.equal(response.body().error.code, code)
      return response.body().error.details
    }

    assert.deepEqual(await refusal({}, 422, 'ERR_FORM_TOO_FAST'), { min_fill_seconds: 3 })
    const opened10sAgo = formToken(tenant.id, form.id, Date.now() - 10_000).token
    await refusal(
      { token: opened10sAgo, website: 'https://spam.example' },
      422,
      'ERR_FORM_HONEYPOT'
    )
    const [payload, signature] = opened10sAgo.split('.')
    const tampered = `${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`
    assert.deepEqual(await refusal({ token: tampered }, 422, 'ERR_FORM_TOKEN_INVALID'), {
      reason: 'invalid',
    })
    const otherForm = formToken(tenant.id, foreign.id, Date.now() - 10_000).token
    assert.deepEqual(await refusal({ token: otherForm }, 422, 'ERR_FORM_TOKEN_INVALID'), {
      reason: 'invalid',
    })
    const otherTenant = formToken(other.id, form.id, Date.now() - 10_000).token
    assert.deepEqual(await refusal({ token: otherTenant }, 422, 'ERR_FORM_TOKEN_INVALID'), {
      reason: 'invalid',
    })
    const threeHoursOld = formToken(tenant.id, form.id, Date.now() - 3 * 3600_000).token
    assert.deepEqual(await refusal({ token: threeHoursOld }, 422, 'ERR_FORM_TOKEN_INVALID'), {
      reason: 'expired',
    })
    await refusal({ token: undefined }, 400, 'ERR_VALIDATION')
    assert.lengthOf(await records(client), before)

    // The same submission with a token older than the fill time is taken.
    ;(await send({ token: opened10sAgo })).assertStatus(201)
    assert.lengthOf(await records(client), before + 1)
  })

  test('each address has a budget per form: past it 429 with Retry-After; another form keeps its own', async ({
    client,
    assert,
  }) => {
    const adminApi = api(client, tenant, admin.token)
    ;(
      await adminApi.post(
        FORMS,
        publicForm('quick', { rate_limit: { requests: 2, per_seconds: 60 } })
      )
    ).assertStatus(201)
    ;(await adminApi.post(FORMS, publicForm('roomy'))).assertStatus(201)
    const submit = async (slug: string) => {
      const { token } = (await anonymous(client).open(slug)).body().data
      return anonymous(client).submit(slug, { values: PARENT, token })
    }
    ;(await submit('quick')).assertStatus(201)
    // A refused attempt counts too: spam is what the limit is for.
    const honeypot = await anonymous(client).submit('quick', {
      values: PARENT,
      token: (await anonymous(client).open('quick')).body().data.token,
      website: 'x',
    })
    honeypot.assertStatus(422)
    const limited = await submit('quick')
    limited.assertStatus(429)
    assert.equal(limited.body().error.code, 'ERR_RATE_LIMITED')
    assert.deepInclude(limited.body().error.details, {
      tier: 'public_form',
      limit: 2,
      window_seconds: 60,
    })
    const retryAfter = Number(limited.header('retry-after'))
    assert.isAtLeast(retryAfter, 1)
    assert.isAtMost(retryAfter, 60)
    ;(await submit('roomy')).assertStatus(201)
  })

  test('a closed form and a full one take no submissions (409)', async ({ client, assert }) => {
    const adminApi = api(client, tenant, admin.token)
    const form = (
      await adminApi.post(FORMS, publicForm('one-place', { max_submissions: 1 }))
    ).body().data
    const { token } = (await anonymous(client).open('one-place')).body().data
    const submit = () => anonymous(client).submit('one-place', { values: PARENT, token })
    ;(await submit()).assertStatus(201)
    const full = await submit()
    full.assertStatus(409)
    assert.equal(full.body().error.code, 'ERR_FORM_CLOSED')
    assert.deepEqual(full.body().error.details, { reason: 'full' })

    const closed = await adminApi.patch(`${FORMS}/${form.id}`, {
      settings: { open: false, max_submissions: null },
    })
    assert.equal(closed.body().data.submissions, 1)
    for (const response of [await anonymous(client).open('one-place'), await submit()]) {
      response.assertStatus(409)
      assert.deepEqual(response.body().error.details, { reason: 'closed' })
    }
    ;(await adminApi.patch(`${FORMS}/${form.id}`, { settings: { open: true } })).assertStatus(200)
    ;(await submit()).assertStatus(201)

    // Two at once for the last place: one is taken, the other finds the form full.
    ;(await adminApi.post(FORMS, publicForm('last-place', { max_submissions: 1 }))).assertStatus(
      201
    )
    const last = (await anonymous(client).open('last-place')).body().data.token
    const before = (await records(client)).length
    const both = await Promise.all(
      [1, 2].map(() => anonymous(client).submit('last-place', { values: PARENT, token: last }))
    )
    assert.sameMembers(
      both.map((response) => response.status()),
      [201, 409]
    )
    assert.lengthOf(await records(client), before + 1)
  })

  test('private forms are not public, and a form is its own tenant’s only', async ({
    client,
    assert,
  }) => {
    const adminApi = api(client, tenant, admin.token)
    ;(await adminApi.post(FORMS, { ...publicForm('staff-only'), public: false })).assertStatus(201)
    ;(await adminApi.post(FORMS, publicForm('open-day'))).assertStatus(201)
    for (const response of [
      await anonymous(client).open('staff-only'),
      await anonymous(client).submit('staff-only', { values: PARENT, token: 'x.y' }),
      await anonymous(client, other).open('open-day'),
      await anonymous(client, other).submit('open-day', { values: PARENT, token: 'x.y' }),
    ]) {
      response.assertStatus(404)
      assert.equal(response.body().error.code, 'ERR_FORM_NOT_FOUND')
    }
    // A token of tenant A's form is worthless on tenant B's form of the same slug.
    const otherAdmin = await signIn(client, other, 'TenantAdmin')
    const otherApi = api(client, other, otherAdmin.token)
    ;(await otherApi.post('admin/collections', ENQUIRIES)).assertStatus(201)
    ;(await otherApi.post(FORMS, publicForm('open-day'))).assertStatus(201)
    const { token } = (await anonymous(client).open('open-day')).body().data
    const crossed = await anonymous(client, other).submit('open-day', { values: PARENT, token })
    crossed.assertStatus(422)
    assert.equal(crossed.body().error.code, 'ERR_FORM_TOKEN_INVALID')
  })

  test('signed in: with the create permission the record is the caller’s; without it only public forms, as the form', async ({
    client,
    assert,
  }) => {
    const adminApi = api(client, tenant, admin.token)
    const teacherApi = api(client, tenant, teacher.token)
    ;(await adminApi.post(FORMS, { ...publicForm('office'), public: false })).assertStatus(201)
    ;(await adminApi.post(FORMS, publicForm('front-desk'))).assertStatus(201)
    const path = (slug: string) => `${RECORDS}/forms/${slug}`

    for (const response of [
      await teacherApi.get(path('office')),
      await teacherApi.post(`${path('office')}/submissions`, { values: PARENT }),
    ]) {
      response.assertStatus(403)
      assert.include(response.body().error.message, 'collections.enquiries.create')
    }
    const shown = await teacherApi.get(path('front-desk'))
    shown.assertStatus(200)
    assert.notProperty(shown.body().data, 'token')
    assert.equal(shown.body().data.sections[0].fields[0].label, 'Your name')
    const asForm = await teacherApi.post(`${path('front-desk')}/submissions`, { values: PARENT })
    asForm.assertStatus(201)
    assert.deepEqual(Object.keys(asForm.body().data), ['message'])

    const own = await adminApi.post(`${path('office')}/submissions`, {
      values: { ...PARENT, parent_name: 'From the office' },
    })
    own.assertStatus(201)
    assert.equal(own.body().data.record.parent_name, 'From the office')
    const actors = async (id: string) =>
      (await adminApi.get(`admin/audit?action=collections.enquiries.create&resource_id=${id}`))
        .body()
        .data.map((entry: any) => entry.actor)
    assert.deepEqual(await actors(own.body().data.id), [`user:${admin.id}`])
    const latest = (await records(client)).filter((r: any) => r.parent_name === PARENT.parent_name)
    assert.deepEqual(await actors(latest.at(-1).id), ['public_form:front-desk'])

    const wrongCollection = await adminApi.get(`collections/nothing/forms/office`)
    wrongCollection.assertStatus(404)
    const anonymousCall = await client
      .get(`/api/v1/${path('front-desk')}`)
      .header('x-tenant-id', tenant.slug)
    anonymousCall.assertStatus(401)
  })

  test('a field removed from the collection leaves its forms: not rendered, not accepted', async ({
    client,
    assert,
  }) => {
    const adminApi = api(client, tenant, admin.token)
    ;(await adminApi.post(FORMS, publicForm('after-change'))).assertStatus(201)
    const removed = await adminApi.post('admin/collections/enquiries/changes', {
      changes: [{ op: 'remove_field', name: 'details' }],
      confirm: true,
    })
    assert.equal(removed.status(), 200, removed.text())
    const { sections, token } = (await anonymous(client).open('after-change')).body().data
    assert.deepEqual(
      sections[1].fields.map((field: any) => field.name),
      ['topic', 'year_group', 'visit_on']
    )
    const withDetails = await anonymous(client).submit('after-change', {
      values: { ...PARENT, details: 'Still here?' },
      token,
    })
    withDetails.assertStatus(400)
    assert.deepEqual(rules(withDetails), ['values.details:unknown_field'])
    ;(await anonymous(client).submit('after-change', { values: PARENT, token })).assertStatus(201)
  })

  test('a unique value taken answers 409 ERR_CONFLICT naming the form field', async ({
    client,
    assert,
  }) => {
    const adminApi = api(client, tenant, admin.token)
    ;(
      await adminApi.post('admin/collections', {
        name: 'waitlist',
        label: 'Waiting list',
        definition: { fields: { email: { type: 'string', required: true, unique: true } } },
      })
    ).assertStatus(201)
    ;(
      await adminApi.post('admin/collections/waitlist/forms', {
        slug: 'waitlist',
        title: 'Join the waiting list',
        public: true,
        sections: [{ fields: [{ name: 'email' }] }],
        settings: { min_fill_seconds: 0 },
      })
    ).assertStatus(201)
    const { token } = (await anonymous(client).open('waitlist')).body().data
    const join = () =>
      anonymous(client).submit('waitlist', { values: { email: 'kim@example.com' }, token })
    ;(await join()).assertStatus(201)
    const again = await join()
    again.assertStatus(409)
    assert.equal(again.body().error.code, 'ERR_CONFLICT')
    assert.deepEqual(
      again.body().error.details.map((detail: Detail) => detail.field),
      ['values.email']
    )
  })
})
