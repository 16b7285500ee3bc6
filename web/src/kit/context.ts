import { createContext } from 'preact'
import { useContext } from 'preact/hooks'

/** GET /api/v1/app/context: who is signed in and what the enabled plugins offer them. */
export type AppContextData = {
  user: { id: string; email: string; name: string | null; roles: string[] }
  tenant: {
    slug: string
    name: string
    locale: string
    time_zone: string
    currency: string
    week_start_day: number
  }
  permissions: string[]
  plugins: Array<{ name: string; version: string }>
  nav: Array<{
    plugin: string
    id: string
    label: string
    path: string
    section: 'daily' | 'records' | 'admin'
    order: number
  }>
  widgets: Array<{ plugin: string; id: string; title: string; order: number }>
}

export type App = AppContextData & {
  /** Whether the user holds `permission` (the server's answer, for showing or hiding controls). */
  can(permission: string): boolean
  hasRole(...roles: string[]): boolean
  /** Whether the tenant enabled `plugin`. */
  enabled(plugin: string): boolean
  /** Loads the context again (after a change of roles, plugins or settings). */
  reload(): Promise<void>
}

export const AppContext = createContext<App | null>(null)

export function app(data: AppContextData, reload: () => Promise<void>): App {
  const held = new Set(data.permissions)
  const enabled = new Set(data.plugins.map((plugin) => plugin.name))
  return {
    ...data,
    can: (permission) => held.has(permission),
    hasRole: (...roles) => roles.some((role) => data.user.roles.includes(role)),
    enabled: (plugin) => enabled.has(plugin),
    reload,
  }
}

/** The signed-in user's context; only inside the signed-in app. */
export function useApp(): App {
  const value = useContext(AppContext)
  if (!value) throw new Error('useApp() outside the signed-in app')
  return value
}
