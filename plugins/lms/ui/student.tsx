import { useState } from 'preact/hooks'
import {
  api,
  Empty,
  Link,
  Loading,
  Notice,
  Page,
  Pager,
  Problem,
  useAction,
  useApp,
  useI18n,
  useLoad,
  type PageProps,
} from '@oryne/web'
import {
  LMS,
  list,
  loadRubric,
  points,
  takesWork,
  workDue,
  type Assignment,
  type Submission,
} from './lms.js'
import { ROW, SubmissionStatus, Written } from './parts.js'
import { SubmissionFiles } from './grade.js'

/** The status of a student's work on an assignment: its latest attempt's, or not started. */
export function WorkStatus(props: { attempt?: Pick<Submission, 'status' | 'late'> | null }) {
  const { t } = useI18n()
  return props.attempt ? (
    <SubmissionStatus submission={props.attempt} />
  ) : (
    <mark class="lms-status lms-status-none">{t('lms.work.notStarted')}</mark>
  )
}

const PER_PAGE = 25

/**
 * Work due across the student's courses (GET /lms/me/work-due): late work
 * still taken, then by due date, undated last, with the latest attempt's
 * status. A parent sees their children's, each row naming the child.
 */
export function WorkDue() {
  const { t, dateTime } = useI18n()
  const app = useApp()
  const student = app.hasRole('Student')
  const [page, setPage] = useState(1)
  const work = useLoad(() => workDue({ page, per_page: PER_PAGE }), [page])
  const rows = work.data?.data
  const pagination = work.data?.pagination
  return (
    <Page title={t('lms.nav.work')}>
      <Problem error={work.error} />
      {!rows ? (
        <Loading what={t('lms.nav.work')} />
      ) : rows.length === 0 ? (
        <Empty text={t('lms.work.none')} />
      ) : (
        <ul class="lms-cards">
          {rows.map((row) => (
            <li key={`${row.assignment_id}-${row.student.id}`}>
              {student ? (
                <Link to={`/lms/work/${row.assignment_id}`}>{row.title}</Link>
              ) : (
                <strong>{row.title}</strong>
              )}{' '}
              <WorkStatus attempt={row.latest_attempt} />
              <br />
              <span class="muted">
                {student ? null : <>{row.student.name} · </>}
                {row.course.title} ·{' '}
                {row.due_at ? t('lms.due', { when: dateTime(row.due_at) }) : t('lms.noDue')}
              </span>
            </li>
          ))}
        </ul>
      )}
      {pagination ? (
        <Pager
          page={pagination.page ?? page}
          last={pagination.last_page ?? 1}
          onPage={(next) => setPage(next)}
        />
      ) : null}
    </Page>
  )
}

/** One assignment for a student: what is asked, and their attempt (write, attach, hand in). */
export function AssignmentWork(props: PageProps) {
  const { t, dateTime, number } = useI18n()
  const id = props.params.id
  const loaded = useLoad(async () => {
    const assignment = await api<Assignment>(`${LMS}/assignments/${id}`, {
      query: { include: 'course' },
    })
    const [attempts, rubric] = await Promise.all([
      list<Submission>('submissions', { 'filter[assignment_id]': id, 'sort': '-attempt' }),
      assignment.rubric_id ? loadRubric(assignment.rubric_id) : Promise.resolve(null),
    ])
    return { assignment, attempts, rubric }
  }, [id])
  const [text, setText] = useState<string | null>(null)
  const [files, setFiles] = useState<File[]>([])
  const [fileField, setFileField] = useState(0)
  const save = useAction()
  const [done, setDone] = useState<string | null>(null)

  if (!loaded.data)
    return (
      <Page title={t('lms.nav.work')}>
        <Problem error={loaded.error} />
        {loaded.error ? null : <Loading what={t('lms.nav.work')} />}
      </Page>
    )
  const { assignment, attempts, rubric } = loaded.data
  const latest = attempts[0]
  const draft = latest?.status === 'draft' ? latest : null
  const allowed = assignment.attempts_allowed
  const canStart =
    !latest || (latest.status === 'returned' && (allowed === 0 || attempts.length < allowed))
  const writable = (draft || canStart) && takesWork(assignment)
  const answer = text ?? draft?.text ?? ''

  /** Saves the text and files as a draft (starting the attempt if needed), then hands it in. */
  const keep = (handIn: boolean) =>
    save.run(async () => {
      let attempt = draft
      if (attempt) {
        attempt = await api<Submission>(`${LMS}/submissions/${attempt.id}/draft`, {
          method: 'PUT',
          body: { text: answer || null },
        })
      } else {
        attempt = await api<Submission>(`${LMS}/assignments/${id}/submissions`, {
          method: 'POST',
          body: { text: answer || null },
        })
      }
      for (const file of files) {
        const form = new FormData()
        form.append('file', file)
        attempt = await api<Submission>(`${LMS}/submissions/${attempt.id}/files`, {
          method: 'POST',
          body: form,
        })
      }
      setFiles([])
      setFileField(fileField + 1)
      if (handIn)
        attempt = await api<Submission>(`${LMS}/submissions/${attempt.id}/submit`, {
          method: 'POST',
        })
      return attempt
    })
  const submit = async (event: Event) => {
    event.preventDefault()
    const handIn = (event as SubmitEvent).submitter?.getAttribute('value') !== 'draft'
    setDone(null)
    const attempt = await keep(handIn)
    if (attempt) {
      setText(null)
      setDone(
        handIn
          ? t('lms.work.handedIn', { when: dateTime(attempt.submitted_at) })
          : t('lms.work.draftSaved')
      )
    }
    // Also after a refusal: the attempt may have been started (a draft) before it.
    await loaded.reload()
  }

  return (
    <Page title={assignment.title}>
      <p class="muted">
        {assignment.course?.title} ·{' '}
        {assignment.due_at ? t('lms.due', { when: dateTime(assignment.due_at) }) : t('lms.noDue')}
        {assignment.cut_off_at
          ? ` · ${t('lms.cutOff', { when: dateTime(assignment.cut_off_at) })}`
          : ''}{' '}
        · {t('lms.maxPoints', { max: number(points(assignment.max_points)) })}
      </p>
      {assignment.instructions ? <Written text={assignment.instructions} /> : null}
      {rubric?.length ? (
        <details>
          <summary>{t('lms.rubric.title')}</summary>
          <ul>
            {rubric.map((criterion) => (
              <li key={criterion.id}>
                <strong>{criterion.title}</strong>:{' '}
                {criterion.levels
                  .map((level) =>
                    t('lms.rubric.chosen', {
                      level: level.title,
                      points: number(points(level.points)),
                    })
                  )
                  .join('; ')}
              </li>
            ))}
          </ul>
        </details>
      ) : null}

      <h2>{t('lms.work.yours')}</h2>
      <p>
        <WorkStatus attempt={latest} />
        {latest?.submitted_at ? (
          <span class="muted"> · {dateTime(latest.submitted_at)}</span>
        ) : null}
      </p>
      <Notice text={done} />
      {latest && !writable ? (
        <>
          {latest.text ? <Written text={latest.text} /> : null}
          <SubmissionFiles submission={latest} />
          {latest.status === 'graded' || latest.status === 'returned' ? (
            <p>
              <Link to="/lms/grades">{t('lms.work.seeGrade')}</Link>
            </p>
          ) : null}
        </>
      ) : null}
      {writable ? (
        <form onSubmit={submit}>
          <label>
            {t('lms.work.answer')}
            <textarea rows={8} value={answer} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
          {draft?.files?.length ? <SubmissionFiles submission={draft} /> : null}
          <label>
            {t('lms.work.attach')}
            <input
              key={fileField}
              type="file"
              multiple
              onChange={(e) => setFiles([...(e.currentTarget.files ?? [])])}
            />
          </label>
          <Problem error={save.error} />
          <div style={ROW}>
            <button type="submit" value="hand-in" disabled={save.busy} aria-busy={save.busy}>
              {t('lms.work.handIn')}
            </button>
            <button type="submit" value="draft" class="secondary" disabled={save.busy}>
              {t('lms.work.saveDraft')}
            </button>
          </div>
        </form>
      ) : !takesWork(assignment) ? (
        <p>{t('lms.work.closed')}</p>
      ) : null}
    </Page>
  )
}
