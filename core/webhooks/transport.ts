import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { BlockList, isIP, type LookupFunction } from 'node:net'

/*
 * The one HTTP call of a delivery: a POST that never follows redirects, gives
 * up after a bounded time, and — where private networks are blocked (the
 * default in production) — refuses to connect to loopback, private,
 * link-local and similar addresses. The check runs on the address actually
 * connected to (a lookup hook), so a DNS answer changing between a check and
 * the connection cannot slip through.
 */

const PRIVATE = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(network, prefix, 'ipv6')

export function isPrivateAddress(address: string) {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
  if (mapped) return PRIVATE.check(mapped, 'ipv4')
  const family = isIP(address)
  return family === 4
    ? PRIVATE.check(address, 'ipv4')
    : family === 6 && PRIVATE.check(address, 'ipv6')
}

export class PrivateAddressError extends Error {}

/** dns.lookup, refusing private addresses. */
const publicOnly: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 4)
    const refused = addresses.find((entry) => isPrivateAddress(entry.address))
    if (refused)
      return callback(
        new PrivateAddressError(`${hostname} resolves to the private address ${refused.address}`),
        '',
        4
      )
    if (options.all) return (callback as any)(null, addresses)
    callback(null, addresses[0].address, addresses[0].family)
  })
}

export type PostResult = { status: number; location: string | null }

export function postOnce(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; blockPrivate: boolean }
): Promise<PostResult> {
  const target = new URL(url)
  const host = target.hostname.replace(/^\[|\]$/g, '')
  if (options.blockPrivate && isIP(host) && isPrivateAddress(host))
    return Promise.reject(new PrivateAddressError(`${host} is a private address`))
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(options.timeoutMs),
        ...(options.blockPrivate ? { lookup: publicOnly } : {}),
      },
      (response) => {
        // The answer's body is not needed: drain it so that the socket is freed.
        response.on('error', () => {})
        response.resume()
        resolve({ status: response.statusCode ?? 0, location: response.headers.location ?? null })
      }
    )
    request.on('error', reject)
    request.end(body)
  })
}
