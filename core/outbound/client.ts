import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest, type IncomingHttpHeaders, type ClientRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import logger from '@adonisjs/core/services/logger'
import {
  E_UPSTREAM_ADDRESS_REFUSED,
  E_UPSTREAM_INVALID_RESPONSE,
  E_UPSTREAM_REDIRECT,
  E_UPSTREAM_STATUS,
  E_UPSTREAM_TIMEOUT,
  E_UPSTREAM_TOO_LARGE,
  E_UPSTREAM_UNREACHABLE,
  E_UPSTREAM_URL_INVALID,
  type OryneError,
} from '../errors.js'
import { judgeAddress, parseAllowList } from './address_policy.js'
import { outboundConfig } from './config.js'

/*
 * The one HTTP client for every request Oryne makes to the outside
 * (webhooks, GNS, payment gateways, plugins): http(s) only, every address it
 * connects to checked in the socket's own DNS lookup (no window for a DNS
 * answer to change between the check and the connection), redirects never
 * followed, bounded in time and in the size of the answer. Failures are
 * catalog errors (ERR_UPSTREAM_*) whose message never holds what the upstream
 * said; that goes to the log.
 */

export type OutboundRequest = {
  /** What is called, in words, for messages and logs: "card gateway", "GNS", "webhook endpoint". */
  service: string
  url: string
  method?: string
  headers?: Record<string, string>
  body?: string | Uint8Array
  /** Whole exchange, connection to last byte; capped at outboundConfig.maxTimeoutMs. */
  timeoutMs?: number
  /** Largest answer body read; a longer one fails with ERR_UPSTREAM_TOO_LARGE. */
  maxResponseBytes?: number
}

export type OutboundResponse = {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  text(): string
}

/** What went wrong upstream, for the caller's own records (webhook attempt logs); never shown to a client. */
export type UpstreamFacts = { status?: number; location?: string; address?: string; range?: string }

export type OutboundError = OryneError & { upstream: UpstreamFacts }

function failure(error: OryneError, facts: UpstreamFacts = {}): OutboundError {
  return Object.assign(error, { upstream: facts })
}

class RefusedAddress extends Error {
  constructor(
    readonly address: string,
    readonly range: string
  ) {
    super(`${address} is in a refused range (${range})`)
  }
}

class Limit extends Error {
  constructor(readonly kind: 'timeout' | 'size') {
    super(kind)
  }
}

/** dns.lookup that fails when any address the name resolves to is refused. */
function guardedLookup(allowList: ReturnType<typeof parseAllowList>): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 4)
      for (const entry of addresses) {
        const verdict = judgeAddress(entry.address, allowList)
        if (!verdict.allowed)
          return callback(new RefusedAddress(entry.address, verdict.range), '', 4)
      }
      if (options.all) return (callback as any)(null, addresses)
      callback(null, addresses[0].address, addresses[0].family)
    })
  }
}

function parseTarget(service: string, raw: string) {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw failure(new E_UPSTREAM_URL_INVALID([service]))
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw failure(new E_UPSTREAM_URL_INVALID([service]))
  return url
}

/** One request; any status comes back except a redirect (ERR_UPSTREAM_REDIRECT). */
export async function outboundRequest(request: OutboundRequest): Promise<OutboundResponse> {
  const { service } = request
  const target = parseTarget(service, request.url)
  const allowList = parseAllowList(outboundConfig.allowList())
  const host = target.hostname.replace(/^\[|\]$/g, '')
  // Node skips the lookup for an IP literal: judge it here.
  if (isIP(host)) {
    const verdict = judgeAddress(host, allowList)
    if (!verdict.allowed) return Promise.reject(refused(service, target, host, verdict.range))
  }
  const timeoutMs = Math.min(
    request.timeoutMs ?? outboundConfig.timeoutMs(),
    outboundConfig.maxTimeoutMs
  )
  const maxBytes = request.maxResponseBytes ?? outboundConfig.maxResponseBytes()
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  const headers: Record<string, string> = { ...request.headers }
  if (request.body !== undefined)
    headers['content-length'] = String(Buffer.byteLength(request.body))

  return new Promise((resolve, reject) => {
    let outgoing: ClientRequest | undefined
    let settled = false
    const settle = (error: unknown, response?: OutboundResponse) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (response) return resolve(response)
      outgoing?.destroy()
      reject(translate(service, target, error, timeoutMs))
    }
    const timer = setTimeout(() => settle(new Limit('timeout')), timeoutMs)

    try {
      outgoing = send(
        target,
        {
          method: request.method ?? 'GET',
          headers,
          agent: false,
          lookup: guardedLookup(allowList),
        },
        (incoming) => {
          const status = incoming.statusCode ?? 0
          if (status >= 300 && status < 400) {
            incoming.resume()
            const location = incoming.headers.location
            return settle(
              failure(new E_UPSTREAM_REDIRECT([service]), {
                status,
                location: location ?? undefined,
              })
            )
          }
          if (Number(incoming.headers['content-length'] ?? 0) > maxBytes)
            return settle(new Limit('size'))
          const chunks: Buffer[] = []
          let size = 0
          incoming.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size > maxBytes) return settle(new Limit('size'))
            chunks.push(chunk)
          })
          incoming.on('error', (error) => settle(error))
          incoming.on('end', () => {
            const body = Buffer.concat(chunks)
            settle(null, {
              status,
              headers: incoming.headers,
              body,
              text: () => body.toString('utf8'),
            })
          })
        }
      )
      outgoing.on('error', (error) => settle(error))
      outgoing.end(request.body)
    } catch (error) {
      // A header Node refuses to send, say: the caller's mistake, reported like any failure.
      settle(error)
    }
  })
}

function refused(service: string, target: URL, address: string, range: string) {
  logger.warn(
    { service, host: target.hostname, address, range },
    'outbound call refused: the address is not public and not in ORYNE_OUTBOUND_ALLOW'
  )
  return failure(new E_UPSTREAM_ADDRESS_REFUSED([service]), { address, range })
}

function translate(service: string, target: URL, error: unknown, timeoutMs: number) {
  if ((error as OutboundError)?.upstream) return error as OutboundError
  if (error instanceof RefusedAddress) return refused(service, target, error.address, error.range)
  if (error instanceof Limit && error.kind === 'timeout') {
    logger.warn({ service, host: target.hostname, timeoutMs }, 'outbound call timed out')
    return failure(new E_UPSTREAM_TIMEOUT([service]))
  }
  if (error instanceof Limit) {
    logger.warn({ service, host: target.hostname }, 'outbound answer over the size limit')
    return failure(new E_UPSTREAM_TOO_LARGE([service]))
  }
  logger.warn({ service, host: target.hostname, err: error }, 'outbound call failed')
  return failure(new E_UPSTREAM_UNREACHABLE([service], { cause: error }))
}

/**
 * A call that must succeed with a JSON answer: any other status is
 * ERR_UPSTREAM_STATUS and an answer that is not JSON ERR_UPSTREAM_INVALID_RESPONSE
 * (the upstream's body is logged, never put in the error).
 */
export async function outboundJson<T>(
  request: OutboundRequest
): Promise<{ status: number; data: T }> {
  const response = await outboundRequest(request)
  const excerpt = () => response.text().slice(0, 2000)
  if (response.status < 200 || response.status >= 300) {
    logger.warn(
      { service: request.service, status: response.status, body: excerpt() },
      'outbound call answered an error'
    )
    throw failure(new E_UPSTREAM_STATUS([request.service, response.status]), {
      status: response.status,
    })
  }
  try {
    return { status: response.status, data: JSON.parse(response.text()) as T }
  } catch {
    logger.warn(
      { service: request.service, status: response.status, body: excerpt() },
      'outbound call answered something that is not JSON'
    )
    throw failure(new E_UPSTREAM_INVALID_RESPONSE([request.service]), {
      status: response.status,
    })
  }
}

/** Whether an error came from an outbound call (ERR_UPSTREAM_*). */
export function isOutboundError(error: unknown): error is OutboundError {
  return typeof error === 'object' && error !== null && 'upstream' in error
}
