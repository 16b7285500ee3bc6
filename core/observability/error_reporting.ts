import { hostname } from 'node:os'
import type { ErrorEvent } from '@sentry/core'
import type { ServerRuntimeClient } from '@sentry/core/server'
import { E_CONFIG_INVALID } from '../errors.js'

/** What is known about where an error happened; sent as tags, so keep values short and free of personal data. */
export type ErrorContext = {
  tags: Record<string, string | number | null | undefined>
  /** An opaque user id (never a name or email). */
  userId?: string | null
}

export type ErrorReportingOptions = {
  dsn?: string
  environment: string
  release: string
  /** 0..1: the share of errors sent. */
  sampleRate?: number
}

/** Sentry answers within this; a slow or unreachable collector must never hold up the caller. */
const SEND_TIMEOUT_MS = 5000

/** Headers that must never leave the process, should an error carry them. */
const SECRET_HEADERS = /^(authorization|cookie|set-cookie|x-api-key|x-platform-token)$/i

let client: ServerRuntimeClient | null = null
/** Sentry's scope class, loaded with the client: a process without a DSN never loads the SDK. */
let Scope: typeof import('@sentry/core').Scope

/**
 * Sends unexpected errors to a Sentry-compatible collector (Sentry, GlitchTip,
 * Bugsink, ...) when SENTRY_DSN is set; off otherwise. Built on Sentry's own
 * core SDK with a fetch transport: the protocol is Sentry's, and nothing
 * instruments or patches modules behind Oryne's back.
 */
export async function configureErrorReporting(options: ErrorReportingOptions) {
  client = null
  if (!options.dsn) return false
  const [sentry, { nodeStackLineParser, ServerRuntimeClient }] = await Promise.all([
    import('@sentry/core'),
    import('@sentry/core/server'),
  ])
  const {
    createStackParser,
    createTransport,
    dedupeIntegration,
    dsnFromString,
    linkedErrorsIntegration,
  } = sentry
  Scope = sentry.Scope
  // Sentry's own parser only prints a warning and then sends nothing: a typo must stop the boot instead.
  if (
    !/^https?:\/\/\w+(:\w*)?@[\w.[\]:-]+\/(.+\/)?\d+$/.test(options.dsn) ||
    !dsnFromString(options.dsn)
  )
    throw new E_CONFIG_INVALID([
      'SENTRY_DSN is not a Sentry DSN: expected http(s)://<public key>@<host>[:port]/[path/]<project id>',
    ])
  client = new ServerRuntimeClient({
    dsn: options.dsn,
    environment: options.environment,
    release: options.release,
    sampleRate: options.sampleRate ?? 1,
    serverName: hostname(),
    platform: 'node',
    runtime: { name: 'node', version: process.version },
    sendDefaultPii: false,
    maxBreadcrumbs: 0,
    stackParser: createStackParser(nodeStackLineParser()),
    integrations: [dedupeIntegration(), linkedErrorsIntegration()],
    beforeSend: scrub,
    transport: (transportOptions) =>
      createTransport(transportOptions, async (request) => {
        const response = await fetch(transportOptions.url, {
          method: 'POST',
          headers: transportOptions.headers,
          body: request.body as string | Uint8Array<ArrayBuffer>,
          redirect: 'error',
          signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        })
        return {
          statusCode: response.status,
          headers: {
            'x-sentry-rate-limits': response.headers.get('x-sentry-rate-limits'),
            'retry-after': response.headers.get('retry-after'),
          },
        }
      }),
  })
  client.init()
  return true
}

export function errorReportingEnabled() {
  return client !== null
}

/** Reports one error; never throws, never waits for the network. */
export function reportError(error: unknown, context: ErrorContext) {
  if (!client) return
  const scope = new Scope()
  for (const [key, value] of Object.entries(context.tags)) {
    if (value !== null && value !== undefined && value !== '') scope.setTag(key, String(value))
  }
  if (context.userId) scope.setUser({ id: context.userId })
  client.captureException(error, { originalException: error }, scope)
}

/** Waits (bounded) for reports still in flight: called when a process stops. */
export async function flushErrorReports(timeoutMs = 2000) {
  if (!client) return
  await client.flush(timeoutMs)
}

function scrub(event: ErrorEvent) {
  const headers = event.request?.headers
  if (headers) {
    for (const name of Object.keys(headers)) {
      if (SECRET_HEADERS.test(name)) delete headers[name]
    }
  }
  if (event.request) {
    delete event.request.cookies
    delete event.request.data
  }
  return event
}
