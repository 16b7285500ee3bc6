import { useState } from 'preact/hooks'
import {
  api,
  Empty,
  Link,
  Loading,
  navigate,
  Notice,
  Page,
  Problem,
  useAction,
  useI18n,
  useLoad,
  type PageProps,
} from '@oryne/web'
import { LMS, list, studentName, type Assignment, type Course, type Submission } from './lms.js'
import { ROW, SubmissionStatus } from './parts.js'

/** The courses a teacher teaches (the API's row rules keep it to theirs). */
export function Courses() {
  const { t } = useI18n()
  const courses = useLoad(() => list<Course>('courses', { sort: 'code' }), [])
  return (
    <Page title={t('lms.courses.title')}>
      <Problem error={courses.error} />
      {!courses.data ? (
        <Loading what={t('lms.courses.title')} />
      ) : courses.data.length === 0 ? (
        <Empty text={t('lms.courses.none')} />
      ) : (
        <ul class="lms-cards">
          {courses.data.map((course) => (
            <li key={course.id}>
              <Link to={`/lms/courses/${course.id}`}>{course.title}</Link>{' '}
              <span class="muted">
                {course.code} · {t(`lms.courseStatus.${course.status}`)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}

/** One course for its teacher: its assignments, a new one, the gradebook. */
export function CourseDesk(props: PageProps) {
  const { t, dateTime } = useI18n()
  const id = props.params.id
  const course = useLoad(() => api<Course>(`${LMS}/courses/${id}`), [id])
  const assignments = useLoad(
    () => list<Assignment>('assignments', { 'filter[course_id]': id, 'sort': 'due_at' }),
    [id]
  )
  const title = course.data?.title ?? t('lms.course.title')
  return (
    <Page
      title={title}
      actions={
        <>
          <Link to={`/lms/courses/${id}/new-assignment`} class="secondary">
            {t('lms.course.newAssignment')}
          </Link>{' '}
          <Link to={`/lms/courses/${id}/gradebook`}>{t('lms.course.gradebook')}</Link>
        </>
      }
    >
      <Problem error={course.error ?? assignments.error} />
      <h2>{t('lms.course.assignments')}</h2>
      {!assignments.data ? (
        <Loading what={t('lms.course.assignments')} />
      ) : assignments.data.length === 0 ? (
        <Empty text={t('lms.course.noAssignments')} />
      ) : (
        <ul class="lms-cards">
          {assignments.data.map((assignment) => (
            <li key={assignment.id}>
              <Link to={`/lms/assignments/${assignment.id}/submissions`}>{assignment.title}</Link>{' '}
              <span class="muted">
                {t('lms.due', { when: dateTime(assignment.due_at) })} ·{' '}
                {t(`lms.assignmentStatus.${assignment.status}`)}
                {assignment.rubric_id ? ` · ${t('lms.withRubric')}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}

/** The submissions of one assignment, with grading links and the release of its grades. */
export function AssignmentSubmissions(props: PageProps) {
  const { t, dateTime } = useI18n()
  const id = props.params.id
  const assignment = useLoad(
    () => api<Assignment>(`${LMS}/assignments/${id}`, { query: { include: 'course' } }),
    [id]
  )
  const submissions = useLoad(
    () =>
      list<Submission>('submissions', {
        'filter[assignment_id]': id,
        'include': 'student',
        'sort': 'submitted_at',
      }),
    [id]
  )
  const release = useAction()
  const [released, setReleased] = useState<number | null>(null)
  const releaseAll = async () => {
    const answer = await release.run(() =>
      api<{ released: number }>(`${LMS}/assignments/${id}/release`, { method: 'POST', body: {} })
    )
    if (answer) setReleased(answer.released)
  }
  return (
    <Page
      title={assignment.data?.title ?? t('lms.submissions.title')}
      actions={
        <button type="button" class="secondary" disabled={release.busy} onClick={releaseAll}>
          {t('lms.submissions.releaseAll')}
        </button>
      }
    >
      {assignment.data?.course ? (
        <p>
          <Link to={`/lms/courses/${assignment.data.course_id}`}>
            {assignment.data.course.title}
          </Link>
        </p>
      ) : null}
      <Problem error={assignment.error ?? submissions.error ?? release.error} />
      <Notice text={released === null ? '' : t('lms.submissions.released', { count: released })} />
      <h2>{t('lms.submissions.title')}</h2>
      {!submissions.data ? (
        <Loading what={t('lms.submissions.title')} />
      ) : submissions.data.length === 0 ? (
        <Empty text={t('lms.submissions.none')} />
      ) : (
        <SubmissionList
          submissions={submissions.data}
          describe={(submission) =>
            `${t('lms.attempt', { attempt: submission.attempt })} · ${
              submission.submitted_at ? dateTime(submission.submitted_at) : ''
            }`
          }
        />
      )}
    </Page>
  )
}

function SubmissionList(props: {
  submissions: Submission[]
  describe: (submission: Submission) => string
}) {
  const { t } = useI18n()
  return (
    <ul class="lms-cards">
      {props.submissions.map((submission) => (
        <li key={submission.id}>
          <strong>{studentName(submission.student)}</strong>{' '}
          <SubmissionStatus submission={submission} />{' '}
          <span class="muted">{props.describe(submission)}</span>{' '}
          {submission.status === 'draft' ? null : (
            <Link to={`/lms/submissions/${submission.id}/grade`}>
              {t('lms.submissions.gradeOf', { name: studentName(submission.student) })}
            </Link>
          )}
        </li>
      ))}
    </ul>
  )
}

/** Every handed-in attempt waiting for a grade, in the courses the teacher teaches, oldest first. */
export function ToGrade() {
  const { t, dateTime } = useI18n()
  const waiting = useLoad(
    () =>
      list<Submission>('submissions', {
        'filter[status]': 'submitted',
        'include': 'student,assignment',
        'sort': 'submitted_at',
      }),
    []
  )
  return (
    <Page title={t('lms.nav.toGrade')}>
      <Problem error={waiting.error} />
      {!waiting.data ? (
        <Loading what={t('lms.nav.toGrade')} />
      ) : waiting.data.length === 0 ? (
        <Empty text={t('lms.toGrade.none')} />
      ) : (
        <SubmissionList
          submissions={waiting.data}
          describe={(submission) =>
            `${submission.assignment?.title ?? ''} · ${dateTime(submission.submitted_at)}`
          }
        />
      )}
    </Page>
  )
}

type LevelDraft = { title: string; points: string }
type CriterionDraft = { title: string; levels: LevelDraft[] }

const freshCriterion = (): CriterionDraft => ({
  title: '',
  levels: [
    { title: '', points: '0' },
    { title: '', points: '5' },
    { title: '', points: '10' },
  ],
})

/**
 * A new assignment with its rubric, posted in one call
 * (POST /lms/courses/:id/assignments): the rubric, its criteria and levels
 * and the assignment are all saved, or none of them. The due date is entered
 * on the school's clock, whatever the device's zone.
 */
export function NewAssignment(props: PageProps) {
  const i18n = useI18n()
  const { t } = i18n
  const courseId = props.params.id
  const course = useLoad(() => api<Course>(`${LMS}/courses/${courseId}`), [courseId])
  const [title, setTitle] = useState('')
  const [instructions, setInstructions] = useState('')
  const [due, setDue] = useState('')
  const [maxPoints, setMaxPoints] = useState('100')
  const [publish, setPublish] = useState(true)
  const [criteria, setCriteria] = useState<CriterionDraft[]>([freshCriterion()])
  const save = useAction()

  const changeCriterion = (index: number, change: Partial<CriterionDraft>) =>
    setCriteria(criteria.map((c, i) => (i === index ? { ...c, ...change } : c)))
  const changeLevel = (index: number, levelIndex: number, change: Partial<LevelDraft>) =>
    changeCriterion(index, {
      levels: criteria[index].levels.map((level, i) =>
        i === levelIndex ? { ...level, ...change } : level
      ),
    })

  const submit = async (event: Event) => {
    event.preventDefault()
    const created = await save.run(() =>
      api<Assignment>(`${LMS}/courses/${courseId}/assignments`, {
        method: 'POST',
        body: {
          title,
          instructions: instructions || null,
          due_at: due ? i18n.instant(due) : null,
          max_points: Number(maxPoints),
          status: publish ? 'published' : 'draft',
          rubric: criteria.length
            ? {
                title,
                criteria: criteria.map((criterion) => ({
                  title: criterion.title,
                  levels: criterion.levels.map((level) => ({
                    title: level.title,
                    points: Number(level.points),
                  })),
                })),
              }
            : null,
        },
      })
    )
    if (created) navigate(`/lms/assignments/${created.id}/submissions`)
  }

  return (
    <Page title={t('lms.new.title')}>
      {course.data ? <p class="muted">{course.data.title}</p> : null}
      <form onSubmit={submit}>
        <label>
          {t('lms.new.assignmentTitle')}
          <input
            required
            maxLength={200}
            value={title}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('lms.new.instructions')}
          <textarea
            rows={4}
            value={instructions}
            onInput={(e) => setInstructions(e.currentTarget.value)}
          />
        </label>
        <div class="grid">
          <label>
            {t('lms.new.due')}
            <input
              type="datetime-local"
              value={due}
              aria-describedby="lms-due-zone"
              onInput={(e) => setDue(e.currentTarget.value)}
            />
            <small id="lms-due-zone">{t('app.timeZone', { zone: i18n.timeZone })}</small>
          </label>
          <label>
            {t('lms.new.maxPoints')}
            <input
              type="number"
              min="0.01"
              step="0.01"
              required
              value={maxPoints}
              onInput={(e) => setMaxPoints(e.currentTarget.value)}
            />
          </label>
        </div>
        <label>
          <input
            type="checkbox"
            checked={publish}
            onChange={(e) => setPublish(e.currentTarget.checked)}
          />
          {t('lms.new.publish')}
        </label>

        <h2>{t('lms.rubric.title')}</h2>
        <p class="muted">{t('lms.rubric.hint')}</p>
        {criteria.map((criterion, index) => (
          <fieldset key={index} class="lms-criterion">
            <legend>{t('lms.rubric.criterionN', { n: index + 1 })}</legend>
            <label>
              {t('lms.rubric.criterionTitle')}
              <input
                required
                maxLength={200}
                value={criterion.title}
                onInput={(e) => changeCriterion(index, { title: e.currentTarget.value })}
              />
            </label>
            {criterion.levels.map((level, levelIndex) => (
              <div class="grid" key={levelIndex}>
                <label>
                  {t('lms.rubric.levelTitle', { n: levelIndex + 1 })}
                  <input
                    required
                    maxLength={200}
                    value={level.title}
                    onInput={(e) =>
                      changeLevel(index, levelIndex, { title: e.currentTarget.value })
                    }
                  />
                </label>
                <label>
                  {t('lms.rubric.levelPoints', { n: levelIndex + 1 })}
                  <input
                    type="number"
                    min="0"
                    step="0.01"
                    required
                    value={level.points}
                    onInput={(e) =>
                      changeLevel(index, levelIndex, { points: e.currentTarget.value })
                    }
                  />
                </label>
              </div>
            ))}
            <div style={ROW}>
              <button
                type="button"
                class="secondary"
                onClick={() =>
                  changeCriterion(index, {
                    levels: [...criterion.levels, { title: '', points: '0' }],
                  })
                }
              >
                {t('lms.rubric.addLevel')}
              </button>
              {criterion.levels.length > 1 ? (
                <button
                  type="button"
                  class="secondary outline"
                  onClick={() => changeCriterion(index, { levels: criterion.levels.slice(0, -1) })}
                >
                  {t('lms.rubric.removeLevel')}
                </button>
              ) : null}
              <button
                type="button"
                class="secondary outline"
                onClick={() => setCriteria(criteria.filter((_, i) => i !== index))}
              >
                {t('lms.rubric.removeCriterion', { n: index + 1 })}
              </button>
            </div>
          </fieldset>
        ))}
        <p>
          <button
            type="button"
            class="secondary"
            onClick={() => setCriteria([...criteria, freshCriterion()])}
          >
            {t('lms.rubric.addCriterion')}
          </button>
        </p>
        <Problem error={save.error} />
        <button type="submit" disabled={save.busy} aria-busy={save.busy}>
          {t('lms.new.post')}
        </button>
      </form>
    </Page>
  )
}
