/**
 * The web app's only way to the server: Oryne's public API, in its envelope
 * (docs/api.md). The session lives in localStorage, so that an installed app
 * stays signed in; every open tab shares it. Refresh tokens rotate and a reused
 * one ends the session (docs/auth.md), so one refresh runs at a time across
 * tabs (a Web Lock), and a tab that waited adopts the pair another tab got.
 */
import { answerOf, readEnvelope, saveAs, urlOf, type Answer, type Query } from './envelope.js'

export { ApiError, urlOf, type Answer, type Pagination, type Query } from './envelope.js'

export type Session = {
  tenant: string
  email: string
  access_token: string
  refresh_token: string
}

const KEY = 'oryne.app.session'
const listeners = new Set<(session: Session | null) => void>()

function stored(): Session | null {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? 'null')
  } catch {
    return null
  }
}

let current: Session | null = stored()

export function session() {
  return current
}

export function setSession(next: Session | null) {
  current = next
  if (next) localStorage.setItem(KEY, JSON.stringify(next))
  else localStorage.removeItem(KEY)
  listeners.forEach((listener) => listener(next))
}

export function onSession(listener: (session: Session | null) => void) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

// Another tab signed in, refreshed or signed out.
addEventListener('storage', (event) => {
  if (event.key !== KEY) return
  current = stored()
  listeners.forEach((listener) => listener(current))
})

type Options = {
  method?: string
  /** JSON body, or a FormData (multipart upload). */
  body?: unknown
  query?: Query
  auth?: boolean
  tenant?: string
  signal?: AbortSignal
}

function headersFor(options: Options) {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const tenant = options.tenant ?? current?.tenant
  if (tenant) headers['X-Tenant-ID'] = tenant
  if (options.auth !== false && current) headers.Authorization = `Bearer ${current.access_token}`
  return headers
}

async function send(path: string, options: Options) {
  const headers = headersFor(options)
  let body: BodyInit | undefined
  if (options.body instanceof FormData) body = options.body
  else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  return fetch(urlOf(path, options.query), {
    method: options.method ?? 'GET',
    headers,
    body,
    signal: options.signal,
  })
}

async function exchange(held: Session): Promise<boolean> {
  const response = await send('/api/v1/auth/refresh', {
    method: 'POST',
    body: { refresh_token: held.refresh_token },
    auth: false,
    tenant: held.tenant,
  })
  const envelope = await readEnvelope(response)
  if (!response.ok) {
    // Another tab may have rotated the pair meanwhile: theirs stands.
    const now = stored()
    if (now && now.refresh_token !== held.refresh_token) {
      current = now
      return true
    }
    setSession(null)
    return false
  }
  setSession({ ...held, ...envelope.data })
  return true
}

let refreshing: Promise<boolean> | null = null

/** Trades the refresh token for a new pair, one tab at a time; false when the session is over. */
export function refresh(): Promise<boolean> {
  const held = current
  if (!held) return Promise.resolve(false)
  refreshing ??= (async () => {
    const run = async () => {
      const now = stored()
      if (!now) return false
      // Rotated by another tab while this one waited for the lock.
      if (now.refresh_token !== held.refresh_token) {
        current = now
        return true
      }
      return exchange(now)
    }
    return navigator.locks ? navigator.locks.request('oryne.app.refresh', run) : run()
  })().finally(() => {
    refreshing = null
  })
  return refreshing
}

/** Calls the API and answers `data` (with the pagination), or throws an ApiError. */
export function call<T = any>(path: string, options: Options = {}): Promise<Answer<T>> {
  return answerOf<T>(() => send(path, options), {
    refresh,
    signedOut: () => {
      if (options.auth !== false && current) setSession(null)
    },
  })
}

export async function api<T = any>(path: string, options: Options = {}): Promise<T> {
  const answer = await call<T>(path, options)
  return answer.data
}

/** A file download through the API with the bearer token (a link cannot carry it). */
export async function download(path: string, filename: string, query?: Query) {
  let response = await send(path, { query })
  if (response.status === 401 && (await refresh())) response = await send(path, { query })
  await saveAs(response, filename)
}

/** Signs in on a tenant: the session, or `{ mfa_token }` when a second step is needed. */
export async function signIn(tenant: string, email: string, password: string) {
  const data = await api('/api/v1/auth/login', {
    method: 'POST',
    body: { email, password },
    auth: false,
    tenant,
  })
  if (data.mfa_required || data.mfa_token) return { mfa_token: data.mfa_token as string }
  setSession({ tenant, email, access_token: data.access_token, refresh_token: data.refresh_token })
  return null
}

/** The second step: an authenticator code or a recovery code. */
export async function signInMfa(tenant: string, email: string, mfaToken: string, code: string) {
  const data = await api('/api/v1/auth/login/mfa', {
    method: 'POST',
    body: { mfa_token: mfaToken, code },
    auth: false,
    tenant,
  })
  setSession({ tenant, email, access_token: data.access_token, refresh_token: data.refresh_token })
}

export async function signOut() {
  const held = current
  if (held) {
    await api('/api/v1/auth/logout', {
      method: 'POST',
      body: { refresh_token: held.refresh_token },
    }).catch(() => undefined)
  }
  setSession(null)
}
