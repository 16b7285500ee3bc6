import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'

/*
 * Which addresses Oryne connects to on its own initiative (docs/operations.md,
 * "Security"). Public unicast only: ipaddr.js's range classification (a
 * maintained list of the IANA special-purpose registries) names every other
 * range — private, loopback, link-local, CGNAT, multicast, reserved, NAT64,
 * 6to4, Teredo... — and anything it does not call `unicast` is refused.
 * IPv6 must moreover be global unicast (2000::/3), which keeps out what the
 * library leaves unnamed, such as the IPv4-compatible ::/96. An IPv4-mapped
 * IPv6 address is judged as the IPv4 address it carries.
 */

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3')

export type AddressVerdict = { allowed: boolean; range: string }

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number]

/** Parses a comma-separated CIDR list (`127.0.0.1/32,10.0.0.0/8`); a bare address is its own /32 or /128. */
export function parseAllowList(raw: string | undefined): Cidr[] {
  const list: Cidr[] = []
  for (const entry of (raw ?? '').split(',')) {
    const text = entry.trim()
    if (!text) continue
    if (text.includes('/')) {
      const [network, bits] = text.split('/')
      const [address, prefix] = ipaddr.parseCIDR(
        `${isIP(network) === 6 ? canonicalV6(network) : network}/${bits}`
      )
      list.push([
        normalise(address),
        address.kind() === 'ipv6' && isMapped(address) ? prefix - 96 : prefix,
      ])
    } else {
      const address = normalise(ipaddr.parse(isIP(text) === 6 ? canonicalV6(text) : text))
      list.push([address, address.kind() === 'ipv4' ? 32 : 128])
    }
  }
  return list
}

function isMapped(address: ipaddr.IPv4 | ipaddr.IPv6): address is ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
}

function normalise(address: ipaddr.IPv4 | ipaddr.IPv6) {
  return isMapped(address) ? address.toIPv4Address() : address
}

/**
 * An IPv6 address written as Node writes it (hex groups only): ipaddr.js reads
 * the dotted tail of `::8.8.8.8` (IPv4-compatible, ::/96) as if it were
 * `::ffff:8.8.8.8`, which would let it pass as the public IPv4 address.
 */
function canonicalV6(address: string) {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1)
}

/** The range ipaddr.js gives an address, with the IPv6 addresses outside 2000::/3 named as such. */
export function rangeOf(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  const range = address.range()
  if (address.kind() === 'ipv6' && range === 'unicast' && !address.match(GLOBAL_UNICAST_V6))
    return 'notGlobalUnicast'
  return range
}

/**
 * Whether Oryne may connect to `address` (an IP literal): public unicast, or
 * inside one of the `allowList` networks. Anything that is not an address is refused.
 */
export function judgeAddress(address: string, allowList: Cidr[] = []): AddressVerdict {
  const family = isIP(address)
  if (!family) return { allowed: false, range: 'invalid' }
  let parsed: ipaddr.IPv4 | ipaddr.IPv6
  try {
    parsed = normalise(ipaddr.parse(family === 6 ? canonicalV6(address) : address))
  } catch {
    // A scoped address (fe80::1%eth0) and whatever else neither URL nor ipaddr.js reads.
    return { allowed: false, range: 'invalid' }
  }
  const range = rangeOf(parsed)
  if (range === 'unicast') return { allowed: true, range }
  const listed = allowList.some(
    ([network, prefix]) => network.kind() === parsed.kind() && parsed.match(network, prefix)
  )
  return { allowed: listed, range }
}
