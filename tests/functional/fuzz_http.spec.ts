import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import fc from 'fast-check'
import { signedInAs } from '#tests/support/access'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'

/*
 * Property-based fuzzing of every operation of the OpenAPI document (which
 * lists every registered route): hostile path parameters, query strings and
 * bodies — wrong types, huge numbers, unicode, SQL- and path-looking strings,
 * deep JSON, malformed JSON — sent as a tenant admin of a tenant with every
 * built-in plugin enabled (platform routes with the platform token). Every
 * answer must be below 500, and every 4xx the enveloped error with a stable
 * code and no stack trace. Some requests also carry a Content-Encoding their
 * body is not encoded with, or headers over the server's size limit.
 * FUZZ_RUNS (default 6 per operation) and FUZZ_SEED
 * explore more; the seed is fixed so a failure reproduces.
 */

const RUNS = Number(process.env.FUZZ_RUNS) || 6
const SEED = Number(process.env.FUZZ_SEED) || 20261125
/** Streams and downloads answer 200 with a body that never ends or is binary: only the status is checked. */
const STACK = /\n\s+at .+\(.+:\d+:\d+\)|\/core\/[a-z_/]+\.ts:\d+/

const NASTY = [
  '',
  ' ',
  "' OR '1'='1",
  '"; DROP TABLE users; --',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '\u0000',
  'a\u0000b',
  '%zz',
  '=HYPERLINK("http://x","click")',
  '\uFFFF\uFFFE',
  '😀'.repeat(40),
  'ﷺ'.repeat(30),
  'a'.repeat(5000),
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${jndi:ldap://x}',
  '-1',
  '0',
  '1e309',
  '9'.repeat(40),
  '-9223372036854775809',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '2026-02-30',
  '00000000-0000-0000-0000-000000000000',
  '   \t\n',
  // Outbound targets Oryne must refuse wherever a URL is accepted (webhooks, gateways).
  'http://169.254.169.254/latest/meta-data/',
  'http://[fd00::1]/',
  'http://[64:ff9b::a00:1]/',
  'file:///etc/passwd',
]

const nasty = fc.constantFrom(...NASTY)
const scalar = fc.oneof(
  nasty,
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER * 1000, -1e308, 2 ** 63),
  fc.boolean(),
  fc.constant(null)
)
const nested = fc.integer({ min: 30, max: 400 }).map((depth) => {
  let value: unknown = 'bottom'
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { deeper: value }
  return value
})

function bodyFor(operation: any) {
  const schema = operation.requestBody?.content?.['application/json']?.schema
  const known: string[] = Object.keys(schema?.properties ?? {})
  const key = known.length ? fc.oneof(fc.constantFrom(...known), fc.string()) : fc.string()
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.dictionary(key, fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), nested)),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: nested },
    // Malformed JSON, sent as the raw body.
    {
      weight: 1,
      arbitrary: fc.constantFrom('{"a":', '{]', 'NaN', '\u0000').map((raw) => ({ raw })),
    }
  )
}

function queryFor(operation: any) {
  const known: string[] = (operation.parameters ?? [])
    .filter((parameter: any) => parameter.in === 'query')
    .map((parameter: any) => parameter.name)
  const key = known.length
    ? fc.oneof(fc.constantFrom(...known), fc.string({ maxLength: 12 }))
    : fc.string({ maxLength: 12 })
  return fc.dictionary(key, fc.oneof(nasty, fc.string(), fc.integer().map(String)), { maxKeys: 4 })
}

/** encodeURIComponent, except for lone surrogates it cannot encode. */
function encode(value: unknown) {
  try {
    return encodeURIComponent(String(value))
  } catch {
    return 'x'
  }
}

test.group('Fuzzing every endpoint', () => {
  test('hostile input is answered with an enveloped 4xx, never a 5xx or a stack trace', async ({
    assert,
  }) => {
    const tenant = await activeTenant()
    const host = await app.container.make('oryne.plugins')
    const base = `http://${process.env.HOST}:${process.env.PORT}`
    for (const entry of host.available().filter((e) => e.source.startsWith('plugins/'))) {
      const enabled = await fetch(
        `${base}/api/v1/platform/tenants/${tenant.slug}/plugins/${entry.manifest.name}/enable`,
        {
          method: 'POST',
          headers: {
            'authorization': `Bearer ${PLATFORM_TOKEN()}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ with_dependencies: true }),
        }
      )
      assert.oneOf(enabled.status, [200, 409])
    }
    const adminToken = await signedInAs(tenant, `fuzz-admin@${tenant.slug}.example`, [
      'TenantAdmin',
    ])
    const document: any = await (
      await fetch(`${base}/api/v1/openapi.json`, { headers: { 'x-tenant-id': tenant.slug } })
    ).json()

    const operations = Object.entries(document.paths as Record<string, any>).flatMap(
      ([path, item]) =>
        ['get', 'post', 'put', 'patch', 'delete']
          .filter((method) => item[method])
          .map((method) => ({ path, method, operation: item[method] }))
    )
    assert.isAbove(operations.length, 50)
    const failures: string[] = []
    let requests = 0

    for (const { path, method, operation } of operations) {
      const platform = path.startsWith('/api/v1/platform')
      // The platform token's counter is shared with the rest of the run: fewer requests there.
      const runs = platform ? 2 : RUNS
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1])
      const input = fc.record({
        params: fc.tuple(
          ...pathParams.map(() => fc.oneof(nasty, fc.string(), fc.integer().map(String), fc.uuid()))
        ),
        query: queryFor(operation),
        body: bodyFor(operation),
        encoding: fc.constantFrom(null, null, null, null, 'gzip', 'deflate', 'br'),
        oversized: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
      })
      await fc.assert(
        fc.asyncProperty(input, async ({ params, query, body, encoding, oversized }) => {
          let url = path
          pathParams.forEach(
            (name, i) => (url = url.replace(`{${name}}`, encode(params[i]) || 'x'))
          )
          const search = Object.entries(query)
            .map(([key, value]) => `${encode(key)}=${encode(value)}`)
            .join('&')
          const headers: Record<string, string> = {
            'authorization': `Bearer ${platform ? PLATFORM_TOKEN() : adminToken}`,
            'x-tenant-id': tenant.slug,
            'content-type': 'application/json',
          }
          // A body that is not what its Content-Encoding says (it is sent as it is).
          if (encoding) headers['content-encoding'] = encoding
          if (oversized) headers['x-padding'] = 'a'.repeat(20_000)
          const raw = (body as { raw?: string })?.raw
          const init: RequestInit = {
            method: method.toUpperCase(),
            headers,
            signal: AbortSignal.timeout(20_000),
          }
          if (method !== 'get' && method !== 'delete') init.body = raw ?? JSON.stringify(body)
          requests++
          const response = await fetch(`${base}${url}${search ? `?${search}` : ''}`, init)
          const label = `${method.toUpperCase()} ${url}${search ? `?${search}` : ''} -> ${response.status}`
          if (response.status < 400) {
            await response.body?.cancel()
            return true
          }
          const text = await response.text()
          if (response.status >= 500) failures.push(`${label} ${text.slice(0, 300)}`)
          else {
            let envelope: any = null
            try {
              envelope = JSON.parse(text)
            } catch {}
            if (
              envelope?.success !== false ||
              !/^E(RR)?_[A-Z0-9_]+$/.test(envelope?.error?.code ?? '')
            )
              failures.push(`${label} not an error envelope: ${text.slice(0, 200)}`)
          }
          if (STACK.test(text)) failures.push(`${label} leaks a stack trace`)
          return true
        }),
        { numRuns: runs, seed: SEED, endOnFailure: true }
      )
    }
    assert.isAbove(requests, operations.length)
    assert.deepEqual(failures, [])
  }).timeout(900_000)
})
