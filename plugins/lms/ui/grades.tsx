import {
  api,
  Empty,
  Link,
  Loading,
  Page,
  Problem,
  useI18n,
  useLoad,
  type PageProps,
} from '@oryne/web'
import {
  LMS,
  list,
  points,
  studentName,
  type Criterion,
  type Grade,
  type Gradebook as GradebookData,
  type Level,
  type Rubric,
} from './lms.js'
import { ChosenLevels } from './parts.js'

/** Released grades (the API's row rules: a student's own, a parent's children's), with the rubric levels they name. */
async function releasedGrades() {
  const grades = await list<Grade>('grades', {
    include: 'assignment,student,course',
    sort: '-graded_at',
  })
  const selections = grades.flatMap((grade) => grade.rubric_selections ?? [])
  const criterionIds = [...new Set(selections.map((s) => String(s.criterion_id)))].slice(0, 100)
  const levelIds = [...new Set(selections.map((s) => String(s.level_id)))].slice(0, 100)
  const [criteria, levels] = await Promise.all([
    criterionIds.length
      ? list<Criterion>('rubric_criteria', { 'filter[id][in]': criterionIds.join(',') })
      : [],
    levelIds.length ? list<Level>('rubric_levels', { 'filter[id][in]': levelIds.join(',') }) : [],
  ])
  return { grades, criteria, levels }
}

/** The part of a rubric a grade's selections name, in the rubric's order. */
function rubricOf(grade: Grade, criteria: Criterion[], levels: Level[]): Rubric {
  const named = new Set((grade.rubric_selections ?? []).map((s) => String(s.criterion_id)))
  return criteria
    .filter((criterion) => named.has(criterion.id))
    .sort((a, b) => a.position - b.position)
    .map((criterion) => ({
      ...criterion,
      levels: levels.filter((level) => level.criterion_id === criterion.id),
    }))
}

/** Grades and feedback: a student's own, or a parent's per child. */
export function Grades() {
  const { t, number, dateTime } = useI18n()
  const loaded = useLoad(releasedGrades, [])
  const byStudent = new Map<string, Grade[]>()
  for (const grade of loaded.data?.grades ?? [])
    byStudent.set(grade.student_id, [...(byStudent.get(grade.student_id) ?? []), grade])
  return (
    <Page title={t('lms.nav.grades')}>
      <Problem error={loaded.error} />
      {!loaded.data ? (
        <Loading what={t('lms.nav.grades')} />
      ) : byStudent.size === 0 ? (
        <Empty text={t('lms.grades.none')} />
      ) : (
        [...byStudent.values()].map((grades) => {
          const student = grades[0].student
          const headingId = `lms-student-${grades[0].student_id}`
          return (
            <section key={grades[0].student_id} aria-labelledby={headingId}>
              <h2 id={headingId}>{studentName(student)}</h2>
              <ul class="lms-cards" style={{ paddingInlineStart: 0 }}>
                {grades.map((grade) => (
                  <li key={grade.id} style={{ listStyle: 'none' }}>
                    <article class="lms-grade">
                      <h3>{grade.assignment?.title}</h3>
                      <p class="muted">
                        {grade.course ? (
                          <Link to={`/lms/courses/${grade.course_id}/gradebook`}>
                            {grade.course.title}
                          </Link>
                        ) : null}{' '}
                        · {dateTime(grade.graded_at)}
                      </p>
                      <p class="lms-score">
                        {t('lms.grades.points', {
                          points: number(points(grade.final_points)),
                          max: number(points(grade.assignment?.max_points)),
                        })}
                        {points(grade.penalty_percent) > 0
                          ? ` · ${t('lms.grades.penalty', { percent: number(points(grade.penalty_percent)) })}`
                          : ''}
                      </p>
                      {grade.rubric_selections?.length ? (
                        <ChosenLevels
                          rubric={rubricOf(grade, loaded.data!.criteria, loaded.data!.levels)}
                          selections={grade.rubric_selections.map((s) => ({
                            ...s,
                            criterion_id: String(s.criterion_id),
                            level_id: String(s.level_id),
                          }))}
                        />
                      ) : null}
                      {grade.feedback ? (
                        <blockquote>
                          <span class="muted">{t('lms.grade.feedback')}: </span>
                          {grade.feedback}
                        </blockquote>
                      ) : null}
                    </article>
                  </li>
                ))}
              </ul>
            </section>
          )
        })
      )}
    </Page>
  )
}

function csvCell(value: string | number | null | undefined) {
  const text = value === null || value === undefined ? '' : String(value)
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** The gradebook as CSV, built from the answer the page shows (the API has no CSV of it). */
function gradebookCsv(book: GradebookData) {
  const header = [
    'enrollment_no',
    'student',
    ...book.assignments.map((a) => `${a.title} (/${a.max_points})`),
    'final_percent',
  ]
  const rows = book.students.map((student) => [
    student.enrollment_no,
    student.name,
    ...book.assignments.map((a) => student.scores[a.id] ?? ''),
    student.final_percent ?? '',
  ])
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

function saveCsv(name: string, text: string) {
  const link = document.createElement('a')
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }))
  link.download = name
  link.click()
  setTimeout(() => URL.revokeObjectURL(link.href), 1000)
}

/**
 * A course's gradebook: students × assignments and the final percentage. Its
 * teacher sees every student, a student their own row, a parent their
 * children's (the API decides). The table scrolls inside its box on a phone.
 */
export function Gradebook(props: PageProps) {
  const { t, number } = useI18n()
  const id = props.params.id
  const book = useLoad(() => api<GradebookData>(`${LMS}/courses/${id}/gradebook`), [id])
  const title = book.data
    ? t('lms.gradebook.titleOf', { course: book.data.course.title })
    : t('lms.course.gradebook')
  const score = (value: string | null | undefined) =>
    value === null || value === undefined ? '—' : number(points(value))
  return (
    <Page
      title={title}
      actions={
        book.data ? (
          <button
            type="button"
            class="secondary"
            onClick={() =>
              saveCsv(`gradebook-${book.data!.course.code}.csv`, gradebookCsv(book.data!))
            }
          >
            {t('lms.gradebook.csv')}
          </button>
        ) : null
      }
    >
      <Problem error={book.error} />
      {!book.data ? (
        <Loading what={t('lms.course.gradebook')} />
      ) : book.data.students.length === 0 ? (
        <Empty text={t('lms.gradebook.none')} />
      ) : (
        <div class="overflow-auto" role="region" aria-labelledby="lms-gradebook" tabIndex={0}>
          <table class="striped">
            <caption id="lms-gradebook" style={{ textAlign: 'start' }}>
              {t('lms.gradebook.caption')}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('lms.gradebook.student')}</th>
                {book.data.assignments.map((assignment) => (
                  <th scope="col" key={assignment.id}>
                    {assignment.title}{' '}
                    <span class="muted">
                      {t('lms.gradebook.outOf', { max: number(points(assignment.max_points)) })}
                    </span>
                  </th>
                ))}
                <th scope="col">{t('lms.gradebook.final')}</th>
              </tr>
            </thead>
            <tbody>
              {book.data.students.map((student) => (
                <tr key={student.student_id}>
                  <th scope="row">{student.name}</th>
                  {book.data!.assignments.map((assignment) => (
                    <td key={assignment.id}>{score(student.scores[assignment.id])}</td>
                  ))}
                  <td>
                    {student.final_percent === null
                      ? '—'
                      : t('lms.gradebook.percent', {
                          percent: number(points(student.final_percent)),
                        })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  )
}
