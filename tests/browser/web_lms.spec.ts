import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { Browser, Page } from 'playwright-core'
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
 * The LMS in the web app (docs/web.md, "LMS pages"), one school day in the
 * demo school: teacher1 (who teaches student1's course) posts an assignment
 * with a rubric, student1 hands in text and a file on a phone, the teacher
 * grades it with the rubric and reads its originality report, the student
 * reads the grade and feedback, parent1 their child's grade. Each step is
 * read back through the API with the signed-in person's own session.
 */

type Answer = { status: number; body: any }

/** Calls the API from the page with the session the app keeps (the person's own rights). */
function apiOf(page: Page, path: string, init: { method?: string; body?: unknown } = {}) {
  return page.evaluate(
    async ({ path: address, init: options }): Promise<Answer> => {
      const held = JSON.parse(localStorage.getItem('oryne.app.session') ?? 'null')
      const headers: Record<string, string> = {
        'Accept': 'application/json',
        'Authorization': `Bearer ${held.access_token}`,
        'X-Tenant-ID': held.tenant,
      }
      if (options.body !== undefined) headers['Content-Type'] = 'application/json'
      const response = await fetch(address, {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      })
      return { status: response.status, body: await response.json() }
    },
    { path, init }
  )
}

async function data(page: Page, path: string, init?: { method?: string; body?: unknown }) {
  const answer = await apiOf(page, path, init)
  if (answer.status >= 400)
    throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`)
  return answer.body.data
}

/** Pages must not scroll sideways at phone width (wide tables scroll inside their own box). */
async function pageWidth(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth')
}

/** No message key shown as it is: every string of the page is in the catalogue of its language. */
async function untranslated(page: Page) {
  const text = await page.locator('body').innerText()
  return text.match(/\blms\.[a-zA-Z.]+/g) ?? []
}

const REFERENCE =
  'Rivers shape the land they cross by carrying sediment from the mountains to the sea, cutting valleys ' +
  'where the current is strong and building plains where it slows. Over thousands of years a single river ' +
  'can move whole hillsides grain by grain, and the deltas at its mouth become some of the most fertile ' +
  'farmland on earth, feeding cities that grew up beside the water for trade, transport and drinking.'

test.group('Web app: the LMS for teachers, students and parents', (group) => {
  let browser: Browser
  let baseUrl: string

  group.setup(async () => {
    const started = await startBrowser()
    browser = started.browser
    baseUrl = started.baseUrl
    const { tenant } = await demoSchool()
    // The AI plugin checks handed-in work for plagiarism; the demo school does not run it by default.
    const plugins = await app.container.make('oryne.plugins')
    await plugins.enable(tenant, ['ai'], { actor: 'test' })
    return started.stop
  })

  test('a school day: post with a rubric, hand in on a phone, grade, read the grade', async ({
    assert,
  }) => {
    const title = `Rivers essay ${Date.now().toString(36)}`
    const due = new Date(Date.now() + 3 * 86_400_000)
    due.setUTCSeconds(0, 0)

    // The school keeps UTC; the student's phone is in Los Angeles, the teacher's computer in Tokyo.
    const student = await openApp(browser, baseUrl, {
      viewport: PHONE,
      timezoneId: 'America/Los_Angeles',
    })
    await signInDemo(student.page, baseUrl, 'Student')
    const [course] = await data(student.page, '/api/v1/lms/courses')
    assert.exists(course, 'student1 is enrolled in a course')

    // The teacher posts an assignment with a two-criterion rubric to that course.
    const teacher = await openApp(browser, baseUrl, { timezoneId: 'Asia/Tokyo' })
    const t = teacher.page
    await signInDemo(t, baseUrl, 'Teacher')
    await t.getByRole('heading', { name: 'To grade', level: 2 }).waitFor()
    assert.deepEqual(await accessibilityProblems(t), [])
    await t.locator('#app-nav').getByRole('link', { name: 'My courses' }).click()
    await t.getByRole('heading', { name: 'My courses', level: 1 }).waitFor()
    await t.getByRole('link', { name: course.title }).click()
    await t.getByRole('heading', { name: course.title, level: 1 }).waitFor()
    assert.deepEqual(await accessibilityProblems(t), [])
    await t.getByRole('link', { name: 'New assignment' }).click()
    await t.getByRole('heading', { name: 'New assignment', level: 1 }).waitFor()
    await t.getByLabel('Title').fill(title)
    await t.getByLabel('Instructions').fill('How do rivers shape the land? 300 words.')
    // Entered on the school's clock (UTC here), whatever the computer's zone.
    await t.getByLabel('Due').fill(due.toISOString().slice(0, 16))
    assert.include(await t.locator('#lms-due-zone').innerText(), 'School time (UTC)')
    await t.getByLabel('Points', { exact: true }).fill('20')
    const first = t.getByRole('group', { name: 'Criterion 1' })
    await first.getByLabel('What is assessed').fill('Argument')
    for (const [n, name] of ['Weak', 'Fair', 'Strong'].entries())
      await first.getByLabel(`Level ${n + 1}`, { exact: true }).fill(name)
    await t.getByRole('button', { name: 'Add a criterion' }).click()
    const second = t.getByRole('group', { name: 'Criterion 2' })
    await second.getByLabel('What is assessed').fill('Sources')
    for (const [n, name] of ['None', 'Some', 'Many'].entries())
      await second.getByLabel(`Level ${n + 1}`, { exact: true }).fill(name)
    await second.getByLabel('Points of level 3').fill('6')
    assert.deepEqual(await accessibilityProblems(t), [])
    await shot(t, 'lms-teacher-new-assignment')
    // One call posts the assignment and its rubric (all or nothing).
    const posted: string[] = []
    t.on('request', (request) => {
      if (request.method() === 'POST') posted.push(new URL(request.url()).pathname)
    })
    await t.getByRole('button', { name: 'Post the assignment' }).click()
    await t.waitForURL(/\/app\/lms\/assignments\/\d+\/submissions$/)
    assert.deepEqual(posted, [`/api/v1/lms/courses/${course.id}/assignments`])
    await t.getByRole('heading', { name: title, level: 1 }).waitFor()
    assert.deepEqual(await accessibilityProblems(t), [])

    const assignmentId = t.url().match(/assignments\/(\d+)\//)![1]
    const assignment = await data(t, `/api/v1/lms/assignments/${assignmentId}`)
    assert.equal(assignment.course_id, course.id)
    assert.equal(assignment.status, 'published')
    assert.equal(assignment.max_points, '20.00')
    assert.equal(new Date(assignment.due_at).getTime(), due.getTime())
    const criteria = await data(
      t,
      `/api/v1/lms/rubric_criteria?filter[rubric_id]=${assignment.rubric_id}`
    )
    assert.deepEqual(
      criteria.map((c: any) => c.title),
      ['Argument', 'Sources']
    )
    const levels = await data(
      t,
      `/api/v1/lms/rubric_levels?filter[rubric_id]=${assignment.rubric_id}&sort=criterion_id,position`
    )
    assert.deepEqual(
      levels.map((l: any) => `${l.title}:${l.points}`),
      ['Weak:0.00', 'Fair:5.00', 'Strong:10.00', 'None:0.00', 'Some:5.00', 'Many:6.00']
    )
    // A reference text the originality check will find in the student's answer.
    await data(t, '/api/v1/ai/plagiarism/documents', {
      method: 'POST',
      body: { external_id: `rivers-${assignmentId}`, title: 'Rivers', text: REFERENCE },
    })

    // The student, on a phone, finds it in the calendar and due soon, and hands in text and a file.
    const s = student.page
    await s.goto(`${baseUrl}/app/calendar`)
    await s.locator('ol.day-list .entry', { hasText: title }).first().waitFor()
    assert.deepEqual(await accessibilityProblems(s), [])
    await s.goto(`${baseUrl}/app`)
    await s.getByRole('heading', { name: 'Due soon', level: 2 }).waitFor()
    await s.getByRole('link', { name: title }).click()
    await s.getByRole('heading', { name: title, level: 1 }).waitFor()
    assert.include(await s.locator('main').innerText(), 'Not started')
    // Shown on the school's clock too, not the phone's.
    const onSchoolClock = new Intl.DateTimeFormat('en', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
    }).format(due)
    const spaced = (text: string) => text.replaceAll(/\s+/gu, ' ')
    assert.include(spaced(await s.locator('main').innerText()), spaced(`Due ${onSchoolClock}`))
    const answer = `My own opening line about water. ${REFERENCE}`
    await s.getByLabel('Your answer').fill(answer)
    // A web page is no file to hand in: refused in words with its code; the text stays a draft.
    await s.getByLabel('Attach files').setInputFiles({
      name: 'answer.html',
      mimeType: 'text/html',
      buffer: Buffer.from('<p>answer</p>'),
    })
    await s.getByRole('button', { name: 'Save as draft' }).click()
    const refusal = s.getByRole('alert').filter({ hasText: 'ERR_LMS_FILE_REJECTED' })
    await refusal.waitFor()
    assert.include(await refusal.innerText(), 'This file cannot be attached')
    const [draft] = await data(s, `/api/v1/lms/submissions?filter[assignment_id]=${assignmentId}`)
    assert.equal(draft.status, 'draft')
    assert.deepEqual(draft.files, [])
    await s.getByRole('main').getByText('Draft', { exact: true }).waitFor()
    await s.getByLabel('Attach files').setInputFiles({
      name: 'sources.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Atlas of rivers, 2019.\nField notes from the Nile delta.\n'),
    })
    assert.deepEqual(await accessibilityProblems(s), [])
    assert.isAtMost(await pageWidth(s), PHONE.width)
    await shot(s, 'lms-student-submit-phone')
    // Handed in from the keyboard: Tab to the button, Enter.
    await tabTo(s, s.getByRole('button', { name: 'Hand in' }))
    await s.keyboard.press('Enter')
    await s.getByRole('status').filter({ hasText: 'Handed in' }).waitFor()
    await s.getByRole('button', { name: 'Download sources.txt' }).waitFor()
    assert.isAtMost(await pageWidth(s), PHONE.width)
    await shot(s, 'lms-student-handed-in-phone')
    const [handedIn] = await data(
      s,
      `/api/v1/lms/submissions?filter[assignment_id]=${assignmentId}`
    )
    assert.equal(handedIn.status, 'submitted')
    assert.equal(handedIn.text, answer)
    assert.deepEqual(
      handedIn.files.map((f: any) => f.name),
      ['sources.txt']
    )

    // The AI plugin checks handed-in work on its own (after the commit).
    let report: Answer = { status: 0, body: null }
    for (let i = 0; i < 50 && report.status !== 200; i++) {
      report = await apiOf(t, `/api/v1/ai/plagiarism/reports/${handedIn.id}`)
      if (report.status !== 200) await t.waitForTimeout(200)
    }
    assert.equal(report.status, 200)
    assert.isAbove(report.body.data.score, 0.5)

    // The teacher grades it from the home widget, with the rubric, and reads the report.
    await t.goto(`${baseUrl}/app`)
    const widget = t.getByRole('article').filter({ hasText: 'To grade' })
    await widget.getByText(/submissions? waits? for a grade/).waitFor()
    await widget.getByRole('link', { name: 'Open the list' }).click()
    await t.getByRole('heading', { name: 'To grade', level: 1 }).waitFor()
    await t.getByRole('listitem').filter({ hasText: title }).waitFor()
    assert.deepEqual(await accessibilityProblems(t), [])
    await t
      .getByRole('listitem')
      .filter({ hasText: title })
      .getByRole('link', { name: /^Grade / })
      .click()
    await t.waitForURL(new RegExp(`/app/lms/submissions/${handedIn.id}/grade$`))
    await t.getByRole('heading', { name: 'Originality check' }).waitFor()
    await t.getByText(/words found elsewhere/).waitFor()
    assert.include(await t.locator('.lms-matches').innerText(), 'reference document rivers-')
    assert.include(
      await t.locator('.lms-matches blockquote').first().innerText(),
      'carrying sediment from the mountains'
    )
    await t.getByRole('group', { name: 'Argument' }).getByLabel('Strong (10 points)').check()
    // The keyboard works too: the arrow keys move between the levels of a criterion.
    await t.getByRole('group', { name: 'Sources' }).getByLabel('None (0 points)').focus()
    await t.keyboard.press('ArrowDown')
    assert.isTrue(
      await t.getByRole('group', { name: 'Sources' }).getByLabel('Some (5 points)').isChecked()
    )
    assert.equal(
      await t.locator('.lms-total').innerText(),
      'Total: 15 of 16 rubric points, 18.75 of 20 on the assignment (before any late penalty)'
    )
    await t.getByLabel('Feedback').fill('A clear argument; cite your sources in your own words.')
    await t.getByLabel('Release the grade to the student now').check()
    assert.deepEqual(await accessibilityProblems(t), [])
    await t.getByRole('button', { name: 'Save the grade' }).click()
    await t.getByRole('status').filter({ hasText: 'Grade saved and released' }).waitFor()
    await t.getByRole('button', { name: 'Check it again' }).click()
    await t.getByText(/words found elsewhere/).waitFor()
    await shot(t, 'lms-teacher-grade')
    const [grade] = await data(t, `/api/v1/lms/grades?filter[submission_id]=${handedIn.id}`)
    assert.equal(grade.final_points, '18.75')
    assert.isTrue(grade.released)
    assert.equal(grade.feedback, 'A clear argument; cite your sources in your own words.')
    assert.lengthOf(grade.rubric_selections, 2)

    // The gradebook: the new grade in its column; the table scrolls inside its box on a phone.
    await t.goto(`${baseUrl}/app/lms/courses/${course.id}/gradebook`)
    const table = t.getByRole('table')
    await table.getByRole('columnheader', { name: new RegExp(title) }).waitFor()
    const [mine] = await data(s, `/api/v1/erp/students`)
    const row = table.getByRole('row').filter({ hasText: `${mine.first_name} ${mine.last_name}` })
    assert.include(await row.innerText(), '18.75')
    const download = t.waitForEvent('download')
    await t.getByRole('button', { name: 'Download CSV' }).click()
    const csv = await readFile(await (await download).path(), 'utf8')
    assert.include(csv.split('\r\n')[0], `${title} (/20.00)`)
    assert.include(csv, '18.75')
    assert.deepEqual(await accessibilityProblems(t), [])
    await t.setViewportSize(PHONE)
    assert.isAtMost(await pageWidth(t), PHONE.width)
    assert.isTrue(
      await t.locator('.overflow-auto').evaluate((box) => box.scrollWidth > box.clientWidth)
    )
    await shot(t, 'lms-teacher-gradebook-phone')

    // The student reads the grade, the levels chosen and the feedback.
    await s.goto(`${baseUrl}/app/lms/grades`)
    const card = s.getByRole('article').filter({ hasText: title })
    await card.waitFor()
    const graded = await card.innerText()
    assert.include(graded, '18.75 of 20 points')
    assert.include(graded, 'Argument: Strong (10 points)')
    assert.include(graded, 'Sources: Some (5 points)')
    assert.include(graded, 'cite your sources in your own words')
    assert.deepEqual(await accessibilityProblems(s), [])
    assert.isAtMost(await pageWidth(s), PHONE.width)
    await shot(s, 'lms-student-grades-phone')

    // The student cannot open the teacher's grading page of their own attempt.
    await s.goto(`${baseUrl}/app/lms/submissions/${handedIn.id}/grade`)
    await s.getByRole('alert').filter({ hasText: 'Your account cannot open this page.' }).waitFor()
    assert.equal(await s.getByRole('button', { name: 'Save the grade' }).count(), 0)

    // The parent sees their child's grade, and only their children's grades.
    const parent = await openApp(browser, baseUrl)
    const p = parent.page
    await signInDemo(p, baseUrl, 'Parent')
    // Their child's work due, named by the child (GET /lms/me/work-due).
    await p.locator('#app-nav').getByRole('link', { name: 'Work due' }).click()
    await p.getByRole('heading', { name: 'Work due', level: 1 }).waitFor()
    const due1 = p.getByRole('listitem').filter({ hasText: title })
    await due1.waitFor()
    assert.include(await due1.innerText(), `${mine.first_name} ${mine.last_name}`)
    assert.include(await due1.innerText(), 'Graded')
    assert.deepEqual(await accessibilityProblems(p), [])
    await shot(p, 'lms-parent-work-due')
    await p.locator('#app-nav').getByRole('link', { name: 'Grades and feedback' }).click()
    await p.getByRole('heading', { name: 'Grades and feedback', level: 1 }).waitFor()
    const childCard = p.getByRole('article').filter({ hasText: title })
    await childCard.waitFor()
    assert.include(await childCard.innerText(), '18.75 of 20 points')
    const children = (await data(p, '/api/v1/erp/students')).map((c: any) => c.id)
    assert.include(children, handedIn.student_id)
    const seen = await data(p, '/api/v1/lms/grades?per_page=100')
    assert.isTrue(seen.every((g: any) => children.includes(g.student_id)))
    assert.deepEqual(await accessibilityProblems(p), [])
    await shot(p, 'lms-parent-grades')

    for (const { problems, elsewhere } of [teacher, student, parent]) {
      assert.deepEqual(problems, [])
      assert.deepEqual(elsewhere, [])
    }
    for (const opened of [teacher, student, parent]) await opened.page.context().close()
  }).timeout(240_000)

  test('in Arabic every LMS page reads right to left, with no string left untranslated', async ({
    assert,
  }) => {
    const student = await openApp(browser, baseUrl, { viewport: PHONE })
    const s = student.page
    await signInDemo(s, baseUrl, 'Student')
    await s.evaluate("localStorage.setItem('oryne.app.locale', 'ar')")
    for (const path of ['/', '/lms/work', '/lms/grades']) {
      await s.goto(`${baseUrl}/app${path}`)
      await s.locator('#page-title').waitFor()
      await s.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' })
      assert.equal(await s.evaluate('document.documentElement.dir'), 'rtl')
      assert.deepEqual(await untranslated(s), [], path)
      assert.deepEqual(await accessibilityProblems(s), [], path)
      assert.isAtMost(await pageWidth(s), PHONE.width, path)
    }
    await s.getByRole('heading', { name: 'الدرجات والملاحظات', level: 1 }).waitFor()
    await shot(s, 'lms-student-grades-arabic')

    const teacher = await openApp(browser, baseUrl)
    const t = teacher.page
    await signInDemo(t, baseUrl, 'Teacher')
    await t.evaluate("localStorage.setItem('oryne.app.locale', 'ar')")
    const [course] = await data(t, '/api/v1/lms/courses')
    for (const path of [
      '/',
      '/lms/courses',
      `/lms/courses/${course.id}`,
      `/lms/courses/${course.id}/new-assignment`,
      `/lms/courses/${course.id}/gradebook`,
      '/lms/to-grade',
    ]) {
      await t.goto(`${baseUrl}/app${path}`)
      await t.locator('#page-title').waitFor()
      await t.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' })
      assert.deepEqual(await untranslated(t), [], path)
      assert.deepEqual(await accessibilityProblems(t), [], path)
    }
    await shot(t, 'lms-teacher-to-grade-arabic')
    await s.context().close()
    await t.context().close()
  }).timeout(180_000)

  test('axe-core ran on every page of the app this spec opened', ({ assert }) => {
    assert.deepEqual(pagesNotCheckedByAxe(browser), [])
  })
})
