import type { ComponentType } from 'preact'
import { Page, useApp, useI18n } from '@oryne/web'
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
            <strong>
              <bdi>{criterion.title}</bdi>
            </strong>
            :{' '}
            {level
              ? t('lms.rubric.chosen', { level: level.title, points: number(points(level.points)) })
              : '—'}
          </li>
        )
      })}
    </ul>
  )
}

/** Text as its author wrote it (line breaks kept, long words wrapped). */
export function Written(props: { text: string }) {
  return (
    <div
      class="lms-written"
      style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', marginBottom: '1rem' }}
    >
      {props.text}
    </div>
  )
}

/** Buttons side by side, wrapping on a phone. */
export const ROW = { display: 'flex', flexWrap: 'wrap', gap: '0.5rem' } as const

/**
 * A page only for holders of `permission` (a teacher's desk); others get a
 * refusal in words instead of a form the API would refuse anyway.
 */
export function only<P extends object>(permission: string, Component: ComponentType<P>) {
  return function Guarded(props: P) {
    const app = useApp()
    const { t } = useI18n()
    if (app.can(permission)) return <Component {...props} />
    return (
      <Page title={t('lms.forbidden')}>
        <p role="alert">{t('app.forbidden')}</p>
      </Page>
    )
  }
}
