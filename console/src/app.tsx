import { useEffect, useState } from 'preact/hooks'
import { api, onSession, session, setSession, type Session } from './api.js'
import { navigate, useLocation } from './router.js'
import { Link } from './ui.js'
import { SignIn } from './pages/sign_in.js'
import { Modules } from './pages/modules.js'
import { Data } from './pages/data.js'
import { Users } from './pages/users.js'
import { Roles } from './pages/roles.js'
import { Settings } from './pages/settings.js'
import { CustomFields } from './pages/custom_fields.js'
import { Audit } from './pages/audit.js'
import { Backups } from './pages/backups.js'
import { Tenants } from './pages/tenants.js'
import { Queues } from './pages/queues.js'
import { Fleet } from './pages/fleet.js'

const TENANT_NAV = [
  ['/modules', 'Modules'],
  ['/users', 'Users'],
  ['/roles', 'Roles'],
  ['/fields', 'Custom fields'],
  ['/audit', 'Audit log'],
  ['/backups', 'Backups'],
] as const

const PLATFORM_NAV = [
  ['/tenants', 'Tenants'],
  ['/fleet', 'Fleet migrations'],
  ['/queues', 'Queues'],
] as const

function TenantPage(props: { path: string; query: URLSearchParams }) {
  const [, section, name] = props.path.split('/')
  if (section === 'data' && name)
    return (
      <Data
        plugin={name}
        resource={props.query.get('resource')}
        page={Number(props.query.get('page') ?? 1)}
      />
    )
  if (section === 'settings' && name) return <Settings plugin={name} />
  if (section === 'users') return <Users />
  if (section === 'roles') return <Roles />
  if (section === 'fields') return <CustomFields />
  if (section === 'audit') return <Audit />
  if (section === 'backups') return <Backups />
  return <Modules />
}

function PlatformPage(props: { path: string }) {
  const [, section] = props.path.split('/')
  if (section === 'queues') return <Queues />
  if (section === 'fleet') return <Fleet />
  return <Tenants />
}

export function App() {
  const [current, setCurrent] = useState<Session | null>(session)
  const { path, query } = useLocation()
  useEffect(() => onSession(setCurrent), [])
  useEffect(() => {
    if (current && path === '/') navigate(current.kind === 'platform' ? '/tenants' : '/modules')
  }, [current, path])

  if (!current) return <SignIn />
  const nav = current.kind === 'platform' ? PLATFORM_NAV : TENANT_NAV
  const signOut = async () => {
    const prefix = current.kind === 'platform' ? '/api/v1/platform/auth' : '/api/v1/auth'
    await api(`${prefix}/logout`, {
      method: 'POST',
      body: { refresh_token: current.refresh_token },
    }).catch(() => null)
    setSession(null)
    navigate('/')
  }
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="container">
        <nav aria-label="Console">
          <ul>
            <li>
              <strong>Oryne</strong>{' '}
              <small>{current.kind === 'platform' ? 'platform' : current.tenant}</small>
            </li>
          </ul>
          <ul>
            {nav.map(([to, label]) => (
              <li key={to}>
                <Link to={to} current={path.startsWith(to)}>
                  {label}
                </Link>
              </li>
            ))}
            {current.kind === 'platform' ? (
              <li>
                <a href="/metrics">Metrics</a>
              </li>
            ) : (
              <li>
                {/* The school's web app for everyone (docs/web.md), on the same school. */}
                <a href={`/app/?school=${encodeURIComponent(current.tenant ?? '')}`}>Web app</a>
              </li>
            )}
            <li>
              <button class="secondary outline" onClick={signOut}>
                Sign out {current.email}
              </button>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" class="container" tabIndex={-1}>
        {current.kind === 'platform' ? (
          <PlatformPage path={path} />
        ) : (
          <TenantPage path={path} query={query} />
        )}
      </main>
    </>
  )
}
