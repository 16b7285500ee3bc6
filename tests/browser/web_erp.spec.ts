import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import type { Browser, Page } from 'playwright-core'
import { insertRows } from '@oryne/sdk'
import { tenantDb } from '@oryne/sdk/testing'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs } from '#tests/support/access'
import {
  accessibilityProblems,
  demoSchool,
  openApp,
  pagesNotCheckedByAxe,
  PHONE,
  shot,
  signInDemo,
  startBrowser,
  tabTo,
} from '#tests/support/web'

/*
 * The ERP pages of the web app (docs/web.md, "ERP pages") in Chromium against
 * the demo school: the teacher's timetable and roll call, the student's
 * timetable, the parent's attendance and fees, the staff's fee desk and
 * admissions board. Each flow checks what the user sees and what the server kept.
 */

const ROLL_SIZE = 40

/** The API as the person signed in on `page` (their session in localStorage). */
async function apiOn(
  page: Page,
  path: string,
  init: { method?: string; body?: unknown } = {}
): Promise<{ status: number; data: any }> {
  return page.evaluate(
    async ([url, method, body]) => {
      const session = JSON.parse(localStorage.getItem('oryne.app.session') ?? 'null')
      const response = await fetch(url, {
        method,
        headers: {
          'Authorization': `Bearer ${session.access_token}`,
          'X-Tenant-ID': session.tenant,
          'Content-Type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return {
        status: response.status,
        data: null,
        ...((await response.json()) as Record<string, any>),
      }
    },
    [path, init.method ?? 'GET', init.body] as const
  )
}

/**
 * A section of 40 students (the demo's have 10) with a class of teacher1
 * today, in a seventh period the demo timetable leaves free.
 */
async function seedRoll(tenant: Tenant, teacherEmail: string, today: string) {
  return tenantDb(tenant, async (trx) => {
    const teacher = await trx.from('erp_teachers').where('email', teacherEmail).firstOrFail()
    const subject = await trx.from('erp_subjects').orderBy('id').firstOrFail()
    const [klass] = await insertRows(trx, 'erp_classes', [{ name: 'Grade 11', grade_level: 11 }])
    const [section] = await insertRows(trx, 'erp_sections', [
      { class_id: klass.id, name: 'R', capacity: ROLL_SIZE },
    ])
    const first = ['Aiko', 'Bruno', 'Celia', 'Dmitri', 'Esme', 'Farid', 'Greta', 'Hassan']
    const last = ['Abbott', 'Baker', 'Carver', 'Dalton', 'Ellis']
    await insertRows(
      trx,
      'erp_students',
      Array.from({ length: ROLL_SIZE }, (_, i) => ({
        enrollment_no: `ROLL-${String(i + 1).padStart(3, '0')}`,
        first_name: first[i % first.length],
        last_name: last[Math.floor(i / first.length)],
        class_id: klass.id,
        section_id: section.id,
        status: 'active',
      }))
    )
    const [period] = await insertRows(trx, 'erp_periods', [
      { name: 'Period 7', position: 7, starts_at: '15:00', ends_at: '15:50' },
    ])
    await insertRows(trx, 'erp_timetable_slots', [
      {
        weekday: DateTime.fromISO(today).weekday,
        period_id: period.id,
        section_id: section.id,
        teacher_id: teacher.id,
        subject_id: subject.id,
      },
    ])
    return { sectionId: String(section.id), title: 'Grade 11 R' }
  })
}

/** Sums the attendance of a section on one date, as the API counts it. */
async function rollCounts(page: Page, sectionId: string, date: string) {
  const answer = await apiOn(
    page,
    `/api/v1/erp/attendance/summary?from=${date}&to=${date}&section_id=${sectionId}`
  )
  const rows: Array<Record<string, number>> = answer.data
  const sum = (key: string) => rows.reduce((total, row) => total + row[key], 0)
  return {
    students: rows.length,
    present: sum('present'),
    absent: sum('absent'),
    late: sum('late'),
  }
}

test.group('Web app: ERP pages in a browser', (group) => {
  let browser: Browser
  let baseUrl: string
  let tenant: Tenant
  let accounts: Record<string, string>
  let today: string

  group.setup(async () => {
    const started = await startBrowser()
    browser = started.browser
    baseUrl = started.baseUrl
    ;({ tenant, accounts } = await demoSchool())
    today = DateTime.now()
      .setZone(tenant.settings.time_zone || 'UTC')
      .toISODate()!
    return started.stop
  })
  group.each.timeout(180_000)

  test('a teacher sees today’s timetable and takes attendance for 40 students on a phone', async ({
    assert,
  }) => {
    const roll = await seedRoll(tenant, accounts.Teacher, today)
    const { page, problems, elsewhere } = await openApp(browser, baseUrl, { viewport: PHONE })
    await signInDemo(page, baseUrl, 'Teacher')
    await page.getByRole('heading', { name: 'Today', level: 2 }).waitFor()
    await page.getByText(/^Next: |^No more classes today/).waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])

    await page.goto(`${baseUrl}/app/erp/timetable`)
    await page.getByRole('heading', { name: 'My timetable', level: 1 }).waitFor()
    const take = page.getByRole('link', { name: `Take attendance of ${roll.title}` })
    await take.waitFor()
    const mine = await apiOn(page, `/api/v1/erp/timetable/mine?from=${today}`)
    assert.equal(await page.locator('ol.erp-classes > li').count(), mine.data.days[0].slots.length)
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'erp-teacher-today-phone')

    await page.getByRole('button', { name: 'This week' }).click()
    await page.getByRole('heading', { name: /^Monday · / }).waitFor()
    assert.isAtLeast(await page.locator('section.erp-day').count(), 5)
    await page.getByRole('button', { name: 'Today' }).click()

    await take.click()
    await page.getByRole('heading', { name: `Attendance: ${roll.title}`, level: 1 }).waitFor()
    const save = page.getByRole('button', { name: 'Save attendance' })
    await save.waitFor()
    const marks = page.locator('ul.erp-roll button')
    assert.equal(await marks.count(), ROLL_SIZE)
    assert.equal(
      await page.locator('.erp-summary').innerText(),
      `${ROLL_SIZE} present, 0 absent, 0 late, 0 excused (${ROLL_SIZE} students)`
    )
    assert.deepEqual(await accessibilityProblems(page), [])
    const names = await page.locator('ul.erp-roll .erp-name').allInnerTexts()

    // Keyboard only: Tab from student to student, Space once for absent, twice for late; Tab on to Save.
    const absent = [2, 17, 33]
    const late = [9, 26]
    const started = performance.now()
    await marks.first().focus()
    let at = 0
    for (const index of [...absent, ...late].sort((a, b) => a - b)) {
      for (; at < index; at++) await page.keyboard.press('Tab')
      await page.keyboard.press('Space')
      if (late.includes(index)) await page.keyboard.press('Space')
    }
    for (; at < ROLL_SIZE - 1; at++) await page.keyboard.press('Tab')
    await page.keyboard.press('Tab') // Mark all present
    await page.keyboard.press('Tab') // Save attendance
    assert.equal(
      await page.evaluate(() => (globalThis as any).document.activeElement?.textContent),
      'Save attendance'
    )
    await page.keyboard.press('Enter')
    const status = page.getByRole('status').filter({ hasText: 'Attendance saved' })
    await status.waitFor()
    const seconds = (performance.now() - started) / 1000
    console.log(
      `  ERP roll call in Chromium: ${ROLL_SIZE} students, ${absent.length} absent and ${late.length} late marked by keyboard and saved in ${seconds.toFixed(2)} s (goal: under 30 s)`
    )
    // The bar, with room for a slow machine (it takes 0.5–2 s here): the measure is printed above.
    assert.isBelow(seconds, 30)
    assert.equal(
      await status.innerText(),
      `Attendance saved for ${ROLL_SIZE} students: 35 present, 3 absent, 2 late, 0 excused (${ROLL_SIZE} students)`
    )
    await shot(page, 'erp-teacher-roll-saved-phone')
    assert.deepEqual(await rollCounts(page, roll.sectionId, today), {
      students: ROLL_SIZE,
      present: 35,
      absent: 3,
      late: 2,
    })

    // Re-opening shows what was saved; one absent student turns out late: one press, one save.
    await page.reload()
    await page.getByText('Attendance was already taken for this date').waitFor()
    const corrected = page
      .locator('ul.erp-roll li', { hasText: names[absent[0]] })
      .getByRole('button')
    assert.match(await corrected.innerText(), /Absent$/)
    assert.equal(await corrected.getAttribute('aria-pressed'), 'true')
    assert.equal(
      await page.locator('.erp-summary').innerText(),
      `35 present, 3 absent, 2 late, 0 excused (${ROLL_SIZE} students)`
    )
    await corrected.click()
    await corrected.filter({ hasText: 'Late' }).waitFor()
    await save.click()
    await page.getByRole('status').filter({ hasText: 'Attendance saved' }).waitFor()
    assert.deepEqual(await rollCounts(page, roll.sectionId, today), {
      students: ROLL_SIZE,
      present: 35,
      absent: 2,
      late: 3,
    })
    assert.isAtMost(
      await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth),
      PHONE.width,
      'no horizontal scroll at phone width'
    )

    // In Arabic, right to left: the same roll call from the catalogue.
    await page.evaluate(() => (globalThis as any).localStorage.setItem('oryne.app.locale', 'ar'))
    await page.reload()
    await page.getByRole('heading', { name: `الحضور: ${roll.title}`, level: 1 }).waitFor()
    await page.getByRole('button', { name: 'حفظ الحضور' }).waitFor()
    assert.include(await page.locator('.erp-summary').innerText(), 'متأخرون')
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'erp-teacher-roll-ar-phone')
    assert.deepEqual(problems, [])
    assert.deepEqual(elsewhere, [])
  })

  test('a student sees their timetable for today and the week, in English and Arabic', async ({
    assert,
  }) => {
    const { page, problems } = await openApp(browser, baseUrl)
    await signInDemo(page, baseUrl, 'Student')
    const nav = page.getByRole('navigation', { name: 'Main' }).first()
    await nav.getByRole('link', { name: 'My timetable' }).click()
    await page.getByRole('heading', { name: 'My timetable', level: 1 }).waitFor()
    const mine = await apiOn(page, `/api/v1/erp/timetable/mine?from=${today}`)
    assert.equal(mine.data.as, 'student')
    const expected = mine.data.days[0].slots.length
    if (expected) await page.locator('ol.erp-classes > li').first().waitFor()
    else await page.getByText('No classes').waitFor()
    assert.equal(await page.locator('ol.erp-classes > li').count(), expected)
    assert.equal(await page.getByRole('link', { name: /Take attendance/ }).count(), 0)
    await page.getByRole('button', { name: 'This week' }).click()
    await page.getByRole('heading', { name: /^Monday · / }).waitFor()
    const week = await apiOn(page, `/api/v1/erp/timetable/mine?from=${today}&days=7`)
    assert.isAbove(
      week.data.days.reduce((sum: number, day: { slots: unknown[] }) => sum + day.slots.length, 0),
      0
    )
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'erp-student-week')

    // Arabic: the same page right to left, every string from the catalogue.
    await page.evaluate(() => localStorage.setItem('oryne.app.locale', 'ar'))
    await page.reload()
    await page.getByRole('heading', { name: 'جدولي', level: 1 }).waitFor()
    assert.equal(await page.evaluate(() => (globalThis as any).document.documentElement.dir), 'rtl')
    await page.getByRole('button', { name: 'هذا الأسبوع' }).click()
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'erp-student-week-ar')
    assert.deepEqual(problems, [])
  })

  test('a parent sees the child’s attendance, fees and a notice on a phone, by keyboard', async ({
    assert,
  }) => {
    const { page, problems } = await openApp(browser, baseUrl, { viewport: PHONE })
    await signInDemo(page, baseUrl, 'Parent')
    await page.getByRole('heading', { name: 'Fees due', level: 2 }).waitFor()
    await page.getByRole('heading', { name: 'Attendance this week', level: 2 }).waitFor()
    await page.getByText(/ due on \d+ invoices|Nothing due\./).waitFor()
    await shot(page, 'erp-parent-home-phone')

    const children = (await apiOn(page, '/api/v1/erp/students')).data
    assert.lengthOf(children, 1)
    const child = children[0]
    // The demo's attendance may lie further back than 30 days: three recent days of the child's.
    await tenantDb(tenant, (trx) =>
      insertRows(
        trx,
        'erp_attendance_marks',
        (['present', 'absent', 'late'] as const).map((status, back) => ({
          student_id: child.id,
          date: DateTime.fromISO(today).minus({ days: back }).toISODate(),
          session: 'day',
          status,
        }))
      )
    )
    const name = `${child.first_name} ${child.last_name}`
    const invoices = (await apiOn(page, `/api/v1/erp/invoices?filter[student_id][eq]=${child.id}`))
      .data
    assert.isAbove(invoices.length, 0)

    // Keyboard only, as on a phone with a keyboard: Tab to the menu, Enter, Tab to the page, Enter.
    await page.goto(`${baseUrl}/app`)
    await page.getByRole('heading', { name: 'Fees due', level: 2 }).waitFor()
    await tabTo(page, page.getByRole('button', { name: 'Menu' }))
    await page.keyboard.press('Enter')
    await tabTo(page, page.locator('#app-nav').getByRole('link', { name: 'My children' }))
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'My children', level: 1 }).waitFor()
    await page.getByRole('heading', { name, level: 2 }).waitFor()
    await page.getByText(/^Last 30 days: .+ present$/).waitFor()
    const summary = (
      await apiOn(
        page,
        `/api/v1/erp/attendance/summary?from=${DateTime.fromISO(today).minus({ days: 29 }).toISODate()}&to=${today}&student_id=${child.id}`
      )
    ).data[0]
    assert.equal(
      await page.locator('.erp-child p.muted').first().innerText(),
      `${summary.present} present, ${summary.absent} absent, ${summary.late} late, ${summary.excused} excused`
    )
    assert.isAbove(await page.locator('ul.erp-days > li').count(), 0)
    await page.getByRole('heading', { name: 'Today’s classes', level: 3 }).waitFor()
    const classes = await apiOn(
      page,
      `/api/v1/erp/timetable/mine?from=${today}&student_id=${child.id}`
    )
    assert.equal(
      await page.locator('.erp-child ol.erp-classes > li').count(),
      classes.data.days[0].slots.length
    )
    const row = page.locator(`tr[data-invoice="${invoices[0].number}"]`)
    await row.waitFor()
    const status = {
      open: 'Open',
      partially_paid: 'Partly paid',
      paid: 'Paid',
      cancelled: 'Cancelled',
    }[invoices[0].status as string]!
    assert.equal(await row.locator('td').nth(4).innerText(), status)
    assert.deepEqual(await accessibilityProblems(page), [])
    assert.isAtMost(
      await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth),
      PHONE.width
    )
    await shot(page, 'erp-parent-children-phone')

    // Back home, this week's widget counts the day marked today.
    await page.goto(`${baseUrl}/app`)
    await page.getByText(new RegExp(`^${name}: .+ present$`)).waitFor()

    // A notice from the school (the ERP's fee reminder, sent by an admin) reaches the parent's
    // inbox live; opened from the menu by keyboard.
    const admin = await signedInAs(tenant, `admin-notice@${tenant.slug}.example`, ['TenantAdmin'])
    const me = (await apiOn(page, '/api/v1/app/context')).data.user.id
    const unread = (await apiOn(page, '/api/v1/notifications/unread-count')).data.unread
    const sent = await fetch(`${baseUrl}/api/v1/admin/notifications/send`, {
      method: 'POST',
      headers: {
        'Authorization': `Bearer ${admin}`,
        'X-Tenant-ID': tenant.slug,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        user_ids: [me],
        template: 'erp.fee_reminder',
        data: {
          invoice_number: invoices[0].number,
          student_name: name,
          balance: '120.00',
          when: 'is due on Friday',
        },
      }),
    })
    assert.equal(sent.status, 202)
    // The header's count goes up without a reload (the live stream).
    await page.locator('.app-header .unread-badge', { hasText: String(unread + 1) }).waitFor()
    await tabTo(page, page.getByRole('button', { name: 'Menu' }))
    await page.keyboard.press('Enter')
    await tabTo(page, page.locator('#app-nav').getByRole('link', { name: 'Notifications' }))
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor()
    await page
      .locator('ul.notifications li', {
        hasText: `Fee reminder: invoice ${invoices[0].number} for ${name}`,
      })
      .waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'erp-parent-notice-phone')
    assert.deepEqual(problems, [])
  })

  test('staff record a fee payment at the desk and move an applicant through admissions', async ({
    assert,
  }) => {
    const { page, problems } = await openApp(browser, baseUrl)
    await signInDemo(page, baseUrl, 'Staff')
    const debtor = await tenantDb(tenant, (trx) =>
      trx
        .from('erp_invoices as i')
        .join('erp_students as s', 's.id', 'i.student_id')
        .where('i.status', 'open')
        .whereNull('s.user_id')
        .orderBy('i.id', 'desc')
        .select('i.id', 'i.number', 's.enrollment_no', 's.first_name', 's.last_name')
        .first()
    )

    const nav = page.getByRole('navigation', { name: 'Main' }).first()
    await nav.getByRole('link', { name: 'Fee collection' }).click()
    await page.getByRole('heading', { name: 'Fee collection', level: 1 }).waitFor()
    await page.getByLabel('Find a student').fill(debtor.enrollment_no)
    await page.keyboard.press('Enter')
    await page.getByRole('button', { name: new RegExp(`${debtor.enrollment_no}$`) }).click()
    await page.getByRole('heading', { name: `Record a payment on ${debtor.number}` }).waitFor()
    await page.getByLabel('Method').selectOption('bank_transfer')
    await page.getByLabel('Reference (optional)').fill('TRF-2026-0042')
    assert.deepEqual(await accessibilityProblems(page), [])
    await page.getByRole('button', { name: 'Record payment' }).click()
    const recorded = page.getByRole('status').filter({ hasText: 'recorded: receipt RCT' })
    await recorded.waitFor()
    await page
      .locator(`tr[data-invoice="${debtor.number}"] td`)
      .last()
      .filter({ hasText: 'Paid' })
      .waitFor()
    await shot(page, 'erp-staff-fee-desk')
    const invoice = (await apiOn(page, `/api/v1/erp/invoices/${debtor.id}`)).data
    assert.equal(invoice.status, 'paid')
    const payments = (await apiOn(page, `/api/v1/erp/payments?filter[invoice_id][eq]=${debtor.id}`))
      .data
    assert.lengthOf(payments, 1)
    assert.include(payments[0], { method: 'bank_transfer', reference: 'TRF-2026-0042' })
    assert.include(await recorded.innerText(), payments[0].receipt_no)

    // Admissions: an applicant moves from draft to submitted to under review on the board.
    const classId = (await apiOn(page, '/api/v1/erp/classes?per_page=1')).data[0].id
    const campaign = await apiOn(page, '/api/v1/erp/admission_campaigns', {
      method: 'POST',
      body: {
        name: 'Next year intake',
        class_id: classId,
        seats: 30,
        opens_on: today,
        closes_on: DateTime.fromISO(today).plus({ days: 60 }).toISODate(),
      },
    })
    assert.equal(campaign.status, 201)
    const applicant = await apiOn(page, '/api/v1/erp/applicants', {
      method: 'POST',
      body: {
        campaign_id: campaign.data.id,
        first_name: 'Layla',
        last_name: 'Haddad',
        guardian_name: 'Samir Haddad',
        guardian_email: 'samir.haddad@example.org',
      },
    })
    assert.equal(applicant.status, 201)
    await nav.getByRole('link', { name: 'Admissions' }).click()
    await page.getByRole('heading', { name: 'Admissions', level: 1 }).waitFor()
    const column = (stage: string) =>
      page.locator('section.erp-column').filter({ has: page.getByRole('heading', { name: stage }) })
    await column('Draft').getByText('Layla Haddad').waitFor()
    await page.getByRole('button', { name: 'Submit: Layla Haddad' }).click()
    await page.getByRole('status').filter({ hasText: 'Layla Haddad is now: Submitted' }).waitFor()
    await column('Submitted').getByText('Layla Haddad').waitFor()
    await page.getByRole('button', { name: 'Start review: Layla Haddad' }).focus()
    await page.keyboard.press('Enter')
    await column('Under review').getByText('Layla Haddad').waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'erp-staff-admissions')
    const moved = (await apiOn(page, `/api/v1/erp/applicants/${applicant.data.id}`)).data
    assert.equal(moved.status, 'under_review')
    // Accepted, then enrolled from the board, by keyboard: a student record is made.
    await tabTo(page, page.getByRole('button', { name: 'Accept: Layla Haddad' }))
    await page.keyboard.press('Enter')
    await column('Accepted').getByText('Layla Haddad').waitFor()
    await tabTo(page, page.getByRole('button', { name: 'Enrol: Layla Haddad' }))
    await page.keyboard.press('Enter')
    await page.getByRole('status').filter({ hasText: 'Layla Haddad is enrolled' }).waitFor()
    await column('Enrolled').getByText('Layla Haddad').waitFor()
    const enrolled = (await apiOn(page, `/api/v1/erp/applicants/${applicant.data.id}`)).data
    assert.equal(enrolled.status, 'enrolled')
    const student = (await apiOn(page, `/api/v1/erp/students/${enrolled.student_id}`)).data
    assert.include(student, { first_name: 'Layla', last_name: 'Haddad', status: 'active' })
    assert.equal(String(student.class_id), String(classId))
    assert.deepEqual(await accessibilityProblems(page), [])
    assert.deepEqual(problems, [])
  })

  test('axe-core ran on every page of the app this spec opened', ({ assert }) => {
    assert.deepEqual(pagesNotCheckedByAxe(browser), [])
  })
})
