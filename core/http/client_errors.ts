import { randomUUID } from 'node:crypto'
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import {
  E_BAD_REQUEST,
  E_HEADERS_TOO_LARGE,
  E_REQUEST_TIMEOUT,
  type OryneError,
  type OryneErrorClass,
} from '../errors.js'
import type { Envelope } from './envelope.js'
import { securityHeaders } from './middleware/security_headers_middleware.js'

/*
 * Requests Node's HTTP parser refuses before the application sees them
 * (headers over the size limit, a malformed request line or header, a
 * conflicting Content-Length, a client too slow to send its headers): Node
 * would answer a bare "400 Bad Request". Oryne answers them as it answers
 * everything else — the envelope with a stable code and the security headers —
 * and closes the connection, as Node does. A path whose % escapes do not
 * decode, refused by the AdonisJS server before any middleware, too.
 */

const BY_PARSER_CODE: Record<string, { error: OryneErrorClass; args: string[] }> = {
  HPE_HEADER_OVERFLOW: { error: E_HEADERS_TOO_LARGE, args: [] },
  ERR_HTTP_REQUEST_TIMEOUT: { error: E_REQUEST_TIMEOUT, args: [] },
}

function answerFor(code: string | undefined) {
  const known = code ? BY_PARSER_CODE[code] : undefined
  if (known) return new known.error(known.args)
  // The parser's reason (HPE_INVALID_METHOD, HPE_UNEXPECTED_CONTENT_LENGTH, ...) is
  // about the request's own bytes: safe, and useful to whoever wrote the client.
  return new E_BAD_REQUEST([`The request could not be parsed (${code ?? 'malformed'})`], {
    hint: 'Send a well-formed HTTP/1.1 request: request line, headers, and a body of the length announced.',
  })
}

/** The envelope and headers of an answer written without the application (no request context). */
function bareAnswer(failure: OryneError) {
  const envelope: Envelope = {
    success: false,
    data: null,
    meta: { timestamp: new Date().toISOString(), request_id: randomUUID() },
    error: {
      code: failure.code!,
      message: failure.message,
      ...(failure.hint ? { hint: failure.hint } : {}),
    },
  }
  const body = JSON.stringify(envelope)
  const headers = {
    ...securityHeaders(),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Connection': 'close',
  }
  return { status: failure.status, headers, body }
}

export function answerClientErrors(server: Server) {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A connection that is gone, or a response already under way: nothing can be said any more.
    if (error.code === 'ECONNRESET' || !socket.writable || (socket as any)._httpMessage) {
      socket.destroy()
      return
    }
    const { status, headers, body } = bareAnswer(answerFor(error.code))
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ].join('\r\n')
    socket.end(`${head}\r\n\r\n${body}`)
  })
}

/**
 * A path whose % escapes do not decode (`/%zz`, broken UTF-8): the HTTP
 * server refuses it before any middleware (config/app.ts, `onBadUrl`).
 */
export function answerBadUrl(_request: IncomingMessage, response: ServerResponse) {
  const { status, headers, body } = bareAnswer(
    new E_BAD_REQUEST(['The path holds a % escape that does not decode'], {
      hint: 'Percent-encode the path as UTF-8 (RFC 3986).',
    })
  )
  response.writeHead(status, headers)
  response.end(body)
}
