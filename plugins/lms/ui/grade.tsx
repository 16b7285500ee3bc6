import { useState } from 'preact/hooks'
import {
  api,
  ApiError,
  Link,
  Loading,
  Notice,
  Page,
  Problem,
  useAction,
  useApp,
  useI18n,
  useLoad,
  type PageProps,
} from '@oryne/web'
import {
  bestTotal,
  LMS,
  list,
  loadRubric,
  points,
  studentName,
  type Grade,
  type Rubric,
  type Submission,
} from './lms.js'
import { SubmissionStatus, Written } from './parts.js'

/** A submission's files, each fetched through its signed link (no token in the address). */
export function SubmissionFiles(props: { submission: Submission }) {
  const { t } = useI18n()
  const open = useAction()
  const files = props.submission.files ?? []
  if (!files.length) return null
  const follow = (index: number) =>
    open.run(async () => {
      const link = await api<{ url: string }>(
        `${LMS}/submissions/${props.submission.id}/files/${index}/download-url`
      )
      location.assign(link.url)
    })
  return (
    <>
      <h2>{t('lms.files')}</h2>
      <ul>
        {files.map((file, index) => (
          <li key={file.key}>
            <button type="button" class="link" onClick={() => follow(index)}>
              {t('lms.download', { name: file.name })}
            </button>
          </li>
        ))}
      </ul>
      <Problem error={open.error} />
    </>
  )
}

/** Grading with the assignment's rubric: one level per criterion, the total as it will count. */
function RubricGrading(props: {
  rubric: Rubric
  maxPoints: number
  chosen: Record<string, string>
  onChoose: (criterionId: string, levelId: string) => void
}) {
  const { t, number } = useI18n()
  const best = bestTotal(props.rubric)
  const total = props.rubric.reduce((sum, criterion) => {
    const level = criterion.levels.find((l) => l.id === props.chosen[criterion.id])
    return sum + (level ? points(level.points) : 0)
  }, 0)
  const scaled = best > 0 ? Math.round((total / best) * props.maxPoints * 100) / 100 : 0
  return (
    <>
      {props.rubric.map((criterion) => (
        <fieldset key={criterion.id} class="lms-criterion">
          <legend>{criterion.title}</legend>
          {criterion.levels.map((level) => (
            <label key={level.id}>
              <input
                type="radio"
                name={`criterion-${criterion.id}`}
                value={level.id}
                required
                checked={props.chosen[criterion.id] === level.id}
                onChange={() => props.onChoose(criterion.id, level.id)}
              />
              {t('lms.rubric.chosen', { level: level.title, points: number(points(level.points)) })}
            </label>
          ))}
        </fieldset>
      ))}
      <p role="status" class="lms-total">
        {t('lms.grade.total', {
          total: number(total),
          best: number(best),
          scaled: number(scaled),
          max: number(props.maxPoints),
        })}
      </p>
    </>
  )
}

type Report = {
  score: number
  words: number
  checked_at: string
  matches: Array<{
    source: { kind: 'submission' | 'document'; id: string; external_id?: string }
    start: number
    end: number
    kind: 'verbatim' | 'edited' | 'paraphrase'
    similarity: number
  }>
}

/**
 * The AI plugin's originality report of a submission (its teacher only); a
 * check on demand when there is none yet. Passages are shown from the
 * submission's text; those found in its files are named by place.
 */
function Originality(props: { submission: Submission }) {
  const { t, number, dateTime, locale } = useI18n()
  const app = useApp()
  const id = props.submission.id
  const report = useLoad(
    () =>
      api<Report>(`/api/v1/ai/plagiarism/reports/${id}`).catch((error) => {
        if (error instanceof ApiError && error.status === 404) return null
        throw error
      }),
    [id]
  )
  const check = useAction()
  const runCheck = async () => {
    const done = await check.run(() =>
      api<Report>(`/api/v1/ai/plagiarism/reports/${id}/check`, { method: 'POST' })
    )
    if (done) await report.reload()
  }
  const text = props.submission.text ?? ''
  const percent = (share: number) =>
    new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(share)
  return (
    <section aria-labelledby="lms-originality">
      <h2 id="lms-originality">{t('lms.originality.title')}</h2>
      <Problem error={report.error ?? check.error} />
      {report.loading && report.data === undefined ? (
        <Loading what={t('lms.originality.title')} />
      ) : report.data ? (
        <>
          <p class="lms-score">
            {t('lms.originality.score', {
              score: percent(report.data.score),
              words: number(report.data.words),
            })}{' '}
            <span class="muted">
              {t('lms.originality.checked', { when: dateTime(report.data.checked_at) })}
            </span>
          </p>
          {report.data.matches.length === 0 ? (
            <p>{t('lms.originality.noMatches')}</p>
          ) : (
            <ol class="lms-matches">
              {report.data.matches.map((match, index) => (
                <li key={index}>
                  <p>
                    {t(`lms.originality.kind.${match.kind}`)} ·{' '}
                    {t('lms.originality.similarity', { share: percent(match.similarity) })} ·{' '}
                    {match.source.kind === 'document'
                      ? t('lms.originality.document', {
                          name: match.source.external_id ?? match.source.id,
                        })
                      : t('lms.originality.submission', { id: match.source.id })}
                  </p>
                  {match.end <= text.length ? (
                    <blockquote>{text.slice(match.start, match.end)}</blockquote>
                  ) : (
                    <p class="muted">{t('lms.originality.inFile')}</p>
                  )}
                </li>
              ))}
            </ol>
          )}
        </>
      ) : (
        <p>{t('lms.originality.none')}</p>
      )}
      {app.can('ai.plagiarism.check') ? (
        <button
          type="button"
          class="secondary"
          disabled={check.busy}
          aria-busy={check.busy}
          onClick={runCheck}
        >
          {report.data ? t('lms.originality.recheck') : t('lms.originality.check')}
        </button>
      ) : null}
    </section>
  )
}

/** A teacher grades one submission: rubric levels (or points), feedback, release. */
export function GradeSubmission(props: PageProps) {
  const { t, dateTime, number } = useI18n()
  const app = useApp()
  const id = props.params.id
  const loaded = useLoad(async () => {
    const submission = await api<Submission>(`${LMS}/submissions/${id}`, {
      query: { include: 'student,assignment' },
    })
    const [rubric, grades] = await Promise.all([
      submission.assignment?.rubric_id
        ? loadRubric(submission.assignment.rubric_id)
        : Promise.resolve(null),
      list<Grade>('grades', { 'filter[submission_id]': id }),
    ])
    return { submission, rubric, grade: grades[0] ?? null }
  }, [id])
  const [chosen, setChosen] = useState<Record<string, string> | null>(null)
  const [givenPoints, setGivenPoints] = useState<string | null>(null)
  const [feedback, setFeedback] = useState<string | null>(null)
  const [release, setRelease] = useState(false)
  const save = useAction()
  const [saved, setSaved] = useState<string | null>(null)

  if (!loaded.data)
    return (
      <Page title={t('lms.grade.title')}>
        <Problem error={loaded.error} />
        {loaded.error ? null : <Loading what={t('lms.grade.title')} />}
      </Page>
    )
  const { submission, rubric, grade } = loaded.data
  const assignment = submission.assignment!
  const selection =
    chosen ??
    Object.fromEntries(
      (grade?.rubric_selections ?? []).map((s) => [s.criterion_id, s.level_id] as const)
    )
  const note = feedback ?? grade?.feedback ?? ''
  const gradeable = submission.status === 'submitted' || submission.status === 'graded'

  const submit = async (event: Event) => {
    event.preventDefault()
    setSaved(null)
    const result = await save.run(async () => {
      const body = rubric?.length
        ? {
            rubric: rubric.map((c) => ({ criterion_id: c.id, level_id: selection[c.id] })),
            feedback: note || null,
          }
        : { points: Number(givenPoints ?? grade?.points ?? 0), feedback: note || null }
      const answer = await api<Grade>(`${LMS}/submissions/${id}/grade`, {
        method: 'POST',
        body,
      })
      if (release)
        await api(`${LMS}/assignments/${assignment.id}/release`, {
          method: 'POST',
          body: { submission_ids: [id] },
        })
      return answer
    })
    if (result) {
      setSaved(
        t(release ? 'lms.grade.savedReleased' : 'lms.grade.saved', {
          points: number(points(result.final_points)),
          max: number(points(assignment.max_points)),
        })
      )
      await loaded.reload()
    }
  }

  return (
    <Page title={t('lms.grade.titleOf', { name: studentName(submission.student) })}>
      <p>
        <Link to={`/lms/assignments/${assignment.id}/submissions`}>{assignment.title}</Link> ·{' '}
        {t('lms.attempt', { attempt: submission.attempt })} ·{' '}
        <SubmissionStatus submission={submission} />
      </p>
      <p class="muted">
        {t('lms.handedIn', { when: dateTime(submission.submitted_at) })}
        {grade
          ? ` · ${t(grade.released ? 'lms.grade.current' : 'lms.grade.currentUnreleased', {
              points: number(points(grade.final_points)),
              max: number(points(assignment.max_points)),
            })}`
          : ''}
      </p>
      <h2>{t('lms.answer')}</h2>
      {submission.text ? (
        <Written text={submission.text} />
      ) : (
        <p class="muted">{t('lms.noText')}</p>
      )}
      <SubmissionFiles submission={submission} />

      <h2>{t('lms.grade.heading')}</h2>
      {!gradeable ? (
        <p>{t(`lms.grade.notGradeable.${submission.status}`)}</p>
      ) : (
        <form onSubmit={submit}>
          {rubric?.length ? (
            <RubricGrading
              rubric={rubric}
              maxPoints={points(assignment.max_points)}
              chosen={selection}
              onChoose={(criterion, level) => setChosen({ ...selection, [criterion]: level })}
            />
          ) : (
            <label>
              {t('lms.grade.points', { max: number(points(assignment.max_points)) })}
              <input
                type="number"
                min="0"
                step="0.01"
                max={assignment.max_points}
                required
                value={givenPoints ?? grade?.points ?? ''}
                onInput={(e) => setGivenPoints(e.currentTarget.value)}
              />
            </label>
          )}
          <label>
            {t('lms.grade.feedback')}
            <textarea rows={4} value={note} onInput={(e) => setFeedback(e.currentTarget.value)} />
          </label>
          {app.can('lms.grades.release') ? (
            <label>
              <input
                type="checkbox"
                checked={release}
                onChange={(e) => setRelease(e.currentTarget.checked)}
              />
              {t('lms.grade.release')}
            </label>
          ) : null}
          <Problem error={save.error} />
          <button type="submit" disabled={save.busy} aria-busy={save.busy}>
            {t('lms.grade.save')}
          </button>
        </form>
      )}
      <Notice text={saved} />
      {app.enabled('ai') && app.can('ai.plagiarism_reports.read') ? (
        <Originality submission={submission} />
      ) : null}
    </Page>
  )
}
