import { api, definePluginUi, Empty, Problem, useI18n, useLoad } from '@oryne/web'

type Recommendation = { item_type: string; item_id: string; score: number }
type Course = { id: string; code: string; title: string }

/**
 * Recommended courses with their titles as the LMS shows them to the user
 * (a course the user may not read yet is shown by its number).
 */
async function recommendedCourses() {
  const answer = await api<{ items: Recommendation[]; strategy: string }>(
    '/api/v1/ai/recommendations',
    { query: { type: 'courses', limit: 5 } }
  )
  const ids = answer.items.map((item) => item.item_id)
  const courses = ids.length
    ? await api<Course[]>('/api/v1/lms/courses', {
        query: { 'filter[id][in]': ids.join(','), 'per_page': ids.length },
      }).catch(() => [] as Course[])
    : []
  const byId = new Map(courses.map((course) => [String(course.id), course]))
  return {
    strategy: answer.strategy,
    items: ids.map((id) => ({ id, course: byId.get(id) ?? null })),
  }
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
        {load.data.items.map(({ id, course }) => (
          <li key={id}>
            {course ? `${course.title} (${course.code})` : t('ai.widget.course', { id })}
          </li>
        ))}
      </ol>
      <p class="muted">
        {t(load.data.strategy === 'model' ? 'ai.widget.model' : 'ai.widget.popular')}
      </p>
    </>
  )
}

export default definePluginUi({ widgets: { courses: RecommendedCourses } })
