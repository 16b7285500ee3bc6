import { test } from '@japa/runner'
import PDFDocument from 'pdfkit'
import {
  created,
  eventually,
  ok,
  openSchool,
  sharedSchool,
  tenantApi,
  type School,
} from '@oryne/sdk/testing'
import { textGenerator } from '../plagiarism/synthetic_text.js'

/*
 * Plagiarism end to end: reference documents, synchronous checks with exact
 * offsets, and the report of every handed-in submission (text or file),
 * visible to the course's teacher and the admins only.
 */

type Who = 'head' | 'teacher' | 'teacher2' | 'student' | 'student2'
type PlagiarismSchool = School<Who> & { course: string; course2: string }

const generator = textGenerator(4242)

/** A school whose two teachers each teach one course to the same section of two students. */
const schoolFor = sharedSchool(
  {
    plugins: ['ai'],
    people: {
      head: 'TenantAdmin',
      teacher: 'Teacher',
      teacher2: 'Teacher',
      student: 'Student',
      student2: 'Student',
    },
  },
  async (school: School<Who>) => {
    const head = (path: string, body: object) => created(school.as('head').post(path).json(body))
    const grade = await head('/erp/classes', { name: 'Grade 11', grade_level: 11 })
    const section = await head('/erp/sections', { class_id: grade.id, name: 'A' })
    const teacher = await head('/erp/teachers', {
      employee_no: 'P-1',
      name: 'Ada',
      user_id: school.people.teacher.id,
    })
    const teacher2 = await head('/erp/teachers', {
      employee_no: 'P-2',
      name: 'Bo',
      user_id: school.people.teacher2.id,
    })
    for (const [no, who] of [
      ['P-S1', 'student'],
      ['P-S2', 'student2'],
    ] as const)
      await head('/erp/students', {
        enrollment_no: no,
        first_name: 'Pupil',
        last_name: no,
        class_id: grade.id,
        section_id: section.id,
        user_id: school.people[who].id,
      })
    const course = await head('/lms/courses', {
      code: 'HIST',
      title: 'History',
      teacher_id: teacher.id,
      status: 'active',
    })
    const course2 = await head('/lms/courses', {
      code: 'GEO',
      title: 'Geography',
      teacher_id: teacher2.id,
      status: 'active',
    })
    for (const id of [course.id, course2.id])
      await ok(
        school.as('head').post(`/lms/courses/${id}/enrol-section`).json({ section_id: section.id })
      )
    return { course: course.id as string, course2: course2.id as string }
  }
)

async function assignment(school: PlagiarismSchool, course = school.course) {
  return created(
    school.as('head').post('/lms/assignments').json({
      course_id: course,
      title: 'Essay',
      max_points: 10,
      status: 'published',
    })
  )
}

/** The submission's report, once it exists (the check runs after the hand-in commits). */
function reportOf(school: PlagiarismSchool, submission: string) {
  return eventually(() => ok(school.as('head').get(`/ai/plagiarism/reports/${submission}`)), {
    timeoutMs: 10_000,
  })
}

function pdfOf(text: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument()
    const chunks: Buffer[] = []
    doc.on('data', (chunk) => chunks.push(chunk))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.text(text)
    doc.end()
  })
}

const words = (text: string, from: number, to: number) => text.split(' ').slice(from, to).join(' ')

test.group('AI: plagiarism', () => {
  test('reference documents are added, listed and deleted; bad input is refused', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const text = generator.text(300)
    const document = await created(
      school.as('teacher').post('/ai/plagiarism/documents').json({
        external_id: 'isbn:1',
        title: 'A book',
        text,
      })
    )
    assert.include(document, { external_id: 'isbn:1', title: 'A book', words: 300 })
    const again = await school.as('head').post('/ai/plagiarism/documents').json({
      external_id: 'isbn:1',
      title: 'B',
      text,
    })
    again.assertStatus(409)
    assert.equal(again.body().error.code, 'ERR_AI_DOCUMENT_EXISTS')
    for (const body of [
      {},
      { external_id: 'x y', title: 't', text: 'a' },
      { external_id: 'ok', title: '', text: 'a' },
    ]) {
      const bad = await school.as('head').post('/ai/plagiarism/documents').json(body)
      bad.assertStatus(400)
      assert.equal(bad.body().error.code, 'ERR_VALIDATION')
    }
    const listed = await school.as('head').get('/ai/plagiarism/documents')
    listed.assertStatus(200)
    assert.include(
      listed.body().data.map((d: { id: string }) => d.id),
      document.id
    )
    const removed = await school.as('head').delete(`/ai/plagiarism/documents/${document.id}`)
    removed.assertStatus(200)
    const twice = await school.as('head').delete(`/ai/plagiarism/documents/${document.id}`)
    twice.assertStatus(404)
    const student = await school.as('student').get('/ai/plagiarism/documents')
    student.assertStatus(403)
  })

  test('a check finds planted verbatim and lightly edited passages with exact offsets, and ignores unrelated text', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const sourceText = generator.text(800)
    const document = await created(
      school.as('head').post('/ai/plagiarism/documents').json({
        external_id: 'ref-2',
        title: 'Reference',
        text: sourceText,
      })
    )
    const verbatim = words(sourceText, 100, 160)
    const original = words(sourceText, 400, 450)
    // Light edits inside the passage: a word replaced, one dropped, case and punctuation changed.
    const edited = original
      .split(' ')
      .map((word, i) =>
        i === 12 ? 'quazzle' : i === 30 ? '' : i === 20 ? `${word.toUpperCase()},` : word
      )
      .filter(Boolean)
      .join(' ')
    const before = generator.text(200)
    const middle = generator.text(150)
    const text = `${before} ${verbatim} ${middle} ${edited} ${generator.text(120)}`

    const response = await school.as('teacher').post('/ai/plagiarism/check').json({
      text,
    })
    response.assertStatus(200)
    const { matches, score } = response.body().data
    assert.lengthOf(matches, 2)
    const [first, second] = matches
    assert.deepEqual(first.source, { kind: 'document', id: document.id, external_id: 'ref-2' })
    assert.equal(text.slice(first.start, first.end), verbatim)
    assert.equal(sourceText.slice(first.source_start, first.source_end), verbatim)
    assert.equal(text.slice(second.start, second.end), edited)
    assert.equal(sourceText.slice(second.source_start, second.source_end), original)
    assert.closeTo(score, (60 + 49) / (200 + 60 + 150 + 49 + 120), 0.02)

    const unrelated = await school
      .as('teacher')
      .post('/ai/plagiarism/check')
      .json({
        text: generator.text(1500),
      })
    unrelated.assertStatus(200)
    assert.deepEqual(unrelated.body().data.matches, [])
    assert.equal(unrelated.body().data.score, 0)
  })

  test('look-alike letters, zero-width characters and full-width forms do not hide a copy; offsets point into the text as sent', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const sourceText = generator.text(600)
    const document = await created(
      school.as('head').post('/ai/plagiarism/documents').json({
        external_id: 'ref-look-alike',
        title: 'Reference',
        text: sourceText,
      })
    )
    const copied = words(sourceText, 200, 280)
    // Cyrillic а/е/о/р/с for their Latin twins, a zero-width space inside every third word.
    const twins: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с' }
    const disguised = copied
      .split(' ')
      .map((word, i) => {
        const swapped = [...word].map((c) => twins[c] ?? c).join('')
        return i % 3 === 0 && swapped.length > 2
          ? `${swapped[0]}\u200B${swapped.slice(1)}`
          : swapped
      })
      .join(' ')
    assert.notInclude(disguised, copied.slice(0, 20))
    const before = generator.text(150)
    const text = `${before} ${disguised} ${generator.text(150)}`
    const { matches } = await ok(school.as('teacher').post('/ai/plagiarism/check').json({ text }))
    assert.lengthOf(matches, 1)
    const [match] = matches
    assert.equal(match.source.id, document.id)
    assert.equal(text.slice(match.start, match.end), disguised)
    assert.equal(sourceText.slice(match.source_start, match.source_end), copied)
    assert.equal(match.kind, 'verbatim')
    assert.isAbove(match.similarity, 0.9)
  })

  test('a passage whose sentences were reordered and a paraphrased one are each reported as one match of their kind', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const sourceText = generator.text(900)
    await created(
      school.as('head').post('/ai/plagiarism/documents').json({
        external_id: 'ref-reorder',
        title: 'Reference',
        text: sourceText,
      })
    )
    const sentences = sourceText.split(/(?<=\.) /)
    const taken = sentences.slice(10, 16)
    const reordered = [taken[3], taken[0], taken[5], taken[1], taken[4], taken[2]].join(' ')
    const before = generator.text(120)
    const text = `${before} ${reordered} ${generator.text(200)}`
    const { matches } = await ok(school.as('teacher').post('/ai/plagiarism/check').json({ text }))
    assert.lengthOf(matches, 1, JSON.stringify(matches))
    const [match] = matches
    // Matches span words: from the first copied word to the last (its full stop left out).
    assert.equal(text.slice(match.start, match.end), reordered.replace(/\.$/, ''))
    assert.equal(
      sourceText.slice(match.source_start, match.source_end),
      taken.join(' ').replace(/\.$/, '')
    )
    assert.equal(match.kind, 'edited')

    // The same sentences with their words shuffled inside each sentence and every fifth word dropped.
    const shuffled = sentences
      .slice(30, 36)
      .map((sentence) => {
        const body = sentence.replace(/\.$/, '').split(' ')
        const kept = body.filter((_, i) => i % 5 !== 4)
        return `${[...kept.slice(kept.length >> 1), ...kept.slice(0, kept.length >> 1)].join(' ')}.`
      })
      .join(' ')
    const paraphrased = await ok(
      school
        .as('teacher')
        .post('/ai/plagiarism/check')
        .json({ text: `${generator.text(120)} ${shuffled} ${generator.text(120)}` })
    )
    assert.lengthOf(paraphrased.matches, 1, JSON.stringify(paraphrased.matches))
    assert.oneOf(paraphrased.matches[0].kind, ['paraphrase', 'edited'])
  })

  test('quoted passages and the bibliography are not reported, unless the tenant turns that off', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const sourceText = generator.text(600)
    await created(
      school.as('head').post('/ai/plagiarism/documents').json({
        external_id: 'ref-quotes',
        title: 'Reference',
        text: sourceText,
      })
    )
    const quoted = words(sourceText, 50, 110)
    const listed = words(sourceText, 300, 360)
    const text = `${generator.text(150)} As the author puts it, “${quoted}” ${generator.text(150)}\n\nReferences\n${listed}`
    const check = () => ok(school.as('teacher').post('/ai/plagiarism/check').json({ text }))
    assert.deepEqual((await check()).matches, [])
    try {
      await ok(
        school.as('head').patch('/admin/plugins/ai/settings').json({
          plagiarism_exclude_quotes: false,
          plagiarism_exclude_bibliography: false,
        })
      )
      // Settings are cached for a moment: the new ones apply within a few seconds.
      const { matches } = await eventually(check, {
        until: (result) => result.matches.length > 0,
        timeoutMs: 5000,
      })
      assert.sameMembers(
        matches.map((m: { start: number; end: number }) => text.slice(m.start, m.end)),
        [quoted, listed].map((passage) => passage.replace(/\.$/, ''))
      )
    } finally {
      await ok(
        school.as('head').patch('/admin/plugins/ai/settings').json({
          plagiarism_exclude_quotes: true,
          plagiarism_exclude_bibliography: true,
        })
      )
    }
  })

  test('check input is validated and long texts go through a submission instead', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const empty = await school.as('teacher').post('/ai/plagiarism/check').json({
      text: '',
    })
    empty.assertStatus(400)
    const long = await school
      .as('teacher')
      .post('/ai/plagiarism/check')
      .json({
        text: generator.text(5200),
      })
    long.assertStatus(413)
    assert.equal(long.body().error.code, 'ERR_AI_TEXT_TOO_LONG')
    const student = await school.as('student').post('/ai/plagiarism/check').json({
      text: 'hello',
    })
    student.assertStatus(403)
  })

  test("every handed-in submission gets a report against prior submissions; only its course's teacher and admins read it", async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const essay = await assignment(school)
    const original = generator.text(400)
    const first = await created(
      school.as('student').post(`/lms/assignments/${essay.id}/submissions`).json({
        text: original,
        submit: true,
      })
    )
    const firstReport = await reportOf(school, first.id)
    assert.deepEqual(firstReport.matches, [])

    // The second student copies 80 words of the first one's essay into their own, in a PDF.
    const copied = words(original, 150, 230)
    const own = `${generator.text(150)} ${copied} ${generator.text(150)}`
    const draft = await created(
      school.as('student2').post(`/lms/assignments/${essay.id}/submissions`).json({
        text: null,
      })
    )
    const pdf = await pdfOf(own)
    const upload = await school
      .as('student2')
      .post(`/lms/submissions/${draft.id}/files`)
      .file('file', pdf, {
        filename: 'essay.pdf',
        contentType: 'application/pdf',
      })
    upload.assertStatus(201)
    const handedIn = await school
      .as('student2')
      .post(`/lms/submissions/${draft.id}/submit`)
      .json({})
    handedIn.assertStatus(200)
    const report = await reportOf(school, draft.id)
    assert.isAtLeast(report.matches.length, 1)
    const match = report.matches[0]
    assert.deepEqual(match.source, { kind: 'submission', id: String(first.id) })
    assert.equal(original.slice(match.source_start, match.source_end), copied)
    assert.isAbove(report.score, 0.2)

    const teacher = await school.as('teacher').get(`/ai/plagiarism/reports/${draft.id}`)
    teacher.assertStatus(200)
    const otherTeacher = await school.as('teacher2').get(`/ai/plagiarism/reports/${draft.id}`)
    otherTeacher.assertStatus(404)
    assert.equal(otherTeacher.body().error.code, 'ERR_AI_NOT_FOUND')
    const student = await school.as('student2').get(`/ai/plagiarism/reports/${draft.id}`)
    student.assertStatus(403)
    const junk = await school.as('head').get('/ai/plagiarism/reports/abc')
    junk.assertStatus(404)

    // On demand: the course's teacher re-checks; another teacher cannot.
    const recheck = await school
      .as('teacher')
      .post(`/ai/plagiarism/reports/${draft.id}/check`)
      .json({})
    recheck.assertStatus(200)
    assert.deepEqual(recheck.body().data.matches[0].source, match.source)
    const foreign = await school
      .as('teacher2')
      .post(`/ai/plagiarism/reports/${draft.id}/check`)
      .json({})
    foreign.assertStatus(404)
  })

  test("handed-in code is compared with the course's earlier code: a renamed, reordered copy is reported with its lines, other code is not", async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    // A programming course accepts source files (the LMS refuses them by default).
    await ok(
      school
        .as('head')
        .patch('/admin/plugins/lms/settings')
        .json({ allowed_extensions: ['pdf', 'txt', 'py', 'java', 'c'] })
    )
    const exercise = await assignment(school)
    const original = [
      'def mean(values):',
      '    total = 0',
      '    for value in values:',
      '        total += value',
      '    return total / len(values) if values else 0',
      '',
      'def median(values):',
      '    ordered = sorted(values)',
      '    middle = len(ordered) // 2',
      '    if len(ordered) % 2:',
      '        return ordered[middle]',
      '    return (ordered[middle - 1] + ordered[middle]) / 2',
      '',
    ].join('\n')
    // The same program: functions swapped, every name changed, a comment added.
    const disguised = [
      '# my own statistics',
      'def centre(xs):',
      '    s = sorted(xs)',
      '    half = len(s) // 2',
      '    if len(s) % 2:',
      '        return s[half]',
      '    return (s[half - 1] + s[half]) / 2',
      '',
      'def average(xs):',
      '    acc = 0',
      '    for x in xs:',
      '        acc += x',
      '    return acc / len(xs) if xs else 0',
      '',
    ].join('\n')
    const unrelated = [
      'import sys',
      'class Inventory:',
      '    def __init__(self):',
      '        self.items = {}',
      '    def add(self, name, count=1):',
      '        self.items[name] = self.items.get(name, 0) + count',
      '        print("added", name, file=sys.stderr)',
      '    def report(self):',
      '        return ", ".join(f"{k}: {v}" for k, v in self.items.items())',
      '',
    ].join('\n')
    const handIn = async (
      who: 'student' | 'student2',
      name: string,
      code: string,
      to: { id: string } = exercise
    ) => {
      const draft = await created(
        school.as(who).post(`/lms/assignments/${to.id}/submissions`).json({ text: null })
      )
      const upload = await school
        .as(who)
        .post(`/lms/submissions/${draft.id}/files`)
        .file('file', Buffer.from(code), { filename: name, contentType: 'text/x-python' })
      upload.assertStatus(201)
      await ok(school.as(who).post(`/lms/submissions/${draft.id}/submit`).json({}))
      return String(draft.id)
    }

    const first = await handIn('student', 'stats.py', original)
    assert.deepEqual((await reportOf(school, first)).code_matches, [])
    const copy = await handIn('student2', 'helpers.py', disguised)
    const report = await reportOf(school, copy)
    assert.lengthOf(report.code_matches, 1)
    const [match] = report.code_matches
    assert.deepEqual(match.source, { kind: 'submission', id: first, file: 'stats.py' })
    assert.equal(match.file, 'helpers.py')
    assert.equal(match.language, 'python')
    assert.isAbove(match.similarity, 0.8)
    // Each function is a region, found where it moved to.
    assert.isAtLeast(match.regions.length, 2)
    for (const region of match.regions) {
      assert.isAtLeast(region.lines[0], 1)
      assert.isAtMost(region.source_lines[1], 12)
    }

    // The other student's unrelated program matches nothing; the teacher reads the same report.
    const other = await handIn('student2', 'inventory.py', unrelated, await assignment(school))
    assert.deepEqual((await reportOf(school, other)).code_matches, [])
    const teacher = await school.as('teacher').get(`/ai/plagiarism/reports/${copy}`)
    teacher.assertStatus(200)
    assert.lengthOf(teacher.body().data.code_matches, 1)
  })

  test("another tenant's checks and reports never reach this tenant's sources", async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const text = generator.text(300)
    await created(
      school.as('head').post('/ai/plagiarism/documents').json({
        external_id: 'isolation',
        title: 'Only here',
        text,
      })
    )
    const other = await openSchool(client, { plugins: ['ai'], people: { head: 'TenantAdmin' } })
    const token = other.people.head.token
    const check = await other.as('head').post('/ai/plagiarism/check').json({ text })
    check.assertStatus(200)
    assert.deepEqual(check.body().data.matches, [])
    const here = await school.as('head').post('/ai/plagiarism/check').json({ text })
    assert.lengthOf(here.body().data.matches, 1)
    // The other tenant's token is refused on this tenant.
    const crossed = await tenantApi(client, school.tenant, token)
      .post('/ai/plagiarism/check')
      .json({ text })
    assert.oneOf(crossed.status(), [401, 403])
  })

  // Last in the group: it erases the shared school's first student.
  test("erasing a student's personal data exports, then forgets, the work later checks compare against", async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const essay = await assignment(school)
    const text = generator.text(300)
    const handedIn = await created(
      school.as('student').post(`/lms/assignments/${essay.id}/submissions`).json({
        text,
        submit: true,
      })
    )
    await reportOf(school, handedIn.id)
    const before = await ok(school.as('head').post('/ai/plagiarism/check').json({ text }))
    assert.deepEqual(before.matches[0].source, { kind: 'submission', id: String(handedIn.id) })

    const student = school.people.student.id
    const exported = await ok(school.as('head').get(`/admin/users/${student}/export`))
    const texts = exported.plugins.ai.plagiarism_texts as Array<{
      submission_id: string
      text: string
    }>
    assert.deepInclude(
      texts.map((row) => [String(row.submission_id), row.text]),
      [String(handedIn.id), text]
    )

    const erased = await ok(school.as('head').post(`/admin/users/${student}/erase`))
    assert.isAtLeast(erased.plugins.ai.erased, 1)
    const after = await ok(school.as('head').post('/ai/plagiarism/check').json({ text }))
    assert.deepEqual(after.matches, [])
    // The other student's work is still compared against.
    const other = generator.text(300)
    await created(
      school.as('student2').post(`/lms/assignments/${essay.id}/submissions`).json({
        text: other,
        submit: true,
      })
    )
    await eventually(async () => {
      const check = await ok(school.as('head').post('/ai/plagiarism/check').json({ text: other }))
      assert.lengthOf(check.matches, 1)
    })
  })
})
