import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import jobs from '#core/services/jobs'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { createUser, PASSWORD } from '#tests/support/auth'
import { activeTenant, uniqueSlug } from '#tests/support/tenants'
import {
  accessibilityProblems,
  docsShot,
  openApp,
  pagesNotCheckedByAxe,
  PHONE,
  shot,
  signInApp,
  startBrowser,
  tabTo,
} from '#tests/support/web'

/*
 * Tenant collections in the web app (issue 26, docs/collections.md): a school
 * admin builds "Sports club sign-ups" with no developer — the collection, a
 * board grouped by club, a public form and an automation telling the coach —
 * a student signs up through the form without an account, the coach reads the
 * notification, and the sign-up is on the admin's board under its club.
 */

function inTenant<T = any>(tenant: Tenant, fn: (trx: any) => Promise<T>) {
  return tenantContext.run(tenant, () => withTenantDb(fn))
}

const NAME = 'sports_club_sign_ups'

/** The builder's field fieldset at `index` (0-based): label, type, required and its type's settings. */
async function fillField(
  page: Page,
  index: number,
  field: { label: string; type: string; required?: boolean; values?: string }
) {
  const fieldset = page.locator('fieldset.col-field').nth(index)
  await fieldset.getByLabel('Label', { exact: true }).fill(field.label)
  await fieldset.getByLabel('Type').selectOption(field.type)
  if (field.values) await fieldset.getByLabel('Choices').fill(field.values)
  if (field.required) await fieldset.getByLabel('Required').check()
}

/** Calls the API as a signed-in user of the tenant (what the console or a script would do). */
async function apiAs(
  baseUrl: string,
  who: { school: string; email: string; password: string },
  method: string,
  path: string,
  body?: unknown
) {
  const headers = { 'Content-Type': 'application/json', 'X-Tenant-ID': who.school }
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email: who.email, password: who.password }),
  })
  const token = ((await login.json()) as any).data.access_token
  const response = await fetch(`${baseUrl}/api/v1/${path}`, {
    method,
    headers: { ...headers, Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return ((await response.json()) as any).data
}

/** A board column (by its enum value's heading) and the card titles in it. */
async function cardsUnder(page: Page, club: string) {
  const column = page.locator('.col-column').filter({
    has: page.getByRole('heading', { level: 2, name: new RegExp(`^${club} `) }),
  })
  return column.locator('.col-card h3').allInnerTexts()
}

test.group('Web app: tenant collections', (group) => {
  let browser: Browser
  let baseUrl: string
  let tenant: Tenant
  const admin = () => ({
    school: tenant.slug,
    email: `office@${tenant.slug}.example`,
    password: PASSWORD,
  })
  const coach = () => ({
    school: tenant.slug,
    email: `coach@${tenant.slug}.example`,
    password: PASSWORD,
  })

  group.setup(async () => {
    const started = await startBrowser()
    browser = started.browser
    baseUrl = started.baseUrl
    tenant = await activeTenant({ slug: uniqueSlug('sports') })
    await createUser(tenant, { email: admin().email, role: 'TenantAdmin' })
    await createUser(tenant, { email: coach().email, role: 'Teacher' })
    // Automation runs are jobs: this process works them, as a worker would.
    await jobs.work(['automations', 'notifications'])
    return started.stop
  })

  test('an admin builds “Sports club sign-ups”; a student signs up on the public form; the coach is told; the board shows it', async ({
    assert,
  }) => {
    const office = await openApp(browser, baseUrl)
    const { page } = office
    await signInApp(page, baseUrl, admin())
    assert.deepEqual(await accessibilityProblems(page), [])

    // 1. The collection: built field by field, the name following the label.
    await page.locator('#app-nav').getByRole('link', { name: 'Collections' }).click()
    await page.getByRole('heading', { name: 'Collections', level: 1 }).waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    await page.getByRole('button', { name: 'New collection' }).click()
    await page.getByRole('heading', { name: 'New collection', level: 1 }).waitFor()
    await page.locator('#collection-label').fill('Sports club sign-ups')
    assert.equal(await page.locator('#collection-name').inputValue(), NAME)
    await fillField(page, 0, { label: 'Student name', type: 'string', required: true })
    await page.getByRole('button', { name: 'Add a field' }).click()
    await fillField(page, 1, { label: 'Year group', type: 'integer', required: true })
    await page.getByRole('button', { name: 'Add a field' }).click()
    await fillField(page, 2, { label: 'Notes', type: 'text' })
    await page.getByRole('button', { name: 'Add a field' }).click()
    await fillField(page, 3, {
      label: 'Club',
      type: 'enum',
      required: true,
      values: 'Football\nNetball\nChess',
    })
    // Reordered by buttons (no dragging): the club goes above the notes.
    await page.getByRole('button', { name: 'Move Club up' }).click()
    assert.deepEqual(await page.locator('fieldset.col-field legend').allInnerTexts(), [
      'Field 1: Student name',
      'Field 2: Year group',
      'Field 3: Club',
      'Field 4: Notes',
    ])
    await page.getByLabel('Field naming a record').selectOption('student_name')
    assert.deepEqual(await accessibilityProblems(page), [])
    await docsShot(page, 'collections-builder', 'collections-builder')
    await page.getByRole('button', { name: 'Create collection' }).click()
    await page.getByRole('heading', { name: 'Sports club sign-ups', level: 1 }).waitFor()
    await page.getByText('Collection “Sports club sign-ups” created.').waitFor()
    const stored = await inTenant(tenant, (trx) =>
      trx.from('collections').where('name', NAME).first()
    )
    // (jsonb keeps no key order: the fields are compared as a set.)
    assert.sameMembers(Object.keys(stored.definition.fields), [
      'student_name',
      'year_group',
      'club',
      'notes',
    ])
    assert.deepEqual(stored.definition.fields.club, {
      type: 'enum',
      label: 'Club',
      required: true,
      values: ['Football', 'Netball', 'Chess'],
    })
    assert.equal(stored.definition.title, 'student_name')
    assert.deepEqual(await accessibilityProblems(page), [])

    // 2. A board of the sign-ups grouped by club.
    await page.getByRole('link', { name: 'Records and views' }).click()
    await page.getByRole('heading', { name: 'Sports club sign-ups', level: 1 }).waitFor()
    await page.getByText('Save a view').click()
    await page.getByLabel('View name').fill('By club')
    await page.getByLabel('Kind').selectOption('board')
    await page.getByLabel('Group by').selectOption('club')
    await page.getByRole('button', { name: 'Save view' }).click()
    await page.waitForURL(/records\?view=\d+$/)
    const boardUrl = page.url()
    await page.getByRole('heading', { name: /^Football / }).waitFor()
    assert.deepEqual(await cardsUnder(page, 'Netball'), [])
    assert.deepEqual(await accessibilityProblems(page), [])

    // 3. The public form, with all four fields and a message after sending.
    await page.getByRole('link', { name: 'Forms', exact: true }).click()
    await page.getByRole('button', { name: 'New form' }).click()
    await page.getByRole('heading', { name: 'New form', level: 1 }).waitFor()
    assert.equal(await page.getByLabel('Address').inputValue(), 'sports-club-sign-ups')
    assert.isTrue(await page.getByLabel('Public form (no account needed)').isChecked())
    await page.getByLabel('Message after sending').fill('Thank you! The coach will be in touch.')
    // The questions in the order a student answers them (buttons, no dragging), Notes only for Netball.
    const questions = page.locator('ol.col-form-fields > li strong')
    for (let press = 0; press < 3; press++)
      if ((await questions.first().innerText()) !== 'Student name')
        await page.getByRole('button', { name: 'Move Student name up' }).click()
    while ((await questions.nth(1).innerText()) !== 'Year group')
      await page.getByRole('button', { name: 'Move Year group up' }).click()
    while ((await questions.nth(2).innerText()) !== 'Club')
      await page.getByRole('button', { name: 'Move Club up' }).click()
    assert.deepEqual(await questions.allInnerTexts(), [
      'Student name',
      'Year group',
      'Club',
      'Notes',
    ])
    const notesQuestion = page.locator('ol.col-form-fields > li').nth(3)
    await notesQuestion.getByLabel('Show only when').selectOption('club')
    await notesQuestion.getByLabel('Club is').selectOption('Netball')
    assert.deepEqual(await accessibilityProblems(page), [])
    await page.getByRole('button', { name: 'Save form' }).click()
    await page.getByText('Form “Sports club sign-ups” saved.').waitFor()
    const link = await page.getByLabel('Link to share').inputValue()
    assert.equal(link, `${baseUrl}/app/forms/sports-club-sign-ups?school=${tenant.slug}`)
    assert.deepEqual(await accessibilityProblems(page), [])

    // 4. The automation: on every new sign-up, notify the coaches (role Teacher).
    await page.getByRole('link', { name: 'Automations', exact: true }).click()
    await page.getByRole('heading', { name: 'New automation' }).waitFor()
    await page.getByLabel('Name', { exact: true }).fill('Tell the coach')
    await page.getByLabel('When').selectOption('create')
    await page.getByLabel('Then').selectOption('notify')
    await page.getByLabel('Who').selectOption('role')
    await page.locator('#auto-role').selectOption('Teacher')
    await page.getByLabel('Notification title').fill('New sign-up: {{student_name}}')
    await page
      .getByLabel('Notification text')
      .fill('{{student_name}} (year {{year_group}}) joined {{club}}.')
    assert.deepEqual(await accessibilityProblems(page), [])
    await page.getByRole('button', { name: 'Save automation' }).click()
    await page.getByRole('heading', { name: 'Tell the coach', level: 2 }).waitFor()
    assert.include(
      await page.locator('.col-list').innerText(),
      'When a record is created → notify everyone with the role Teacher'
    )
    await docsShot(page, 'collections-automations', 'collections-automations')
    // A schedule: every day at 07:30 in the school's time zone.
    await page.getByLabel('Name', { exact: true }).fill('Morning list')
    await page.locator('#auto-on').selectOption('schedule')
    await page.locator('#auto-every').selectOption('day')
    await page.locator('#auto-at').fill('07:30')
    await page.locator('#auto-role').selectOption('Teacher')
    await page.getByLabel('Notification title').fill('Sign-ups to check')
    await page.getByLabel('Notification text').fill('Look at the board for new sign-ups.')
    assert.deepEqual(await accessibilityProblems(page), [])
    await page.getByRole('button', { name: 'Save automation' }).click()
    await page.getByRole('heading', { name: 'Morning list', level: 2 }).waitFor()
    assert.include(
      await page.locator('.col-list').innerText(),
      'Every day at 07:30 → notify everyone with the role Teacher'
    )
    // And one that cannot work: when the club changes, set the student name to more than it holds (255).
    // (Emptying it would be the obvious mistake, but a null value is refused on save: ERR_VALIDATION
    // action.value, the automation validator's record of any() does not take null.)
    await page.getByLabel('Name', { exact: true }).fill('Stamp the name')
    await page.locator('#auto-on').selectOption('update')
    await page.locator('#auto-field').selectOption('club')
    await page.locator('#auto-kind').selectOption('set_field')
    await page.locator('#auto-target').selectOption('student_name')
    await page.locator('#auto-value').fill('x'.repeat(300))
    assert.deepEqual(await accessibilityProblems(page), [])
    await page.getByRole('button', { name: 'Save automation' }).click()
    await page
      .getByRole('heading', { name: 'Stamp the name', level: 2 })
      .or(page.locator('p.problem'))
      .first()
      .waitFor()
    assert.deepEqual(await page.locator('p.problem, .col-details').allInnerTexts(), [])
    assert.include(
      await page.locator('.col-list').innerText(),
      'When Club changes → set Student name'
    )

    // 5. A student signs up on a phone, with no account.
    const visitor = await openApp(browser, baseUrl, { viewport: PHONE })
    const form = visitor.page
    await form.goto(link)
    await form.getByRole('heading', { name: 'Sports club sign-ups', level: 1 }).waitFor()
    const opened = Date.now()
    // The honeypot is there for robots only: out of the tab order and hidden from assistive technology.
    const trap = form.locator('#website')
    assert.equal(await trap.getAttribute('tabindex'), '-1')
    assert.equal(await form.locator('.col-hp').getAttribute('aria-hidden'), 'true')
    assert.deepEqual(await accessibilityProblems(form), [])
    await tabTo(form, form.getByLabel('Student name'))
    await form.keyboard.type('Amira Haddad')
    await tabTo(form, form.getByLabel('Year group'))
    await form.keyboard.type('8')
    assert.deepEqual(await form.locator('form label').allInnerTexts(), [
      'Student name *',
      'Year group *',
      'Club *',
      'Leave this empty',
    ])
    await form.getByLabel('Club').selectOption('Netball')
    // Notes appear once the club is Netball.
    await form.getByLabel('Notes').fill('Played for the under-12s.')
    await docsShot(form, 'collections-public-form', 'collections-public-form')
    // The form refuses answers sent faster than a person fills it (3 s by default).
    await form.waitForTimeout(Math.max(0, 3200 - (Date.now() - opened)))
    await tabTo(form, form.getByRole('button', { name: 'Send' }))
    await form.keyboard.press('Enter')
    // The answer: the form's message, or a refusal (said here if it comes).
    await form.locator('p[role=status], p.problem').first().waitFor()
    assert.deepEqual(await form.locator('p.problem').allInnerTexts(), [])
    assert.equal(
      await form.getByRole('status').innerText(),
      'Thank you! The coach will be in touch.'
    )
    assert.deepEqual(await accessibilityProblems(form), [])
    const signUp = await inTenant(tenant, (trx) =>
      trx.from(`col_${NAME}`).where('student_name', 'Amira Haddad').first()
    )
    assert.containsSubset(signUp, {
      year_group: 8,
      club: 'Netball',
      notes: 'Played for the under-12s.',
    })
    assert.deepEqual([...visitor.problems, ...visitor.elsewhere], [])
    await form.context().close()

    // 6. The coach signs in and reads the notification the automation sent. Teachers may read the
    // sign-ups (granted through the roles API), not change them.
    const teacherRole = await apiAs(baseUrl, admin(), 'GET', 'admin/roles/Teacher')
    await apiAs(baseUrl, admin(), 'PATCH', 'admin/roles/Teacher', {
      permissions: [...teacherRole.permissions, `collections.${NAME}.read`],
    })
    const coachApp = await openApp(browser, baseUrl)
    await signInApp(coachApp.page, baseUrl, coach())
    await coachApp.page
      .getByRole('link', { name: /1 unread notification/ })
      .click({ timeout: 20_000 })
    await coachApp.page.getByText('New sign-up: Amira Haddad').waitFor()
    assert.include(
      await coachApp.page.locator('ul.notifications').innerText(),
      'Amira Haddad (year 8) joined Netball.'
    )
    assert.deepEqual(await accessibilityProblems(coachApp.page), [])
    await shot(coachApp.page, 'collections-coach-notified')
    await coachApp.page
      .locator('#app-nav')
      .getByRole('link', { name: 'Sports club sign-ups' })
      .click()
    await coachApp.page.getByRole('link', { name: 'By club (board)' }).click()
    await coachApp.page.getByRole('heading', { name: /^Netball / }).waitFor()
    assert.deepEqual(await cardsUnder(coachApp.page, 'Netball'), ['Amira Haddad'])
    // Reading only: no card to move, no view to save, no new record.
    assert.equal(await coachApp.page.locator('.col-move').count(), 0)
    assert.equal(await coachApp.page.getByText('Save a view').count(), 0)
    assert.equal(await coachApp.page.getByRole('button', { name: 'New', exact: true }).count(), 0)
    assert.deepEqual(await accessibilityProblems(coachApp.page), [])
    assert.deepEqual([...coachApp.problems, ...coachApp.elsewhere], [])
    await coachApp.page.context().close()

    // 7. The admin signs a student up through the same form, signed in (no token or honeypot needed).
    await page.getByRole('link', { name: 'Forms', exact: true }).click()
    await page.getByRole('link', { name: 'Fill in Sports club sign-ups yourself' }).click()
    await page.getByRole('heading', { name: 'Sports club sign-ups', level: 1 }).waitFor()
    assert.equal(await page.locator('#website').count(), 0)
    await page.getByLabel('Student name').fill('Leo Park')
    await page.getByLabel('Year group').fill('9')
    await page.getByLabel('Club').selectOption('Football')
    assert.equal(await page.getByLabel('Notes').count(), 0)
    assert.deepEqual(await accessibilityProblems(page), [])
    await page.getByRole('button', { name: 'Send' }).click()
    await page.locator('p[role=status], p.problem').first().waitFor()
    assert.deepEqual(await page.locator('p.problem').allInnerTexts(), [])

    // The admin's board has the sign-ups under their clubs; the run log says the automation ran.
    await page.goto(boardUrl)
    await page.getByRole('heading', { name: /^Netball / }).waitFor()
    assert.deepEqual(await cardsUnder(page, 'Football'), ['Leo Park'])
    assert.deepEqual(await cardsUnder(page, 'Netball'), ['Amira Haddad'])
    assert.deepEqual(await cardsUnder(page, 'Chess'), [])
    assert.deepEqual(await accessibilityProblems(page), [])
    await docsShot(page, 'collections-board', 'collections-board')
    // A card moves by keyboard: its "Move to" select, no dragging.
    const move = page.getByLabel('Move Amira Haddad to')
    await tabTo(page, move)
    await move.selectOption('Chess')
    await page.getByText('Amira Haddad moved to Chess.').waitFor()
    assert.deepEqual(await cardsUnder(page, 'Chess'), ['Amira Haddad'])
    const moved = await inTenant(tenant, (trx) =>
      trx.from(`col_${NAME}`).where('id', signUp.id).first()
    )
    assert.equal(moved.club, 'Chess')

    // The broken automation's run failed (the name is too long) and is retried from its log.
    await page.getByRole('link', { name: 'Automations', exact: true }).click()
    await page.getByRole('link', { name: 'Run log of Stamp the name' }).click()
    await page.getByRole('heading', { name: 'Run log of Stamp the name', level: 1 }).waitFor()
    const failed = page.locator('table tbody tr').filter({ hasText: 'failed' })
    for (let tries = 0; tries < 50 && (await failed.count()) === 0; tries++) {
      await page.waitForTimeout(200)
      await page.getByRole('button', { name: 'Refresh' }).click()
    }
    assert.include(await failed.first().innerText(), `#${signUp.id}`)
    assert.deepEqual(await accessibilityProblems(page), [])
    await failed
      .first()
      .getByRole('button', { name: /^Retry run/ })
      .click()
    await page.getByText(/^Run \d+ will be tried again\.$/).waitFor()
    assert.equal(
      (await inTenant(tenant, (trx) => trx.from(`col_${NAME}`).where('id', signUp.id).first()))
        .student_name,
      'Amira Haddad'
    )

    // 8. A change of the fields: removing Notes is previewed (dry run: one record loses a value),
    // applied only once confirmed, and leaves the values in a backup table.
    await page.getByRole('link', { name: 'Fields', exact: true }).click()
    await page.getByRole('button', { name: 'Remove Notes' }).click()
    await page.getByRole('button', { name: 'Preview the changes (dry run)' }).click()
    const plan = page.getByRole('region', { name: 'What the changes would do' })
    await plan.waitFor()
    assert.match(await plan.locator('tbody tr').first().innerText(), /\b1\b[\s\S]*Yes/)
    const applyButton = page.getByRole('button', { name: 'Apply the changes' })
    assert.isTrue(await applyButton.isDisabled())
    assert.deepEqual(await accessibilityProblems(page), [])
    await docsShot(page, 'collections-change-preview', 'collections-change-preview')
    assert.property(
      await inTenant(tenant, (trx) => trx.from(`col_${NAME}`).where('id', signUp.id).first()),
      'notes'
    )
    await page.getByLabel(/I understand: 1 record loses a value/).check()
    await applyButton.click()
    await page
      .getByText(/^Changes applied\. The values removed are kept in the table colbak_/)
      .waitFor()
    const after = await inTenant(tenant, (trx) =>
      trx.from(`col_${NAME}`).where('id', signUp.id).first()
    )
    assert.notProperty(after, 'notes')
    assert.notInclude(await page.locator('table').first().innerText(), 'Notes')

    // The design exports as a template file (no records), the document `oryne collection import` takes.
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export as template' }).click()
    const file = await download
    assert.equal(file.suggestedFilename(), `${NAME}.collection.json`)
    const template = JSON.parse(await readFile((await file.path())!, 'utf8'))
    assert.containsSubset(template, { oryne_collection_template: 1, name: NAME })
    assert.sameMembers(
      template.views.map((view: any) => view.name),
      ['By club']
    )
    assert.notInclude(JSON.stringify(template), 'Amira')

    // A field added (not destructive: applied without a tick), a calendar by it, a record dated in the generated form.
    await page.getByRole('button', { name: 'Add a field' }).click()
    await fillField(page, 0, { label: 'Trial date', type: 'date' })
    await page.getByRole('button', { name: 'Add to the changes' }).click()
    await page.getByRole('button', { name: 'Preview the changes (dry run)' }).click()
    await plan.waitFor()
    assert.match(await plan.locator('tbody tr').first().innerText(), /trial_date[\s\S]*No/)
    await applyButton.click()
    await page.getByText('Changes applied.', { exact: true }).waitFor()
    await page.getByRole('link', { name: 'Records and views' }).click()
    await page.getByText('Save a view').click()
    await page.getByLabel('View name').fill('Trials')
    await page.getByLabel('Kind').selectOption('calendar')
    await page.getByLabel('Date placing a record').selectOption('trial_date')
    await page.getByRole('button', { name: 'Save view' }).click()
    await page.getByRole('link', { name: 'Trials (calendar)' }).waitFor()
    const today = new Date().toISOString().slice(0, 10)
    await page.goto(`${baseUrl}/app/data/collections/${NAME}/${signUp.id}/edit`)
    await page.getByLabel('Trial date').fill(today)
    assert.deepEqual(await accessibilityProblems(page), [])
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('heading', { name: 'Amira Haddad', level: 1, exact: true }).waitFor()
    await page.getByText('Saved.').waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    await page.goBack()
    await page.goBack()
    await page.getByRole('link', { name: 'Trials (calendar)' }).click()
    const day = page.locator('ol.col-month > li.busy')
    await day.waitFor()
    assert.equal(await day.count(), 1)
    assert.equal(await day.getByRole('link').innerText(), 'Amira Haddad')
    assert.deepEqual(await accessibilityProblems(page), [])
    // A gallery: a card per sign-up (no file field, so no pictures).
    await page.getByText('Save a view').click()
    await page.getByLabel('View name').fill('Cards')
    await page.locator('#view-kind').selectOption('gallery')
    await page.getByRole('button', { name: 'Save view' }).click()
    await page.getByRole('link', { name: 'Cards (gallery)' }).waitFor()
    await page.locator('ul.col-gallery .col-card h3').first().waitFor()
    assert.sameMembers(await page.locator('ul.col-gallery .col-card h3').allInnerTexts(), [
      'Amira Haddad',
      'Leo Park',
    ])
    assert.deepEqual(await accessibilityProblems(page), [])

    await page.getByRole('link', { name: 'Automations', exact: true }).click()
    await page.getByRole('link', { name: 'Run log of Tell the coach' }).click()
    await page.getByRole('heading', { name: 'Run log of Tell the coach', level: 1 }).waitFor()
    const runs = page.locator('table tbody tr')
    const amiraRun = runs.filter({ hasText: `#${signUp.id}` })
    await amiraRun.waitFor()
    assert.include(await amiraRun.innerText(), 'done')
    assert.include(await amiraRun.innerText(), 'collections.sports_club_sign_ups.created')
    assert.deepEqual(await accessibilityProblems(page), [])

    // 9. On a phone, in Arabic: the board right to left in one column, nothing scrolling sideways.
    await page.setViewportSize(PHONE)
    await page.evaluate(() => (globalThis as any).localStorage.setItem('oryne.app.locale', 'ar'))
    await page.goto(boardUrl)
    await page.getByRole('link', { name: 'السجلات وطرق العرض' }).waitFor()
    await page.getByRole('heading', { name: /^Chess / }).waitFor()
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl')
    assert.deepEqual(await cardsUnder(page, 'Chess'), ['Amira Haddad'])
    assert.notMatch(await page.locator('body').innerText(), /\bcol\.[a-z]/)
    assert.isAtMost(
      await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth),
      PHONE.width
    )
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'collections-board-ar-phone')

    // 10. Deleting the collection asks for its name typed; its records go to a backup table.
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.evaluate(() => (globalThis as any).localStorage.removeItem('oryne.app.locale'))
    await page.goto(`${baseUrl}/app/collections/${NAME}`)
    await page.getByRole('button', { name: 'Delete collection' }).click()
    const confirm = page.getByRole('dialog', { name: 'Delete “Sports club sign-ups”?' })
    const deleteButton = confirm.getByRole('button', { name: 'Delete collection' })
    assert.isTrue(await deleteButton.isDisabled())
    await confirm.getByLabel(`Type ${NAME} to confirm`).fill(NAME)
    assert.deepEqual(await accessibilityProblems(page), [])
    await deleteButton.click()
    await page.getByText(/^Collection “Sports club sign-ups” deleted/).waitFor()
    await page.getByText('No collections yet. Start one with New collection.').waitFor()
    const tables = await inTenant(tenant, (trx) =>
      trx
        .from('pg_tables')
        .where('schemaname', tenant.schema_name)
        .where('tablename', 'like', `col%${NAME}%`)
        .select('tablename')
    )
    const names = tables.map((table: { tablename: string }) => table.tablename)
    // The records' table renamed (colbak_<name>_<unix time>), beside the removed Notes' backup (…_v1).
    assert.notInclude(names, `col_${NAME}`)
    assert.isTrue(names.some((name: string) => new RegExp(`^colbak_${NAME}_\\d{10}$`).test(name)))

    assert.deepEqual([...office.problems, ...office.elsewhere], [])
    assert.deepEqual(pagesNotCheckedByAxe(browser), [])
  }).timeout(180_000)
})
