import { useEffect, useState } from 'preact/hooks'
import { useApp } from '../kit/context.js'
import { useI18n } from '../kit/i18n.js'
import { pluginUi, type PluginUiModule } from '../kit/plugins.js'
import { Empty, Link, Page } from '../kit/ui.js'

/** One widget of a plugin, loaded with the plugin's UI module. */
function Widget(props: { plugin: string; id: string; title: string }) {
  const { t } = useI18n()
  const [module, setModule] = useState<PluginUiModule | null | undefined>(undefined)
  useEffect(() => {
    pluginUi(props.plugin).then(setModule, () => setModule(null))
  }, [props.plugin])
  const Component = module?.widgets?.[props.id]
  return (
    <article class="widget" aria-labelledby={`widget-${props.plugin}-${props.id}`}>
      <h2 id={`widget-${props.plugin}-${props.id}`}>{t(props.title)}</h2>
      {module === undefined ? <p aria-busy="true" /> : null}
      {Component ? <Component id={props.id} title={t(props.title)} /> : null}
    </article>
  )
}

/** The home page: a greeting, and the widgets the enabled plugins address to this user. */
export function Home() {
  const app = useApp()
  const { t } = useI18n()
  const name = app.user.name || app.user.email
  const roles = app.user.roles.map((role) => t(`role.${role}`)).join(', ')
  return (
    <Page title={t('home.greeting', { name })}>
      <p class="muted">{t('home.roles', { roles })}</p>
      {app.widgets.length === 0 && app.nav.length === 0 ? <Empty text={t('home.nothing')} /> : null}
      <div class="widgets">
        {app.widgets.map((widget) => (
          <Widget key={`${widget.plugin}.${widget.id}`} {...widget} />
        ))}
      </div>
      {app.nav.length > 0 && (
        <nav aria-label={t('nav.main')} class="shortcuts">
          <ul>
            {app.nav.map((entry) => (
              <li key={`${entry.plugin}.${entry.id}`}>
                <Link to={entry.path}>{t(entry.label)}</Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </Page>
  )
}
