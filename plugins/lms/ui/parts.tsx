import { useI18n } from '@oryne/web'
import { points, type Rubric, type Selection, type Submission } from './lms.js'

/** A submission's status in words, with "late" when it was. */
export function SubmissionStatus(props: { submission: Pick<Submission, 'status' | 'late'> }) {
  const { t } = useI18n()
  return (
    <mark class={`lms-status lms-status-${props.submission.status}`}>
      {t(`lms.submissionStatus.${props.submission.status}`)}
      {props.submission.late ? ` · ${t('lms.late')}` : ''}
    </mark>
  )
}

/** The levels chosen on a rubric, criterion by criterion (a grade's feedback). */
export function ChosenLevels(props: { rubric: Rubric; selections: Selection[] }) {
  const { t, number } = useI18n()
  return (
    <ul>
      {props.rubric.map((criterion) => {
        const chosen = props.selections.find((s) => s.criterion_id === criterion.id)
        const level = criterion.levels.find((l) => l.id === chosen?.level_id)
        return (
          <li key={criterion.id}>
            <strong>{criterion.title}</strong>:{' '}
            {level
              ? t('lms.rubric.chosen', { level: level.title, points: number(points(level.points)) })
              : '—'}
          </li>
        )
      })}
    </ul>
  )
}
