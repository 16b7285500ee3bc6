import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import app from '@adonisjs/core/services/app'
import type { Browser, Page } from 'playwright-core'
import { resourceCatalogOf } from '#core/resources/catalog'
import { addCustomField } from '#core/resources/custom_fields'
import jobs from '#core/services/jobs'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { createUser, PASSWORD } from '#tests/support/auth'
import {
  accessibilityProblems,
  demoSchool,
  openApp,
  pagesNotCheckedByAxe,
  PHONE,
  shot,
  signInApp,
  signInDemo,
  startBrowser,
} from '#tests/support/web'

/*
 * Generated views (docs/web.md, "Generated views"): the clubs fixture plugin
 * ships no UI code, yet its records are listed, searched, filtered, sorted,
 * exported, shown, created, edited and deleted in the web app.
 */

function inTenant<T = any>(tenant: Tenant, fn: (trx: any) => Promise<T>) {
  return tenantContext.run(tenant, () => withTenantDb(fn))
}

/** The rows of the list table, by their first cell, once the list has loaded. */
async function listedNames(page: Page) {
  await page.locator('.data-scroll[aria-busy="false"] tbody tr').first().waitFor()
  return page.locator('.data-table tbody tr td:first-child').allInnerTexts()
}

/** The list's first cells once they are `expected` (a list reloads after its address changes); what they are after 10 s otherwise. */
async function rowsBecome(page: Page, expected: string[]) {
  const deadline = Date.now() + 10_000
  let names = await listedNames(page)
  while (JSON.stringify(names) !== JSON.stringify(expected) && Date.now() < deadline) {
    await page.waitForTimeout(100)
    names = await listedNames(page)
  }
  return names
}

test.group('Web app: generated views of declared resources', (group) => {
  let browser: Browser
  let baseUrl: string
  let tenant: Tenant
  const admin = () => ({
    school: tenant.slug,
    email: `records-admin@${tenant.slug}.example`,
    password: PASSWORD,
  })

  group.setup(async () => {
    const started = await startBrowser()
    browser = started.browser
    baseUrl = started.baseUrl
    tenant = (await demoSchool()).tenant
    const plugins = await app.container.make('oryne.plugins')
    await plugins.enable(tenant, ['clubs'], { actor: 'test' })
    await createUser(tenant, { email: admin().email, role: 'TenantAdmin' })
    // A field the school added to clubs: the form shows it in a fieldset of its own.
    await tenantContext.run(tenant, () =>
      addCustomField(
        resourceCatalogOf(plugins).get('clubs.clubs')!,
        { name: 'motto', type: 'string', max: 60, description: 'The club’s motto' },
        { principal: { kind: 'platform', id: 'platform', roles: [], can: () => true } }
      )
    )
    await jobs.work(['reports'])
    await inTenant(tenant, (trx) =>
      trx
        .insertQuery()
        .table('clubs_clubs')
        .insert({ name: 'Art Circle', category: 'arts', open_to_new: false, budget: '80.00' })
    )
    return started.stop
  })

  test('a tenant admin creates, finds, sorts, edits, exports and deletes a club', async ({
    assert,
  }) => {
    const { accounts } = await demoSchool()
    const teacher = await inTenant(tenant, (trx) =>
      trx.from('users').where('email', accounts.Teacher).first()
    )
    // The device is in New York, the school in UTC: times are shown and entered on the school's clock.
    const { page, problems, elsewhere } = await openApp(browser, baseUrl, {
      timezoneId: 'America/New_York',
    })
    assert.equal(await page.evaluate('new Date(Date.UTC(2031, 2, 2, 2, 30)).getHours()'), 21)
    await signInApp(page, baseUrl, admin())

    // The plugin's records navigation entry leads to its generated list.
    const nav = page.locator('#app-nav')
    await nav.getByRole('link', { name: 'Records' }).waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    await nav.getByRole('link', { name: 'Clubs', exact: true }).click()
    await page.waitForURL(`${baseUrl}/app/data/clubs/clubs`)
    await page.getByRole('heading', { name: 'Clubs', level: 1 }).waitFor()
    assert.deepEqual(await rowsBecome(page, ['Art Circle']), ['Art Circle'])

    // A new club: the API's refusal first, shown next to its field.
    await page.getByRole('button', { name: 'New', exact: true }).click()
    await page.getByRole('heading', { name: 'New record: Clubs', level: 1 }).waitFor()
    await page.getByLabel('Name').fill('Chess Masters')
    // Enum values read as the plugin's catalogue names them.
    await page.getByLabel('Category').selectOption({ label: 'Debating' })
    await page.getByLabel('Founded on').fill('2025-09-01')
    await page.getByLabel('Next meeting at').fill('2031-03-02T02:30')
    assert.include(
      await page.locator('#field-next_meeting_at-hint').innerText(),
      'School time (UTC)'
    )
    await page.getByLabel('Room').fill('B12')
    await page.getByLabel('Max members').fill('30')
    await page.getByLabel('Budget').fill('1234567.5')
    await page
      .getByRole('group', { name: 'Fields added by your school' })
      .getByLabel('Motto')
      .fill('Think ahead')
    await page.getByLabel('Find Advisor').fill(accounts.Teacher.split('@')[0])
    const advisor = page.getByLabel('Advisor', { exact: true })
    await advisor.locator(`option[value="${teacher.id}"]`).waitFor({ state: 'attached' })
    await advisor.selectOption(teacher.id)
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('alert').waitFor()
    const budget = page.getByLabel('Budget')
    assert.equal(await budget.getAttribute('aria-invalid'), 'true')
    const described = await budget.getAttribute('aria-describedby')
    assert.match(await page.locator(`#${described}`).innerText(), /^The budget field must/)
    assert.include(await page.getByRole('alert').innerText(), 'ERR_VALIDATION')
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'records-form-refused')
    assert.notExists(
      await inTenant(tenant, (trx) =>
        trx.from('clubs_clubs').where('name', 'Chess Masters').first()
      )
    )

    await budget.fill('150.25')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('heading', { name: 'Chess Masters', level: 1 }).waitFor()
    await page.getByText('Created.').waitFor()
    const stored = await inTenant(tenant, (trx) =>
      trx.from('clubs_clubs').where('name', 'Chess Masters').first()
    )
    assert.equal(new Date(stored.next_meeting_at).toISOString(), '2031-03-02T02:30:00.000Z')
    assert.containsSubset(stored, {
      category: 'debate',
      room: 'B12',
      max_members: 30,
      budget: '150.25',
      open_to_new: true,
      advisor_id: teacher.id,
      custom: { motto: 'Think ahead' },
    })
    // The reference reads as the advisor's name; the date in the tenant's format.
    const details = page.locator('.data-record')
    assert.include(await details.innerText(), teacher.name ?? teacher.email)
    assert.notInclude(await details.innerText(), '2025-09-01')
    assert.include(await details.innerText(), 'Think ahead')
    assert.include(await details.innerText(), 'Debating')
    // 02:30 at school, not 21:30 the day before as the device's clock would say.
    assert.match(await details.innerText(), /Mar 2, 2031, 2:30\sAM/)
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'records-detail')

    // Found by search, then by a filter; sorted by a column header.
    await page.getByRole('link', { name: 'Back to Clubs' }).click()
    await page.getByLabel('Search Clubs').fill('chess')
    await page.getByLabel('Search Clubs').press('Enter')
    await page.waitForURL(/search=chess/)
    assert.deepEqual(await rowsBecome(page, ['Chess Masters']), ['Chess Masters'])
    await page.getByLabel('Search Clubs').fill('')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.waitForURL(`${baseUrl}/app/data/clubs/clubs`)
    await page.getByText('Filters').click()
    await page.getByLabel('Category').selectOption({ label: 'Arts and crafts' })
    await page.waitForURL(/filter%5Bcategory%5D%5Beq%5D=arts/)
    assert.deepEqual(await rowsBecome(page, ['Art Circle']), ['Art Circle'])
    assert.include(await page.locator('.data-table tbody').innerText(), 'Arts and crafts')
    await page.getByLabel('Category').selectOption('')
    // Text that contains, a number range, a reference, a day of the school's calendar.
    await page.getByLabel('Name contains').fill('circ')
    await page.getByLabel('Name contains').press('Enter')
    await page.waitForURL(/filter%5Bname%5D%5Bcontains%5D=circ/)
    assert.deepEqual(await rowsBecome(page, ['Art Circle']), ['Art Circle'])
    await page.getByLabel('Name contains').fill('')
    await page.getByLabel('Name contains').press('Enter')
    await page.getByLabel('Max members from').fill('25')
    await page.getByLabel('Max members from').press('Enter')
    await page.waitForURL(/filter%5Bmax_members%5D%5Bgte%5D=25/)
    assert.deepEqual(await rowsBecome(page, ['Chess Masters']), ['Chess Masters'])
    await page.getByLabel('Max members from').fill('')
    await page.getByLabel('Max members from').press('Enter')
    await page.getByLabel('Find Advisor').fill(accounts.Teacher.split('@')[0])
    const advisorFilter = page.locator('#filter-advisor_id')
    await advisorFilter.locator(`option[value="${teacher.id}"]`).waitFor({ state: 'attached' })
    await advisorFilter.selectOption(teacher.id)
    await page.waitForURL(/filter%5Badvisor_id%5D%5Beq%5D=/)
    assert.deepEqual(await rowsBecome(page, ['Chess Masters']), ['Chess Masters'])
    await advisorFilter.selectOption('')
    await page.getByLabel('Next meeting at from').fill('2031-03-02')
    await page.getByLabel('Next meeting at to').fill('2031-03-02')
    // The school's day, from its first instant to its last: the device's zone plays no part.
    await page.waitForURL(/next_meeting_at%5D%5Blte%5D=2031-03-02T23%3A59%3A59.999Z/)
    assert.include(page.url(), 'next_meeting_at%5D%5Bgte%5D=2031-03-02T00%3A00%3A00.000Z')
    assert.deepEqual(await rowsBecome(page, ['Chess Masters']), ['Chess Masters'])
    assert.equal(await page.getByLabel('Next meeting at from').inputValue(), '2031-03-02')
    await page.getByRole('button', { name: 'Clear filters' }).click()
    await page.waitForURL(`${baseUrl}/app/data/clubs/clubs`)
    await page.getByLabel('Open to new').selectOption('true')
    await page.waitForURL(/open_to_new/)
    assert.deepEqual(await rowsBecome(page, ['Chess Masters']), ['Chess Masters'])
    await page.getByLabel('Open to new').selectOption('')
    await page.waitForURL(`${baseUrl}/app/data/clubs/clubs`)
    assert.deepEqual(await rowsBecome(page, ['Art Circle', 'Chess Masters']), [
      'Art Circle',
      'Chess Masters',
    ])
    await page.getByRole('button', { name: 'Name', exact: true }).click()
    await page.waitForURL(/sort=-name/)
    assert.equal(
      await page.getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort'),
      'descending'
    )
    assert.deepEqual(await rowsBecome(page, ['Chess Masters', 'Art Circle']), [
      'Chess Masters',
      'Art Circle',
    ])
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'records-list')

    // The CSV export of the current filter, read from the downloaded file.
    await page.getByLabel('Category').selectOption({ label: 'Debating' })
    await page.waitForURL(/category/)
    assert.deepEqual(await rowsBecome(page, ['Chess Masters']), ['Chess Masters'])
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ])
    const csv = await readFile((await download.path())!, 'utf8')
    assert.include(csv, 'Chess Masters')
    assert.notInclude(csv, 'Art Circle')
    await page.getByText('Export downloaded (1 row).').waitFor()

    // Edited: only what changed is sent.
    await page.getByRole('link', { name: 'Chess Masters' }).click()
    await page.getByRole('button', { name: 'Edit' }).click()
    await page.getByRole('heading', { name: 'Edit Chess Masters', level: 1 }).waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    assert.equal(await page.getByLabel('Next meeting at').inputValue(), '2031-03-02T02:30')
    await page.getByLabel('Room').fill('C7')
    await page.getByLabel('Open to new').uncheck()
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Saved.').waitFor()
    const edited = await inTenant(tenant, (trx) =>
      trx.from('clubs_clubs').where('id', stored.id).first()
    )
    assert.containsSubset(edited, { room: 'C7', open_to_new: false, budget: '150.25' })

    // Deleted after a confirmation.
    await page.getByRole('button', { name: 'Delete' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete this record?' })
    await dialog.waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'records-delete-dialog')
    await dialog.getByRole('button', { name: 'Delete' }).click()
    await page.waitForURL(`${baseUrl}/app/data/clubs/clubs`)
    await page.getByText('Deleted.').waitFor()
    assert.notExists(
      await inTenant(tenant, (trx) => trx.from('clubs_clubs').where('id', stored.id).first())
    )
    assert.deepEqual(problems, [])
    assert.deepEqual(elsewhere, [])
  })

  test('a teacher without create rights sees no New button, masked budgets, and the refusal if forced', async ({
    assert,
  }) => {
    const { page, problems } = await openApp(browser, baseUrl)
    await signInDemo(page, baseUrl, 'Teacher')
    await page.goto(`${baseUrl}/app/data/clubs/clubs`)
    await page.getByRole('heading', { name: 'Clubs', level: 1 }).waitFor()
    await listedNames(page)
    assert.equal(await page.getByRole('button', { name: 'New', exact: true }).count(), 0)
    const row = page.locator('.data-table tbody tr', { hasText: 'Art Circle' })
    assert.include(await row.innerText(), '***')
    assert.notInclude(await row.innerText(), '80')

    await page.goto(`${baseUrl}/app/data/clubs/clubs/new`)
    await page.getByLabel('Name').fill('Forced Club')
    await page.getByLabel('Category').selectOption('sports')
    await page.getByRole('button', { name: 'Save' }).click()
    const alert = page.getByRole('alert')
    await alert.waitFor()
    assert.include(await alert.innerText(), 'ERR_FORBIDDEN')
    assert.notExists(
      await inTenant(tenant, (trx) => trx.from('clubs_clubs').where('name', 'Forced Club').first())
    )
    assert.deepEqual(problems, [])
  })

  test('at phone width, in Arabic, the list scrolls inside its box and the controls are translated', async ({
    assert,
  }) => {
    const { page, problems } = await openApp(browser, baseUrl, { viewport: PHONE })
    await signInApp(page, baseUrl, admin())
    await page.goto(`${baseUrl}/app/data/clubs/clubs`)
    await listedNames(page)
    const widths: { page: number; window: number } = await page.evaluate(
      '({ page: document.documentElement.scrollWidth, window: window.innerWidth })'
    )
    assert.isAtMost(widths.page, widths.window)
    // The table is wider than the phone: it scrolls inside its own box.
    const box: { scroll: number; client: number } = await page.evaluate(
      "(() => { const box = document.querySelector('.data-scroll'); return { scroll: box.scrollWidth, client: box.clientWidth } })()"
    )
    assert.isAbove(box.scroll, box.client)
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'records-list-phone')
    await page.getByRole('button', { name: 'New', exact: true }).click()
    await page.getByLabel('Name').waitFor()
    const formWidth: number = await page.evaluate('document.documentElement.scrollWidth')
    assert.isAtMost(formWidth, widths.window)
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'records-form-phone')

    await page.evaluate("localStorage.setItem('oryne.app.locale', 'ar')")
    await page.goto(`${baseUrl}/app/data/clubs/clubs`)
    await page.getByRole('button', { name: 'تصدير CSV' }).waitFor()
    assert.equal(await page.evaluate('document.documentElement.dir'), 'rtl')
    await page.getByRole('button', { name: 'بحث', exact: true }).waitFor()
    await page.getByText('عوامل التصفية').waitFor()
    await listedNames(page)
    assert.include(await page.locator('.data-table tbody').innerText(), 'فنون وحِرف')
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'records-list-phone-arabic')
    await page.goto(`${baseUrl}/app/data`)
    await page.getByRole('heading', { name: 'السجلات', level: 1 }).waitFor()
    await page.getByRole('link', { name: 'Clubs' }).first().waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    assert.deepEqual(problems, [])
  })

  test('axe-core ran on every page of the app this spec opened', ({ assert }) => {
    assert.deepEqual(pagesNotCheckedByAxe(browser), [])
  })
})
