import { useEffect, useMemo, useState } from 'preact/hooks'
import { api, onSession, session, signOut, type Session } from './kit/api.js'
import {
  app as makeApp,
  AppContext,
  useApp,
  type AppContextData,
  type App as AppValue,
} from './kit/context.js'
import { chosenLocale, I18n, I18nContext, useI18n } from './kit/i18n.js'
import { loadPluginMessages, pluginUi, type PluginUiModule } from './kit/plugins.js'
import { useOnline } from './kit/offline.js'
import { match, useLocation, type Location } from './kit/router.js'
import { Link, Loading, Problem } from './kit/ui.js'
import { CORE_PAGES } from './pages/index.js'
import { PUBLIC_FORM } from './pages/collections/index.js'
import { useReadableCollections } from './pages/collections/shared.js'
import { PublicFormApp } from './pages/collections/public_form.js'
import { useHasRecords } from './data/resources.js'
import { useUnreadCount } from './pages/notifications.js'
import { SignIn } from './pages/sign_in.js'

/** Applies the language's direction and name to the document (right-to-left for Arabic). */
function useDocumentLanguage(i18n: I18n) {
  useEffect(() => {
    document.documentElement.lang = i18n.locale
    document.documentElement.dir = i18n.dir
  }, [i18n])
}

/** A plugin's page: `/<plugin>/<rest>` matched against the patterns of its UI module. */
function PluginPage(props: { location: Location }) {
  const { t } = useI18n()
  const [plugin, ...rest] = props.location.path.split('/').filter(Boolean)
  const [module, setModule] = useState<PluginUiModule | null | undefined>(undefined)
  const [failed, setFailed] = useState<unknown>(null)
  useEffect(() => {
    setModule(undefined)
    pluginUi(plugin).then(setModule, setFailed)
  }, [plugin])
  if (failed) return <Problem error={failed} />
  if (module === undefined) return <Loading what={plugin} />
  for (const [pattern, Component] of Object.entries(module?.pages ?? {})) {
    const params = match(pattern, rest.join('/'))
    if (params) return <Component params={params} location={props.location} />
  }
  return <p role="alert">{t('app.notFound')}</p>
}

function Routed(props: { location: Location }) {
  for (const [pattern, Component] of Object.entries(CORE_PAGES)) {
    const params = match(pattern, props.location.path)
    if (params) return <Component params={params} location={props.location} />
  }
  return <PluginPage location={props.location} />
}

/** The navigation: home, the plugins' entries for this user by section, then everyone's pages. */
function Navigation(props: { path: string; open: boolean; onNavigate: () => void }) {
  const app = useApp()
  const { t } = useI18n()
  const core = Object.keys(CORE_PAGES)
  const records = useHasRecords()
  // Those who do not build collections reach the ones they may read here (admins: from Collections).
  const manage = app.can('core.collections.manage')
  const readable = useReadableCollections()
  const sections = (['daily', 'records', 'admin'] as const)
    .map((section) => ({ section, entries: app.nav.filter((entry) => entry.section === section) }))
    .filter((group) => group.entries.length > 0)
  const current = (to: string) =>
    to === '/' ? props.path === '/' : props.path === to || props.path.startsWith(`${to}/`)
  const everyone = [
    ['/notifications', 'nav.notifications'],
    ['/calendar', 'nav.calendar'],
    ['/profile', 'nav.profile'],
  ].filter(([to]) => core.includes(to))
  return (
    <nav
      id="app-nav"
      aria-label={t('nav.main')}
      class={props.open ? 'open' : ''}
      onClick={props.onNavigate}
    >
      <ul>
        <li>
          <Link to="/" current={current('/')}>
            {t('nav.home')}
          </Link>
        </li>
        {records ? (
          <li>
            <Link to="/data" current={current('/data')}>
              {t('data.title')}
            </Link>
          </li>
        ) : null}
        {manage ? (
          <li>
            <Link to="/collections" current={current('/collections')}>
              {t('col.title')}
            </Link>
          </li>
        ) : null}
      </ul>
      {!manage && readable.length > 0 ? (
        <div>
          <h2 class="nav-section">{t('col.title')}</h2>
          <ul>
            {readable.map((collection) => (
              <li key={collection.name}>
                <Link
                  to={`/collections/${collection.name}/records`}
                  current={current(`/collections/${collection.name}`)}
                >
                  {collection.title}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {sections.map((group) => (
        <div key={group.section}>
          <h2 class="nav-section">{t(`nav.section.${group.section}`)}</h2>
          <ul>
            {group.entries.map((entry) => (
              <li key={`${entry.plugin}.${entry.id}`}>
                <Link to={entry.path} current={current(entry.path)}>
                  {t(entry.label)}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ))}
      <ul>
        {everyone.map(([to, label]) => (
          <li key={to}>
            <Link to={to} current={current(to)}>
              {t(label)}
            </Link>
          </li>
        ))}
        <li>
          <button type="button" class="link" onClick={() => signOut()}>
            {t('nav.signOut')}
          </button>
        </li>
      </ul>
    </nav>
  )
}

/** The header's link to the inbox with the live unread count, announced politely as it changes. */
function UnreadBadge(props: { current: boolean }) {
  const { t, number } = useI18n()
  const unread = useUnreadCount()
  if (unread === null) return null
  const text = t('notifications.badge', { count: unread })
  return (
    <>
      <Link to="/notifications" class="unread-badge" current={props.current}>
        <span aria-hidden="true">
          <svg viewBox="0 0 24 24" width="20" height="20" class="bell">
            <path
              fill="currentColor"
              d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"
            />
          </svg>
          <span class={unread > 0 ? 'count' : 'count none'}>{number(unread)}</span>
        </span>
        <span class="visually-hidden">{text}</span>
      </Link>
      <span role="status" class="visually-hidden">
        {unread > 0 ? text : ''}
      </span>
    </>
  )
}

/** The signed-in app: the shell (skip link, header, navigation) around the page of the address. */
function Shell(props: { value: AppValue }) {
  const location = useLocation()
  const { t } = useI18n()
  const [menuOpen, setMenuOpen] = useState(false)
  const [first, setFirst] = useState(true)
  const online = useOnline()
  useEffect(() => {
    setMenuOpen(false)
    // After a navigation (not on the first page), the keyboard continues from the new content.
    if (first) setFirst(false)
    else document.getElementById('main')?.focus({ preventScroll: true })
  }, [location.path])
  return (
    <>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="app-header">
        <Link to="/" class="brand">
          {props.value.tenant.name}
        </Link>
        <UnreadBadge current={location.path === '/notifications'} />
        <button
          type="button"
          class="menu-button secondary"
          aria-expanded={menuOpen}
          aria-controls="app-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          {t('app.menu')}
        </button>
      </header>
      <div class="app-body">
        <Navigation path={location.path} open={menuOpen} onNavigate={() => setMenuOpen(false)} />
        <main id="main" tabIndex={-1}>
          {online ? null : (
            <p role="status" class="offline-notice">
              {t('app.offline')}
            </p>
          )}
          <Routed location={location} />
        </main>
      </div>
    </>
  )
}

/** Loads the app context for the session, then the catalogues of the plugins it names. */
function useAppContext(current: Session | null) {
  const [state, setState] = useState<{ data?: AppContextData; error?: unknown }>({})
  const load = async () => {
    try {
      const data = await api<AppContextData>('/api/v1/app/context')
      await loadPluginMessages(data.plugins.map((plugin) => plugin.name))
      setState({ data })
    } catch (error) {
      setState({ error })
    }
  }
  useEffect(() => {
    setState({})
    if (current) load()
  }, [current?.tenant, current?.email])
  return { ...state, reload: load }
}

/** The app: a public form for anyone (no account), else the signed-in app or the sign-in. */
export function App() {
  const form = match(PUBLIC_FORM, useLocation().path)
  if (form) return <PublicFormApp slug={form.slug} />
  return <SignedInApp />
}

function SignedInApp() {
  const [current, setCurrent] = useState<Session | null>(session())
  const [ended, setEnded] = useState(false)
  useEffect(
    () =>
      onSession((next) => {
        setCurrent((previous) => {
          if (previous && !next) setEnded(true)
          if (next) setEnded(false)
          return next
        })
      }),
    []
  )
  const context = useAppContext(current)
  const i18n = useMemo(
    () =>
      new I18n({
        locale: chosenLocale() ?? context.data?.tenant.locale ?? navigator.language ?? 'en',
        timeZone: context.data?.tenant.time_zone ?? 'UTC',
        currency: context.data?.tenant.currency ?? 'USD',
      }),
    [context.data]
  )
  useDocumentLanguage(i18n)
  const value = useMemo(
    () => (context.data ? makeApp(context.data, context.reload) : null),
    [context.data]
  )
  return (
    <I18nContext.Provider value={i18n}>
      {!current ? (
        <SignIn expired={ended} />
      ) : value ? (
        <AppContext.Provider value={value}>
          <Shell value={value} />
        </AppContext.Provider>
      ) : context.error ? (
        <main id="main">
          <Problem error={context.error} />
        </main>
      ) : (
        <main id="main">
          <Loading what={i18n.t('app.name')} />
        </main>
      )}
    </I18nContext.Provider>
  )
}
