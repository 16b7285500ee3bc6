/**
 * The console's only way to the server: Oryne's public API, in its envelope
 * (docs/api.md). Tokens live in sessionStorage for the tab; an expired access
 * token is refreshed once, one refresh at a time (docs/auth.md: rotation).
 * Answers are read as the web app reads them (web/src/kit/envelope.ts).
 */
import {
  answerOf,
  ApiError,
  readEnvelope,
  saveAs,
  urlOf,
  type Answer,
} from '../../web/src/kit/envelope.js'

export { ApiError, type Answer, type Pagination } from '../../web/src/kit/envelope.js'

export type Session = {
  kind: 'tenant' | 'platform'
  tenant: string | null
  email: string
  access_token: string
  refresh_token: string
}

const KEY = 'oryne.console.session'
let current: Session | null = JSON.parse(sessionStorage.getItem(KEY) ?? 'null')
const listeners = new Set<(session: Session | null) => void>()

export function session() {
  return current
}

export function setSession(next: Session | null) {
  current = next
  if (next) sessionStorage.setItem(KEY, JSON.stringify(next))
  else sessionStorage.removeItem(KEY)
  listeners.forEach((listener) => listener(next))
}

export function onSession(listener: (session: Session | null) => void) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

type Options = {
  method?: string
  body?: unknown
  query?: Record<string, string | number | undefined | null>
  tenant?: string | null
  auth?: boolean
}

async function send(path: string, options: Options) {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const tenant = options.tenant !== undefined ? options.tenant : current?.tenant
  if (tenant) headers['X-Tenant-ID'] = tenant
  if (options.auth !== false && current) headers.Authorization = `Bearer ${current.access_token}`
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  return fetch(urlOf(path, options.query), {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
}

let refreshing: Promise<boolean> | null = null

/** Trades the refresh token for a new pair; false when the session is over. */
function refresh(): Promise<boolean> {
  const held = current
  if (!held) return Promise.resolve(false)
  refreshing ??= (async () => {
    const prefix = held.kind === 'platform' ? '/api/v1/platform/auth' : '/api/v1/auth'
    const response = await send(`${prefix}/refresh`, {
      method: 'POST',
      body: { refresh_token: held.refresh_token },
      auth: false,
    })
    const envelope = await readEnvelope(response)
    if (!response.ok) {
      setSession(null)
      return false
    }
    setSession({ ...held, ...envelope.data })
    return true
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

/** The tenant's OpenAPI document (not enveloped): which resource lists each enabled plugin serves. */
export async function openapi(): Promise<{ paths: Record<string, Record<string, any>> }> {
  const response = await send('/api/v1/openapi.json', { auth: false })
  if (!response.ok)
    throw new ApiError(response.status, `HTTP_${response.status}`, 'OpenAPI document unavailable')
  return response.json()
}

/** A file download through the API with the bearer token (a link cannot carry it). */
export async function download(path: string, filename: string) {
  await saveAs(await send(path, {}), filename)
}
