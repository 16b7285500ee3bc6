/**
 * Oryne's answer envelope as the browser clients read it (docs/api.md): the
 * web app's and the admin console's api.ts differ only in where the session
 * lives and how it is refreshed; reading answers and refusals is this.
 */

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

export type Query = Record<string, string | number | boolean | undefined | null>
export type Pagination = { page: number; per_page: number; total: number; last_page?: number }
export type Answer<T> = { data: T; pagination?: Pagination }

/** A path with its query string; empty values are left out. */
export function urlOf(path: string, query?: Query) {
  const url = new URL(path, location.origin)
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '')
      url.searchParams.set(key, String(value))
  }
  return url.pathname + url.search
}

/** The parsed envelope; a body that is not JSON (a proxy's page) becomes a refusal that says so. */
export async function readEnvelope(response: Response) {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    return { success: false, error: { code: 'ERR_NOT_JSON', message: text.slice(0, 200) } }
  }
}

/**
 * Sends a request and unwraps its answer: once more after a refresh when the
 * access token expired, `signedOut()` when the API still says 401, and an
 * ApiError for any refusal.
 */
export async function answerOf<T>(
  send: () => Promise<Response>,
  session: { refresh: () => Promise<boolean>; signedOut: () => void }
): Promise<Answer<T>> {
  let response = await send()
  let envelope = await readEnvelope(response)
  if (
    response.status === 401 &&
    envelope.error?.code === 'ERR_AUTH_TOKEN_EXPIRED' &&
    (await session.refresh())
  ) {
    response = await send()
    envelope = await readEnvelope(response)
  }
  if (!response.ok || envelope.success === false) {
    const error = envelope.error ?? {}
    if (response.status === 401) session.signedOut()
    throw new ApiError(
      response.status,
      error.code ?? `HTTP_${response.status}`,
      error.message ?? response.statusText,
      error.details ?? null
    )
  }
  return { data: envelope.data as T, pagination: envelope.meta?.pagination }
}

/** Saves a response's body as a file through a temporary link (downloads that need the bearer token). */
export async function saveAs(response: Response, filename: string) {
  if (!response.ok) {
    const envelope = await readEnvelope(response)
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
  setTimeout(() => URL.revokeObjectURL(link.href), 1000)
}
