import { api } from '../../kit/api.js'
import { useI18n } from '../../kit/i18n.js'
import type { PageProps } from '../../kit/plugins.js'
import { Link, Loading, Problem, useLoad } from '../../kit/ui.js'
import { FillIn } from './public_form.js'

/*
 * /collections/:name/fill/:slug: a form filled in by someone signed in (a
 * form that is not public needs collections.<name>.create), through
 * GET/POST /api/v1/collections/:name/forms/:slug.
 */
export function CollectionFormFill(props: PageProps) {
  const { t } = useI18n()
  const { name, slug } = props.params
  const path = `/api/v1/collections/${encodeURIComponent(name)}/forms/${encodeURIComponent(slug)}`
  const form = useLoad(() => api(path), [path])
  if (form.loading && !form.data) return <Loading what={slug} />
  if (!form.data)
    return (
      <section class="page">
        <h1>{t('col.public.unavailable')}</h1>
        <Problem error={form.error} />
        <Link to="/">{t('nav.home')}</Link>
      </section>
    )
  return (
    <section class="page col-fill">
      <FillIn
        form={form.data}
        send={(values) => api(`${path}/submissions`, { method: 'POST', body: { values } })}
      />
    </section>
  )
}
