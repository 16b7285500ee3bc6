import { useI18n } from '../kit/i18n.js'
import { Empty, Link, Loading, Page, Problem, useLoad } from '../kit/ui.js'
import { resourceTitle, resourceViews, type ResourceView } from './resources.js'

/** /data: every resource the user may list, grouped by plugin. */
export function DataIndex() {
  const i18n = useI18n()
  const { t } = i18n
  const views = useLoad(() => resourceViews(true), [])
  const groups = new Map<string, ResourceView[]>()
  for (const view of views.data ?? [])
    groups.set(view.plugin, [...(groups.get(view.plugin) ?? []), view])
  return (
    <Page title={t('data.title')}>
      <p class="muted">{t('data.intro')}</p>
      {views.error ? <Problem error={views.error} /> : null}
      {views.loading && !views.data ? <Loading what={t('data.title')} /> : null}
      {views.data && groups.size === 0 ? <Empty text={t('data.none')} /> : null}
      {[...groups].map(([plugin, list]) => (
        <section key={plugin} aria-labelledby={`data-${plugin}`}>
          <h2 id={`data-${plugin}`}>{i18n.has(`${plugin}.name`) ? t(`${plugin}.name`) : plugin}</h2>
          <ul>
            {list.map((view) => (
              <li key={view.key}>
                <Link to={`/data/${view.plugin}/${view.name}`}>{resourceTitle(i18n, view)}</Link>
                {view.description ? <span class="muted"> — {view.description}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </Page>
  )
}
