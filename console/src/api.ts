/**
 * The console's only way to the server: Oryne's public API, in its envelope
 * (docs/api.md). Tokens live in sessionStorage for the tab; an expired access
 * token is refreshed once, one refresh at a time (docs/auth.md: rotation).
 */

export type Session = {
  kind: 'tenant' | 'platform'
  tenant: string | null
  email: string
  access_token: string
  refresh_token: string
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null
  ) {
    super(message)
  }
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

export type Answer<T> = { data: T; pagination?: Pagination }
export type Pagination = { page: number; per_page: number; total: number; last_page?: number }

function urlOf(path: string, query?: Options['query']) {
  const url = new URL(path, location.origin)
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '')
      url.searchParams.set(key, String(value))
  }
  return url.pathname + url.search
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

async function read(response: Response) {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    return { success: false, error: { code: 'ERR_NOT_JSON', message: text.slice(0, 200) } }
  }
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
    const envelope = await read(response)
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
export async function call<T = any>(path: string, options: Options = {}): Promise<Answer<T>> {
  let response = await send(path, options)
  let envelope = await read(response)
  if (
    response.status === 401 &&
    envelope.error?.code === 'ERR_AUTH_TOKEN_EXPIRED' &&
    (await refresh())
  ) {
    response = await send(path, options)
    envelope = await read(response)
  }
  if (!response.ok || envelope.success === false) {
    const error = envelope.error ?? {}
    if (response.status === 401 && options.auth !== false && current) setSession(null)
    throw new ApiError(
      response.status,
      error.code ?? `HTTP_${response.status}`,
      error.message ?? response.statusText,
      error.details ?? null
    )
  }
  return { data: envelope.data as T, pagination: envelope.meta?.pagination }
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
  const response = await send(path, {})
  if (!response.ok) {
    const envelope = await read(response)
    throw new ApiError(
      response.status,
      envelope.error?.code ?? 'HTTP',
      envelope.error?.message ?? ''
    )
  }
  const link = document.createElement('a')
  link.href = URL.createObjectURL(await response.blob())
  link.download = filename
  link.click()
  URL.revokeObjectURL(link.href)
}
