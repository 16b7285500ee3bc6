import { api, call, Notice, Page, Problem, useAction, useI18n, useLoad } from '@oryne/web'
import { useState } from 'preact/hooks'
import { nameOf } from './common.js'

type Applicant = {
  id: string
  first_name: string
  last_name: string
  guardian_name: string
  status: string
  campaign: { name: string } | null
}

const STAGES = [
  'draft',
  'submitted',
  'under_review',
  'waitlisted',
  'accepted',
  'enrolled',
  'rejected',
] as const
// The moves the admissions workflow allows from each stage (services/admissions.ts); enrolment has its own route.
const MOVES: Record<string, string[]> = {
  draft: ['submitted'],
  submitted: ['under_review'],
  under_review: ['accepted', 'waitlisted', 'rejected'],
  waitlisted: ['accepted', 'rejected'],
}

/** The admissions pipeline: applicants by stage as columns, each with its next moves. */
export function Admissions() {
  const { t } = useI18n()
  const applicants = useLoad(() =>
    api<Applicant[]>('/api/v1/erp/applicants', {
      query: { include: 'campaign', sort: 'last_name,first_name', per_page: 100 },
    })
  )
  const action = useAction()
  const [done, setDone] = useState<string | null>(null)

  async function move(applicant: Applicant, to: string) {
    setDone(null)
    const name = nameOf(applicant)
    const moved =
      to === 'enrolled'
        ? await action.run(() =>
            call(`/api/v1/erp/applicants/${applicant.id}/enrol`, { method: 'POST', body: {} })
          )
        : await action.run(() =>
            call(`/api/v1/erp/applicants/${applicant.id}/transition`, {
              method: 'POST',
              body: { to },
            })
          )
    if (!moved) return
    setDone(
      to === 'enrolled'
        ? t('erp.admissions.enrolled', { name })
        : t('erp.admissions.moved', { name, stage: t(`erp.admissions.stage.${to}`) })
    )
    await applicants.reload()
  }

  const byStage = (stage: string) =>
    (applicants.data ?? []).filter((applicant) => applicant.status === stage)
  return (
    <Page title={t('erp.nav.admissions')}>
      <Problem error={applicants.error ?? action.error} />
      <Notice text={done} />
      <div class="erp-board">
        {STAGES.map((stage) => {
          const column = byStage(stage)
          return (
            <section key={stage} aria-labelledby={`erp-stage-${stage}`} class="erp-column">
              <h2 id={`erp-stage-${stage}`}>
                {t(`erp.admissions.stage.${stage}`)} <small class="muted">({column.length})</small>
              </h2>
              {column.length ? (
                <ul>
                  {column.map((applicant) => {
                    const name = nameOf(applicant)
                    const moves = stage === 'accepted' ? ['enrolled'] : (MOVES[stage] ?? [])
                    return (
                      <li key={applicant.id}>
                        <article class="erp-card">
                          <p>
                            <strong>{name}</strong>
                          </p>
                          <p class="muted">
                            {applicant.campaign?.name}
                            {applicant.campaign ? ' · ' : ''}
                            {t('erp.admissions.guardian', { name: applicant.guardian_name })}
                          </p>
                          {moves.length ? (
                            <div class="erp-moves">
                              {moves.map((to) => {
                                const label =
                                  to === 'enrolled'
                                    ? t('erp.admissions.enrol')
                                    : t(`erp.admissions.move.${to}`)
                                return (
                                  <button
                                    key={to}
                                    type="button"
                                    class={to === 'rejected' ? 'secondary outline' : ''}
                                    disabled={action.busy}
                                    aria-label={t('erp.admissions.action', { action: label, name })}
                                    onClick={() => move(applicant, to)}
                                  >
                                    {label}
                                  </button>
                                )
                              })}
                            </div>
                          ) : null}
                        </article>
                      </li>
                    )
                  })}
                </ul>
              ) : (
                <p class="muted">{t('erp.admissions.empty')}</p>
              )}
            </section>
          )
        })}
      </div>
    </Page>
  )
}
