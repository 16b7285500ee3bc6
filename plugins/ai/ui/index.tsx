import { api, definePluginUi, Empty, Problem, useI18n, useLoad } from '@oryne/web'

type Recommendation = { item_type: string; item_id: string; score: number; label: string | null }

/** Recommended courses, named by the API (title and code; a course it cannot name by its number). */
function recommendedCourses() {
  return api<{ items: Recommendation[]; strategy: string }>('/api/v1/ai/recommendations', {
    query: { type: 'courses', limit: 5 },
  })
}

/** The student's recommended courses, on the home page. */
function RecommendedCourses() {
  const { t } = useI18n()
  const load = useLoad(recommendedCourses, [])
  if (load.error) return <Problem error={load.error} />
  if (!load.data) return <p aria-busy="true">{t('ai.widget.loading')}</p>
  if (!load.data.items.length) return <Empty text={t('ai.widget.none')} />
  return (
    <>
      <ol class="campus-recommended">
        {load.data.items.map(({ item_id: id, label }) => (
          <li key={id}>{label ?? t('ai.widget.course', { id })}</li>
        ))}
      </ol>
      <p class="muted">
        {t(load.data.strategy === 'model' ? 'ai.widget.model' : 'ai.widget.popular')}
      </p>
    </>
  )
}

export default definePluginUi({ widgets: { courses: RecommendedCourses } })
