import { test } from '@japa/runner'
import { judgeAddress, parseAllowList } from '#core/outbound/address_policy'
import { outboundRequest } from '#core/outbound/client'

/*
 * Which addresses Oryne's outbound client connects to: public unicast only,
 * every special-purpose range refused (IPv4-mapped and NAT64 forms included),
 * unless an operator lists the network in ORYNE_OUTBOUND_ALLOW.
 */

const REFUSED: Array<[string, string]> = [
  ['0.0.0.0', 'this network'],
  ['10.1.2.3', 'RFC 1918'],
  ['172.16.0.1', 'RFC 1918'],
  ['192.168.1.1', 'RFC 1918'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'link-local, cloud metadata'],
  ['100.64.0.1', 'CGNAT'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved 240/4'],
  ['255.255.255.255', 'broadcast'],
  ['192.0.0.1', 'IETF protocol assignments 192.0.0.0/24'],
  ['192.0.2.1', 'TEST-NET-1'],
  ['198.18.0.1', 'benchmarking'],
  ['198.51.100.1', 'TEST-NET-2'],
  ['203.0.113.1', 'TEST-NET-3'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
  ['::127.0.0.1', 'IPv4-compatible ::/96'],
  ['::8.8.8.8', 'IPv4-compatible ::/96'],
  ['64:ff9b::7f00:1', 'NAT64'],
  ['64:ff9b::808:808', 'NAT64, even of a public address'],
  ['64:ff9b:1::1', 'local NAT64'],
  ['2002:7f00:1::1', '6to4'],
  ['2001:0:4136:e378::1', 'Teredo'],
  ['2001:db8::1', 'documentation'],
  ['fc00::1', 'unique local'],
  ['fd12:3456::1', 'unique local'],
  ['fe80::1', 'link-local'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast'],
  ['100::1', 'discard'],
  ['fe80::1%eth0', 'scoped link-local'],
  ['not-an-address', 'not an address'],
]

const ALLOWED = ['8.8.8.8', '1.1.1.1', '93.184.215.14', '2606:4700:4700::1111', '2a00:1450::1']

test.group('Outbound address policy', () => {
  test('refuses {address} ({why})')
    .with(REFUSED.map(([address, why]) => ({ address, why })))
    .run(({ assert }, { address }) => {
      assert.isFalse(judgeAddress(address).allowed)
    })

  test('allows the public unicast address {$self}')
    .with(ALLOWED)
    .run(({ assert }, address) => {
      assert.deepEqual(judgeAddress(address), { allowed: true, range: 'unicast' })
    })

  test('an allow-list opens exactly the networks it names', ({ assert }) => {
    const list = parseAllowList(' 127.0.0.1/32, 10.0.0.0/8 ,fd00::/8,192.168.1.5')
    assert.isTrue(judgeAddress('127.0.0.1', list).allowed)
    assert.isTrue(judgeAddress('::ffff:127.0.0.1', list).allowed)
    assert.isFalse(judgeAddress('127.0.0.2', list).allowed)
    assert.isTrue(judgeAddress('10.200.0.1', list).allowed)
    assert.isTrue(judgeAddress('fd00::1', list).allowed)
    assert.isFalse(judgeAddress('fe80::1', list).allowed)
    assert.isTrue(judgeAddress('192.168.1.5', list).allowed)
    assert.isFalse(judgeAddress('192.168.1.6', list).allowed)
    assert.isFalse(judgeAddress('169.254.169.254', list).allowed)
    assert.deepEqual(parseAllowList(''), [])
  })

  test('a URL that is not http(s) is refused before anything is resolved', async ({ assert }) => {
    for (const url of ['file:///etc/passwd', 'gopher://example.org/', 'ftp://example.org/', 'x']) {
      await assert.rejects(
        () => outboundRequest({ service: 'test service', url }),
        /not an http\(s\) URL/
      )
    }
  })
})
