import { useI18n } from '../kit/i18n.js'
import { Link, Page, useLoad } from '../kit/ui.js'
import { resourceView } from './resources.js'

/** The view of `<plugin>.<resource>` for the signed-in user (null: no such resource, or not theirs to list). */
export function useResourceView(plugin: string, resource: string) {
  return useLoad(() => resourceView(plugin, resource), [plugin, resource])
}

/** A resource the user cannot list, or that does not exist: said the same way (no probing). */
export function Unknown() {
  const { t } = useI18n()
  return (
    <Page title={t('data.title')}>
      <p role="alert">{t('data.unknown')}</p>
      <Link to="/data">{t('data.title')}</Link>
    </Page>
  )
}
