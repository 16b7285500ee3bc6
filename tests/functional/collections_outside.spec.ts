import { test } from '@japa/runner'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import fc from 'fast-check'
import { generate } from 'json-schema-faker'
import { checkAnswer } from '#core/openapi/conformance'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs } from '#tests/support/access'
import { activeTenant } from '#tests/support/tenants'
import { inTenant } from '#tests/fixtures/plugins/library-lite/testing'

/*
 * The collections API as it is checked from outside (docs/api.md, "The
 * contract is checked"): every collection operation of a tenant's own OpenAPI
 * document — its per-collection paths included — fuzzed with real names and
 * ids as well as hostile ones; bad input by hand (huge, deep, non-object
 * bodies, prototype keys, overlong names, ids that are no numbers or overflow
 * a bigint); another institution's callers against this one's collections,
 * views, forms and automations; a Student without grants; and two creates of
 * one name at once. (FUZZ_RUNS past about 40 meets the public routes' rate
 * limit per address: anonymous requests then answer 429.)
 */

const base = () => `http://${process.env.HOST}:${process.env.PORT}`
const SEED = Number(process.env.FUZZ_SEED) || 20261208
const RUNS = Number(process.env.FUZZ_RUNS) || 8
const STACK = /\n\s+at .+\(.+:\d+:\d+\)|\/core\/[a-z_/]+\.ts:\d+/

type Answer = {
  status: number
  body: any
  text: string
  type: string
  headers: Record<string, string>
}

/** A request to /api/v1<path> for `tenant` with `token` (none: anonymous); `body` sent as JSON, or raw text. */
async function call(
  tenant: Tenant | string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  raw?: string
): Promise<Answer> {
  const headers: Record<string, string> = {
    'x-tenant-id': typeof tenant === 'string' ? tenant : tenant.slug,
    'content-type': 'application/json',
  }
  if (token) headers.authorization = `Bearer ${token}`
  const response = await fetch(`${base()}/api/v1${path}`, {
    method,
    headers,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    signal: AbortSignal.timeout(20_000),
  })
  const text = await response.text()
  let parsed: any = null
  try {
    parsed = JSON.parse(text)
  } catch {}
  const answerHeaders: Record<string, string> = {}
  response.headers.forEach((value, name) => (answerHeaders[name] = value))
  return {
    status: response.status,
    body: parsed,
    text,
    type: response.headers.get('content-type') ?? '',
    headers: answerHeaders,
  }
}

const CLUBS = {
  name: 'clubs',
  label: 'Clubs',
  definition: {
    fields: {
      student_name: { type: 'string', required: true, max: 80, search: true },
      club: { type: 'enum', values: ['football', 'netball', 'chess'], required: true },
      starts_on: { type: 'date' },
      notes: { type: 'text' },
      coach_id: { type: 'reference', target: 'core.users' },
    },
    title: 'student_name',
  },
}

/** A tenant with the clubs collection, a record, a board view, a public form and an automation. */
async function clubSchool(slugPrefix: string) {
  const tenant = await activeTenant()
  const admin = await signedInAs(tenant, `${slugPrefix}-admin@${tenant.slug}.example`, [
    'TenantAdmin',
  ])
  const created = await call(tenant, admin, 'POST', '/admin/collections', CLUBS)
  if (created.status !== 201) throw new Error(`collection: ${created.text}`)
  const record = await call(tenant, admin, 'POST', '/collections/clubs', {
    student_name: 'Amira',
    club: 'chess',
  })
  const view = await call(tenant, admin, 'POST', '/admin/collections/clubs/views', {
    name: 'By club',
    kind: 'board',
    config: { group_by: 'club' },
  })
  const form = await call(tenant, admin, 'POST', '/admin/collections/clubs/forms', {
    slug: `${slugPrefix}-signup`,
    title: 'Sign up',
    public: true,
    sections: [{ title: 'You', fields: [{ name: 'student_name' }, { name: 'club' }] }],
    settings: { min_fill_seconds: 0 },
  })
  const automation = await call(tenant, admin, 'POST', '/admin/collections/clubs/automations', {
    name: 'Tell the admins',
    trigger: { on: 'create' },
    action: {
      type: 'notify',
      to: { role: 'TenantAdmin' },
      title: 'New: {{student_name}}',
      body: '{{club}}',
    },
  })
  for (const [what, answer] of Object.entries({ record, view, form, automation }))
    if (answer.status !== 201) throw new Error(`${what}: ${answer.text}`)
  return {
    tenant,
    admin,
    ids: {
      record: String(record.body.data.id),
      view: String(view.body.data.id),
      form: String(form.body.data.id),
      automation: String(automation.body.data.id),
      slug: form.body.data.slug as string,
    },
  }
}

const NASTY = [
  '',
  ' ',
  "' OR '1'='1",
  '../../etc/passwd',
  '%00',
  'a\u0000b',
  '😀'.repeat(40),
  'a'.repeat(3000),
  '-1',
  '0',
  '1e309',
  '9'.repeat(40),
  '9223372036854775808',
  '99999999999999999999',
  'NaN',
  'null',
  '__proto__',
  'constructor',
  '00000000-0000-0000-0000-000000000000',
]

/** A body nested `depth` levels deep. */
function deep(depth: number) {
  let value: unknown = 'bottom'
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { deeper: value }
  return value
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void

/**
 * What is wrong with an answer by the tenant's own document, for its paths
 * that name one collection (`/api/v1/collections/clubs/{id}`): the generic
 * document the test runner checks every answer against has only `{name}`.
 */
function ownDocumentCheck(document: any) {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true })
  addFormats(ajv)
  ajv.addSchema(document, 'tenant')
  const pointer = (...parts: string[]) =>
    parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')
  return (path: string, method: string, answer: Answer): string | null => {
    const responses = document.paths[path]?.[method]?.responses ?? {}
    if (!responses[String(answer.status)])
      return `status ${answer.status} ${answer.body?.error?.code ?? ''} is not documented (${Object.keys(responses)})`
    if (!answer.type.startsWith('application/json')) return null
    if (!responses[String(answer.status)].content?.['application/json']) return null
    const validate = ajv.compile({
      $ref: `tenant#/${pointer('paths', path, method, 'responses', String(answer.status), 'content', 'application/json', 'schema')}`,
    })
    if (validate(answer.body)) return null
    return `body does not match the ${answer.status} schema: ${(validate.errors ?? [])
      .slice(0, 3)
      .map((e) => `${e.instancePath || '/'} ${e.message}`)
      .join('; ')}`
  }
}

/** Whether an answer is the enveloped error with a stable code (and no stack trace). */
function problem(label: string, answer: Answer): string | null {
  if (answer.status >= 500) return `${label} -> ${answer.status} ${answer.text.slice(0, 300)}`
  if (STACK.test(answer.text)) return `${label} leaks a stack trace`
  if (answer.status >= 400) {
    if (
      answer.body?.success !== false ||
      !/^E(RR)?_[A-Z0-9_]+$/.test(answer.body?.error?.code ?? '')
    )
      return `${label} -> ${answer.status} not an error envelope: ${answer.text.slice(0, 200)}`
  }
  return null
}

test.group('Collections from outside', (group) => {
  let a: Awaited<ReturnType<typeof clubSchool>>
  let b: Awaited<ReturnType<typeof clubSchool>>
  group.setup(async () => {
    a = await clubSchool('a')
    b = await clubSchool('b')
  })

  test('every collection operation of the tenant’s own document, fuzzed with real and hostile names and ids: enveloped 4xx or a documented answer, never a 5xx', async ({
    assert,
  }) => {
    const document: any = (await call(a.tenant, a.admin, 'GET', '/openapi.json')).body
    const operations = Object.entries(document.paths as Record<string, any>)
      .filter(([path]) => /\/collections|\/public\/forms/.test(path))
      .flatMap(([path, item]) =>
        ['get', 'post', 'put', 'patch', 'delete']
          .filter((method) => item[method])
          .map((method) => ({ path, method, operation: item[method] }))
      )
      // Deletions last, so the other operations meet the real view, form and automation.
      .sort((x, y) => Number(x.method === 'delete') - Number(y.method === 'delete'))
    const paths = operations.map((o) => o.path)
    // The tenant's own per-collection paths are in its document, and fuzzed.
    assert.includeMembers(paths, ['/api/v1/collections/clubs', '/api/v1/collections/clubs/{id}'])
    assert.isAbove(operations.length, 30)

    const real: Record<string, string[]> = {
      name: ['clubs'],
      id: [a.ids.record, a.ids.view, a.ids.form, a.ids.automation],
      run: ['1'],
      slug: [a.ids.slug],
    }
    const nasty = fc.constantFrom(...NASTY)
    const failures: string[] = []
    const ownCheck = ownDocumentCheck(document)
    let requests = 0
    for (const { path, method, operation } of operations) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1])
      const schemaKeys: string[] = Object.keys(
        operation.requestBody?.content?.['application/json']?.schema?.properties ?? {}
      )
      const queryKeys: string[] = (operation.parameters ?? [])
        .filter((p: any) => p.in === 'query')
        .map((p: any) => p.name)
      const value = fc.oneof(
        nasty,
        fc.string({ maxLength: 20 }),
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.constant({ __proto__: { polluted: true } }),
        fc.integer({ min: 20, max: 300 }).map(deep)
      )
      const input = fc.record({
        params: fc.tuple(
          ...names.map((name) =>
            fc.oneof(
              { weight: 3, arbitrary: fc.constantFrom(...(real[name] ?? ['1'])) },
              { weight: 1, arbitrary: nasty }
            )
          )
        ),
        query: fc.dictionary(
          queryKeys.length
            ? fc.oneof(fc.constantFrom(...queryKeys), fc.string({ maxLength: 10 }))
            : fc.string({ maxLength: 10 }),
          fc.oneof(nasty, fc.string({ maxLength: 10 })),
          { maxKeys: 3 }
        ),
        body: fc.oneof(
          {
            weight: 4,
            arbitrary: fc.dictionary(
              schemaKeys.length
                ? fc.oneof(fc.constantFrom(...schemaKeys, '__proto__', 'constructor'), fc.string())
                : fc.string(),
              value
            ),
          },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
          { weight: 1, arbitrary: fc.constantFrom('{"a":', '[1,', '"text"', '42', 'null') }
        ),
      })
      await fc.assert(
        fc.asyncProperty(input, async ({ params, query, body }) => {
          let url = path.replace(/^\/api\/v1/, '')
          names.forEach(
            (name, i) => (url = url.replace(`{${name}}`, encodeURIComponent(params[i]) || 'x'))
          )
          const search = new URLSearchParams(query as Record<string, string>).toString()
          const target = `${url}${search ? `?${search}` : ''}`
          const raw = typeof body === 'string' ? body : undefined
          const sent = method === 'get' || method === 'delete' ? undefined : body
          requests++
          const answer = await call(
            a.tenant,
            path.startsWith('/api/v1/public') ? null : a.admin,
            method.toUpperCase(),
            target,
            raw === undefined ? sent : undefined,
            sent === undefined ? undefined : raw
          )
          const label = `${method.toUpperCase()} ${target} ${JSON.stringify(sent)?.slice(0, 120)}`
          const found = problem(label, answer)
          if (found) failures.push(found)
          else if (!path.includes('{name}')) {
            const own = ownCheck(path, method, answer)
            if (own) failures.push(`${label} -> ${answer.status}: ${own}`)
          } else if (answer.type.startsWith('application/json')) {
            const violations = await checkAnswer(
              {
                method: method.toUpperCase(),
                urlPath: `/api/v1${url}`,
                status: answer.status,
                contentType: answer.type,
                body: answer.body,
                headers: answer.headers,
              },
              'fuzz'
            )
            for (const v of violations) failures.push(`${label} -> ${answer.status}: ${v.problem}`)
          }
          return true
        }),
        { numRuns: RUNS, seed: SEED }
      )
    }
    assert.isAbove(requests, operations.length * 4)
    assert.deepEqual(failures.slice(0, 30), [])
  }).timeout(600_000)

  test('bodies generated from each collection operation’s own schema (the tenant’s document) are answered as documented', async ({
    assert,
  }) => {
    const document: any = (await call(a.tenant, a.admin, 'GET', '/openapi.json')).body
    const components = document.components.schemas as Record<string, any>
    const inlined = (schema: unknown, depth = 0): unknown => {
      if (Array.isArray(schema)) return schema.map((item) => inlined(item, depth))
      if (!schema || typeof schema !== 'object') return schema
      const ref = (schema as any).$ref
      if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
        const target = components[ref.slice('#/components/schemas/'.length)]
        return depth > 4 || !target ? {} : inlined(target, depth + 1)
      }
      return Object.fromEntries(
        Object.entries(schema).map(([key, value]) => [key, inlined(value, depth)])
      )
    }
    const ownCheck = ownDocumentCheck(document)
    const operations = Object.entries(document.paths as Record<string, any>)
      .filter(([path]) => /\/collections|\/public\/forms/.test(path))
      .flatMap(([path, item]) =>
        ['get', 'post', 'patch', 'put']
          .filter((method) => item[method])
          .map((method) => ({ path, method, operation: item[method] }))
      )
    const real: Record<string, string> = {
      name: 'clubs',
      id: a.ids.view,
      run: '1',
      slug: a.ids.slug,
    }
    const failures: string[] = []
    let seed = SEED
    let accepted = 0
    for (const { path, method, operation } of operations) {
      const schema = inlined(operation.requestBody?.content?.['application/json']?.schema)
      for (let run = 0; run < 3; run++) {
        seed++
        const url = path
          .replace(/^\/api\/v1/, '')
          .replaceAll(/\{([^}]+)\}/g, (_, name: string) => real[name] ?? '1')
        const body = schema
          ? await generate(schema as never, { seed, maxItems: 3, maxLength: 40 })
          : undefined
        const answer = await call(
          a.tenant,
          path.startsWith('/api/v1/public') ? null : a.admin,
          method.toUpperCase(),
          url,
          method === 'get' ? undefined : body
        )
        const label = `${method.toUpperCase()} ${url} ${JSON.stringify(body)?.slice(0, 160)}`
        const found = problem(label, answer)
        if (found) failures.push(found)
        else if (!path.includes('{name}')) {
          const own = ownCheck(path, method, answer)
          if (own) failures.push(`${label} -> ${answer.status}: ${own}`)
        } else if (answer.type.startsWith('application/json')) {
          const violations = await checkAnswer(
            {
              method: method.toUpperCase(),
              urlPath: `/api/v1${url}`,
              status: answer.status,
              contentType: answer.type,
              body: answer.body,
              headers: answer.headers,
            },
            'fuzz'
          )
          for (const v of violations) failures.push(`${label} -> ${answer.status}: ${v.problem}`)
        }
        if (answer.status < 300) accepted++
      }
    }
    assert.deepEqual(failures.slice(0, 30), [])
    assert.isAbove(accepted, operations.length)
  }).timeout(300_000)

  test('bad input by hand: huge, deep and non-object bodies, prototype keys, overlong and unicode names: a 4xx with a code, nothing written', async ({
    assert,
  }) => {
    const { tenant, admin } = a
    const failures: string[] = []
    const expect4xx = async (label: string, method: string, path: string, raw: string) => {
      const answer = await call(tenant, admin, method, path, undefined, raw)
      const found = problem(label, answer)
      if (found) failures.push(found)
      else if (answer.status < 400) failures.push(`${label} -> ${answer.status} accepted`)
      return answer
    }
    const writes: Array<[string, string]> = [
      ['POST', '/admin/collections'],
      ['PATCH', '/admin/collections/clubs'],
      ['POST', '/admin/collections/clubs/changes'],
      ['POST', '/admin/collections/clubs/views'],
      ['PATCH', `/admin/collections/clubs/views/${a.ids.view}`],
      ['POST', '/admin/collections/clubs/forms'],
      ['PATCH', `/admin/collections/clubs/forms/${a.ids.form}`],
      ['POST', '/admin/collections/clubs/automations'],
      ['PATCH', `/admin/collections/clubs/automations/${a.ids.automation}`],
      ['POST', '/admin/collections/import'],
      ['POST', '/collections/clubs'],
      ['PATCH', `/collections/clubs/${a.ids.record}`],
      ['POST', `/collections/clubs/forms/${a.ids.slug}/submissions`],
      ['POST', `/public/forms/${a.ids.slug}/submissions`],
    ]
    const huge = JSON.stringify({ name: 'x', label: 'y'.repeat(12 * 1024 * 1024) })
    const deepBody = `{"name":"deep_one","definition":${'{"a":['.repeat(10_000)}1${']}'.repeat(10_000)}}`
    for (const [method, path] of writes) {
      for (const raw of ['[]', '"text"', '42', 'null', 'true', '[{"name":"x"}]', '{"a":', huge])
        await expect4xx(`${method} ${path} ${raw.slice(0, 20)}`, method, path, raw)
      await expect4xx(`${method} ${path} deep`, method, path, deepBody)
    }

    // Prototype keys where a design is read: refused or kept as plain data, never merged.
    const proto = [
      [
        '/admin/collections',
        '{"name":"proto_a","definition":{"fields":{"__proto__":{"type":"string"}}}}',
      ],
      [
        '/admin/collections',
        '{"name":"proto_b","definition":{"fields":{"title":{"type":"string","__proto__":{"required":true}}},"__proto__":{"title":"x"}}}',
      ],
      [
        '/admin/collections',
        '{"name":"proto_c","definition":{"fields":{"title":{"type":"string"}},"owner":{"field":"__proto__","roles":["Student"]}}}',
      ],
      [
        '/admin/collections/clubs/views',
        '{"name":"v","kind":"board","config":{"__proto__":{"group_by":"club"}}}',
      ],
      [
        '/admin/collections/clubs/views',
        '{"name":"v","kind":"list","config":{"fields":["__proto__","constructor"]}}',
      ],
      [
        '/admin/collections/clubs/forms',
        '{"slug":"proto-form","title":"t","sections":[{"title":"s","fields":[{"name":"__proto__"},{"name":"constructor"}]}]}',
      ],
      [
        '/admin/collections/clubs/forms',
        '{"slug":"proto-form-2","title":"t","sections":[{"title":"s","fields":[{"name":"club","show_if":{"field":"__proto__","equals":"x"}}]}]}',
      ],
      [
        '/admin/collections/clubs/automations',
        '{"name":"a","trigger":{"on":"update","field":"constructor"},"action":{"type":"set_field","field":"__proto__","value":"x"}}',
      ],
      [
        '/admin/collections/clubs/automations',
        '{"name":"a","trigger":{"on":"create"},"action":{"type":"create_record","collection":"clubs","values":{"__proto__":{"club":"chess"},"constructor":"x"}}}',
      ],
      [
        '/admin/collections/import',
        '{"template":{"oryne_collection_template":1,"name":"proto_d","definition":{"fields":{"__proto__":{"type":"string"}}},"views":[],"forms":[],"automations":[]}}',
      ],
      ['/collections/clubs', '{"student_name":"P","club":"chess","__proto__":{"id":999}}'],
      ['/collections/clubs', '{"student_name":"P","club":"chess","constructor":{"x":1}}'],
    ]
    for (const [path, raw] of proto) {
      const answer = await call(tenant, admin, 'POST', path, undefined, raw)
      const found = problem(`POST ${path} ${raw}`, answer)
      if (found) failures.push(found)
      // A record takes only its fields: whatever else came is refused or dropped.
      if (answer.status === 201 && path === '/collections/clubs') {
        const data = answer.body.data
        if (data.id === 999 || ('constructor' in data === true && data.constructor !== Object))
          failures.push(`POST ${path} ${raw} kept a prototype key: ${JSON.stringify(data)}`)
      } else if (answer.status === 201 && path === '/admin/collections') {
        // The body parser drops "__proto__" keys: what is left is a plain design, nothing merged.
        const definition = answer.body.data.definition
        if (definition.title !== undefined || definition.fields.title?.required)
          failures.push(`POST ${path} ${raw} merged a prototype: ${JSON.stringify(definition)}`)
      } else if (answer.status < 400)
        failures.push(`POST ${path} ${raw} -> ${answer.status} accepted`)
    }
    assert.isUndefined(({} as any).polluted)
    assert.isUndefined(({} as any).group_by)

    // A field may not be named after what every object has: a record body without it would seem
    // to carry one (Object's constructor), and every create would be refused.
    const constructorField = await call(tenant, admin, 'POST', '/admin/collections', {
      name: 'odd_fields',
      definition: { fields: { constructor: { type: 'string' }, title: { type: 'string' } } },
    })
    assert.equal(constructorField.status, 400, constructorField.text)
    assert.deepEqual(
      constructorField.body.error.details.map((d: any) => `${d.field}:${d.rule}`),
      ['definition.fields.constructor:reserved']
    )
    for (const change of [
      { op: 'add_field', name: 'constructor', field: { type: 'string' } },
      { op: 'rename_field', from: 'notes', to: 'constructor' },
    ]) {
      const changed = await call(tenant, admin, 'POST', '/admin/collections/clubs/changes', {
        changes: [change],
        dry_run: true,
      })
      assert.oneOf(changed.status, [400, 422], `${change.op}: ${changed.text}`)
      assert.equal(changed.body.error.code, 'ERR_VALIDATION')
    }

    // Names: the longest allowed ones work end to end; one more, unicode or a reserved word do not.
    const longest = `l${'o'.repeat(37)}g`
    const longField = `f${'i'.repeat(38)}d`
    const long = await call(tenant, admin, 'POST', '/admin/collections', {
      name: longest,
      label: 'Ünïcødé 😀 ﷺ',
      definition: {
        fields: {
          [longField]: { type: 'string', unique: true, index: true, search: true },
          mood: { type: 'enum', values: ['😀', 'ﷺ', 'é'] },
          link_id: { type: 'reference', target: 'collections.clubs' },
        },
        title: longField,
      },
    })
    assert.equal(long.status, 201, long.text)
    // (The fuzzing above may have deleted the first club record: a new one to point at.)
    const club = await call(tenant, admin, 'POST', '/collections/clubs', {
      student_name: 'Leo',
      club: 'netball',
    })
    assert.equal(club.status, 201, club.text)
    const record = await call(tenant, admin, 'POST', `/collections/${longest}`, {
      [longField]: 'Ünïcødé 😀',
      mood: '😀',
      link_id: club.body.data.id,
    })
    assert.equal(record.status, 201, record.text)
    const searched = await call(
      tenant,
      admin,
      'GET',
      `/collections/${longest}?filter[${longField}][eq]=${encodeURIComponent('Ünïcødé 😀')}`
    )
    assert.equal(searched.status, 200, searched.text)
    assert.lengthOf(searched.body.data, 1)
    for (const body of [
      { name: `${longest}x`, definition: { fields: { a: { type: 'string' } } } },
      { name: 'clubs_é', definition: { fields: { a: { type: 'string' } } } },
      { name: 'views', definition: { fields: { a: { type: 'string' } } } },
      { name: 'ok_name', definition: { fields: { [`${longField}x`]: { type: 'string' } } } },
      { name: 'ok_name', definition: { fields: { fïeld: { type: 'string' } } } },
      {
        name: 'ok_name',
        label: 'x'.repeat(100_000),
        definition: { fields: { a: { type: 'string' } } },
      },
      {
        name: 'ok_name',
        definition: { fields: { a: { type: 'enum', values: ['x'.repeat(100_000)] } } },
      },
    ]) {
      const answer = await call(tenant, admin, 'POST', '/admin/collections', body)
      const found = problem(`POST /admin/collections ${JSON.stringify(body).slice(0, 80)}`, answer)
      if (found) failures.push(found)
      else if (answer.status !== 422 && answer.status !== 400)
        failures.push(`${JSON.stringify(body).slice(0, 80)} -> ${answer.status}`)
    }

    // Ids that are no numbers or overflow a bigint, on every :id route: a 404 (or 400) with a code.
    const BAD_IDS = [
      'abc',
      '1.5',
      '-1',
      '0',
      '1e3',
      '%20',
      '9223372036854775808',
      '9'.repeat(30),
      '0x10',
    ]
    const idRoutes: Array<[string, (id: string) => string]> = [
      ['GET', (id) => `/collections/clubs/${id}`],
      ['PATCH', (id) => `/collections/clubs/${id}`],
      ['DELETE', (id) => `/collections/clubs/${id}`],
      ['PATCH', (id) => `/admin/collections/clubs/views/${id}`],
      ['DELETE', (id) => `/admin/collections/clubs/views/${id}`],
      ['GET', (id) => `/collections/clubs/views/${id}/records`],
      ['PATCH', (id) => `/admin/collections/clubs/forms/${id}`],
      ['DELETE', (id) => `/admin/collections/clubs/forms/${id}`],
      ['GET', (id) => `/admin/collections/clubs/automations/${id}`],
      ['PATCH', (id) => `/admin/collections/clubs/automations/${id}`],
      ['DELETE', (id) => `/admin/collections/clubs/automations/${id}`],
      ['GET', (id) => `/admin/collections/clubs/automations/${id}/runs`],
      ['POST', (id) => `/admin/collections/clubs/automations/${id}/runs/1/retry`],
      ['POST', (id) => `/admin/collections/clubs/automations/${a.ids.automation}/runs/${id}/retry`],
    ]
    for (const [method, route] of idRoutes)
      for (const id of BAD_IDS) {
        const path = route(id)
        const answer = await call(
          tenant,
          admin,
          method,
          path,
          method === 'GET' || method === 'DELETE' ? undefined : { name: 'x' }
        )
        const found = problem(`${method} ${path}`, answer)
        if (found) failures.push(found)
        else if (answer.status !== 404 && answer.status !== 400)
          failures.push(`${method} ${path} -> ${answer.status} ${answer.text.slice(0, 120)}`)
      }
    assert.deepEqual(failures, [])

    // Nothing of the refused creates was written: no definition row and no table.
    const left = await inTenant(tenant, async (trx) => ({
      rows: (await trx.from('collections').select('name').orderBy('name')).map((r: any) => r.name),
      tables: (
        await trx.rawQuery(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE 'col\\_%' ORDER BY table_name`,
          [tenant.schema_name]
        )
      ).rows.map((r: any) => r.table_name),
    }))
    assert.deepEqual(
      left.tables,
      left.rows.map((name: string) => `col_${name}`)
    )
    assert.notInclude(left.rows, 'ok_name')
    assert.notInclude(left.rows, 'deep_one')
  }).timeout(300_000)

  test('another institution’s callers meet 404s, a token of one institution is refused at another, and a Student without grants is forbidden', async ({
    assert,
  }) => {
    const admin = a.admin
    // Designs of A that B has no counterpart for (B has one of each, ids from 1).
    const onlyA = await call(a.tenant, admin, 'POST', '/admin/collections', {
      name: 'a_secrets',
      definition: { fields: { title: { type: 'string' } } },
    })
    assert.equal(onlyA.status, 201, onlyA.text)
    const secret = await call(a.tenant, admin, 'POST', '/collections/a_secrets', {
      title: 'A only',
    })
    assert.equal(secret.status, 201, secret.text)
    const made: Record<string, string> = {}
    for (let i = 0; i < 3; i++) {
      const view = await call(a.tenant, admin, 'POST', '/admin/collections/clubs/views', {
        name: `List ${i}`,
        kind: 'list',
      })
      assert.equal(view.status, 201, view.text)
      made.view = String(view.body.data.id)
      const form = await call(a.tenant, admin, 'POST', '/admin/collections/clubs/forms', {
        slug: `a-private-${i}`,
        title: 'Private',
        public: true,
        sections: [{ title: 'You', fields: [{ name: 'student_name' }, { name: 'club' }] }],
        settings: { min_fill_seconds: 0 },
      })
      assert.equal(form.status, 201, form.text)
      made.form = String(form.body.data.id)
      made.slug = form.body.data.slug
      const automation = await call(
        a.tenant,
        admin,
        'POST',
        '/admin/collections/clubs/automations',
        {
          name: `Tell ${i}`,
          enabled: false,
          trigger: { on: 'create' },
          action: { type: 'notify', to: { role: 'TenantAdmin' }, title: 'x', body: 'y' },
        }
      )
      assert.equal(automation.status, 201, automation.text)
      made.automation = String(automation.body.data.id)
    }
    const aRecord = await call(a.tenant, admin, 'POST', '/collections/clubs', {
      student_name: 'Only in A',
      club: 'chess',
    })
    assert.equal(aRecord.status, 201, aRecord.text)
    const bRecords = await call(b.tenant, b.admin, 'GET', '/collections/clubs?per_page=100')
    assert.equal(bRecords.status, 200)
    const aHighest = Number(aRecord.body.data.id)
    const bIds = bRecords.body.data.map((r: any) => Number(r.id))
    assert.isTrue(bIds.every((id: number) => id < aHighest))

    const failures: string[] = []
    const notFound = async (token: string | null, method: string, path: string, body?: object) => {
      const answer = await call(b.tenant, token, method, path, body)
      if (answer.status !== 404 || !/^ERR_[A-Z_]+_NOT_FOUND$/.test(answer.body?.error?.code ?? ''))
        failures.push(`${method} ${path} -> ${answer.status} ${answer.text.slice(0, 160)}`)
      if (/A only|Only in A/.test(answer.text)) failures.push(`${method} ${path} shows A's data`)
    }
    const bAdmin = b.admin
    await notFound(bAdmin, 'GET', '/admin/collections/a_secrets')
    await notFound(bAdmin, 'GET', '/admin/collections/a_secrets/template')
    await notFound(bAdmin, 'GET', '/admin/collections/a_secrets/views')
    await notFound(bAdmin, 'GET', '/admin/collections/a_secrets/changes')
    await notFound(bAdmin, 'GET', '/collections/a_secrets')
    await notFound(bAdmin, 'GET', `/collections/a_secrets/${secret.body.data.id}`)
    await notFound(bAdmin, 'POST', '/collections/a_secrets', { title: 'x' })
    await notFound(bAdmin, 'GET', `/collections/clubs/${aHighest}`)
    await notFound(bAdmin, 'PATCH', `/collections/clubs/${aHighest}`, { notes: 'x' })
    await notFound(bAdmin, 'DELETE', `/collections/clubs/${aHighest}`)
    await notFound(bAdmin, 'PATCH', `/admin/collections/clubs/views/${made.view}`, { name: 'x' })
    await notFound(bAdmin, 'GET', `/collections/clubs/views/${made.view}/records`)
    await notFound(bAdmin, 'DELETE', `/admin/collections/clubs/views/${made.view}`)
    await notFound(bAdmin, 'PATCH', `/admin/collections/clubs/forms/${made.form}`, { title: 'x' })
    await notFound(bAdmin, 'DELETE', `/admin/collections/clubs/forms/${made.form}`)
    await notFound(bAdmin, 'GET', `/collections/clubs/forms/${made.slug}`)
    await notFound(bAdmin, 'GET', `/admin/collections/clubs/automations/${made.automation}`)
    await notFound(bAdmin, 'GET', `/admin/collections/clubs/automations/${made.automation}/runs`)
    await notFound(bAdmin, 'DELETE', `/admin/collections/clubs/automations/${made.automation}`)
    await notFound(null, 'GET', `/public/forms/${made.slug}`)
    await notFound(null, 'POST', `/public/forms/${made.slug}/submissions`, {
      values: { student_name: 'x', club: 'chess' },
      token: 'x.y',
    })
    assert.deepEqual(failures, [])
    // B's list shows none of A's records.
    assert.notInclude(bRecords.text, 'Only in A')

    // A's token with B's X-Tenant-ID: refused, whatever the route.
    for (const [method, path] of [
      ['GET', '/admin/collections'],
      ['GET', '/collections/clubs'],
      ['POST', '/admin/collections'],
      ['GET', '/collections/clubs/views'],
    ]) {
      const answer = await call(
        b.tenant,
        admin,
        method,
        path,
        method === 'POST' ? CLUBS : undefined
      )
      assert.oneOf(answer.status, [401, 403], `${method} ${path}: ${answer.text}`)
      assert.notInclude(answer.text, 'Only in A')
    }

    // Forged tokens: unsigned, signed with another key, an API key that does not exist.
    const [header, payload] = admin.split('.')
    for (const forged of [
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`,
      `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`,
      'oryne_sk_0000000000000000000000000000',
    ]) {
      const answer = await call(a.tenant, forged, 'GET', '/collections/clubs')
      assert.equal(answer.status, 401, answer.text)
      assert.match(answer.body.error.code, /^ERR_AUTH_/)
    }

    // A Student without grants: 403 on the admin routes and on the records.
    const student = await signedInAs(a.tenant, `student@${a.tenant.slug}.example`, ['Student'])
    const forbidden: Array<[string, string, object?]> = [
      ['GET', '/admin/collections'],
      [
        'POST',
        '/admin/collections',
        { name: 'mine', definition: { fields: { a: { type: 'string' } } } },
      ],
      ['GET', '/admin/collections/clubs'],
      ['PATCH', '/admin/collections/clubs', { label: 'x' }],
      ['DELETE', '/admin/collections/clubs?confirm=clubs'],
      ['GET', '/admin/collections/clubs/template'],
      ['POST', '/admin/collections/import', { template: {} }],
      ['GET', '/admin/collections/clubs/changes'],
      ['POST', '/admin/collections/clubs/changes', { changes: [], dry_run: true }],
      ['GET', '/admin/collections/clubs/views'],
      ['POST', '/admin/collections/clubs/views', { name: 'x', kind: 'list' }],
      ['GET', '/admin/collections/clubs/forms'],
      ['GET', '/admin/collections/clubs/automations'],
      ['GET', `/admin/collections/clubs/automations/${made.automation}/runs`],
      ['GET', '/collections/clubs'],
      ['POST', '/collections/clubs', { student_name: 'x', club: 'chess' }],
      ['GET', `/collections/clubs/${aHighest}`],
      ['PATCH', `/collections/clubs/${aHighest}`, { notes: 'x' }],
      ['DELETE', `/collections/clubs/${aHighest}`],
      ['GET', `/collections/clubs/views/${made.view}/records`],
    ]
    for (const [method, path, body] of forbidden) {
      const answer = await call(a.tenant, student, method, path, body)
      if (answer.status !== 403 || answer.body?.error?.code !== 'ERR_FORBIDDEN')
        failures.push(`student ${method} ${path} -> ${answer.status} ${answer.text.slice(0, 160)}`)
    }
    assert.deepEqual(failures, [])
    // Nothing a refused caller sent was written.
    const still = await call(a.tenant, admin, 'GET', `/collections/clubs/${aHighest}`)
    assert.equal(still.status, 200)
    assert.isNull(still.body.data.notes)
  }).timeout(120_000)

  test('two creates of one name at once: one 201, one 409, one table; a create refused by its quota or a bad reference leaves no table and no row', async ({
    assert,
  }) => {
    const { tenant, admin } = b
    const state = () =>
      inTenant(tenant, async (trx) => ({
        rows: (await trx.from('collections').select('name').orderBy('name')).map(
          (r: any) => r.name
        ),
        tables: (
          await trx.rawQuery(
            `SELECT table_name FROM information_schema.tables
              WHERE table_schema = ? AND table_name LIKE 'col\\_%' ORDER BY table_name`,
            [tenant.schema_name]
          )
        ).rows.map((r: any) => r.table_name),
      }))
    for (const name of ['race_one', 'race_two', 'race_three']) {
      const body = { name, definition: { fields: { title: { type: 'string', unique: true } } } }
      const answers = await Promise.all([
        call(tenant, admin, 'POST', '/admin/collections', body),
        call(tenant, admin, 'POST', '/admin/collections', body),
        call(tenant, admin, 'POST', '/admin/collections', body),
      ])
      assert.deepEqual(
        answers.map((x) => x.status).sort(),
        [201, 409, 409],
        answers.map((x) => x.text.slice(0, 200)).join('\n')
      )
      for (const loser of answers.filter((x) => x.status === 409))
        assert.equal(loser.body.error.code, 'ERR_COLLECTION_EXISTS')
    }
    const before = await state()
    assert.includeMembers(before.rows, ['race_one', 'race_two', 'race_three'])
    assert.deepEqual(
      before.tables,
      before.rows.map((name: string) => `col_${name}`)
    )

    // Refused creates: a quota reached, a reference to nothing, a template whose view is broken.
    const saved = process.env.ORYNE_COLLECTIONS_MAX
    process.env.ORYNE_COLLECTIONS_MAX = String(before.rows.length)
    try {
      const quota = await call(tenant, admin, 'POST', '/admin/collections', {
        name: 'over_quota',
        definition: { fields: { title: { type: 'string' } } },
      })
      assert.equal(quota.body?.error?.code, 'ERR_COLLECTION_QUOTA', quota.text)
    } finally {
      if (saved === undefined) delete process.env.ORYNE_COLLECTIONS_MAX
      else process.env.ORYNE_COLLECTIONS_MAX = saved
    }
    const badReference = await call(tenant, admin, 'POST', '/admin/collections', {
      name: 'bad_reference',
      definition: {
        fields: {
          title: { type: 'string' },
          other_id: { type: 'reference', target: 'collections.nowhere' },
        },
      },
    })
    assert.isAtLeast(badReference.status, 400)
    assert.isBelow(badReference.status, 500)
    const template = await call(tenant, admin, 'GET', '/admin/collections/clubs/template')
    assert.equal(template.status, 200, template.text)
    const broken = structuredClone(template.body.data)
    broken.views = [{ name: 'Broken', kind: 'board', config: { group_by: 'nowhere' } }]
    const imported = await call(tenant, admin, 'POST', '/admin/collections/import', {
      template: broken,
      name: 'broken_import',
    })
    assert.isAtLeast(imported.status, 400, imported.text)
    assert.isBelow(imported.status, 500, imported.text)
    assert.deepEqual(await state(), before)

    // A record past the rows quota is refused; the count stays.
    const savedRows = process.env.ORYNE_COLLECTION_ROWS_MAX
    const count = (await call(tenant, admin, 'GET', '/collections/clubs?per_page=100')).body.data
      .length
    process.env.ORYNE_COLLECTION_ROWS_MAX = String(count)
    try {
      const over = await call(tenant, admin, 'POST', '/collections/clubs', {
        student_name: 'One too many',
        club: 'chess',
      })
      assert.equal(over.body?.error?.code, 'ERR_COLLECTION_QUOTA', over.text)
    } finally {
      if (savedRows === undefined) delete process.env.ORYNE_COLLECTION_ROWS_MAX
      else process.env.ORYNE_COLLECTION_ROWS_MAX = savedRows
    }
    const after = (await call(tenant, admin, 'GET', '/collections/clubs?per_page=100')).body.data
    assert.lengthOf(after, count)
  }).timeout(120_000)

  test('hostile values for every field type, in records and in filters, sorts and includes: a 4xx with a code, never a 5xx', async ({
    assert,
  }) => {
    const { tenant, admin } = a
    const typed = await call(tenant, admin, 'POST', '/admin/collections', {
      name: 'every_type',
      definition: {
        fields: {
          s: { type: 'string', max: 20, unique: true },
          t: { type: 'text' },
          i: { type: 'integer', min: -5, max: 5 },
          n: { type: 'decimal' },
          b: { type: 'boolean' },
          d: { type: 'date' },
          dt: { type: 'datetime' },
          e: { type: 'enum', values: ['x', 'y'] },
          j: { type: 'json' },
          r_id: { type: 'reference', target: 'core.users' },
          c_id: { type: 'reference', target: 'collections.clubs', on_delete: 'cascade' },
          f: { type: 'file' },
        },
      },
    })
    assert.equal(typed.status, 201, typed.text)
    const VALUES: unknown[] = [
      '',
      'x'.repeat(5000),
      -1,
      2 ** 31,
      2 ** 63,
      -(2 ** 63) - 10,
      1e308,
      -1e-308,
      1.5,
      '1e309',
      'NaN',
      true,
      '2026-02-30',
      '99999-01-01',
      '0000-00-00T00:00:00Z',
      '2026-01-01T25:61:00+99:00',
      '00000000-0000-0000-0000-000000000000',
      'not-a-uuid',
      '9'.repeat(40),
      '\ud800',
      '😀'.repeat(30),
      [],
      [1, [2, [3]]],
      { a: { b: { c: {} } } },
      null,
    ]
    const fields = ['s', 't', 'i', 'n', 'b', 'd', 'dt', 'e', 'j', 'r_id', 'c_id', 'f']
    const failures: string[] = []
    for (const field of fields)
      for (const value of VALUES) {
        const answer = await call(tenant, admin, 'POST', '/collections/every_type', {
          [field]: value,
        })
        const found = problem(
          `POST every_type {${field}: ${JSON.stringify(value)?.slice(0, 40)}}`,
          answer
        )
        if (found) failures.push(found)
      }
    // A json value nested deeper than PostgreSQL's jsonb parser goes.
    const deepJson = `{"j":${'{"a":['.repeat(3000)}1${']}'.repeat(3000)}}`
    const deepAnswer = await call(
      tenant,
      admin,
      'POST',
      '/collections/every_type',
      undefined,
      deepJson
    )
    const deepFound = problem('POST every_type deep j', deepAnswer)
    if (deepFound) failures.push(deepFound)

    const QUERY_VALUES = [
      '',
      'x',
      '-1',
      '1.5',
      '2147483648',
      '9223372036854775808',
      '9'.repeat(40),
      '1e309',
      'NaN',
      'true',
      '2026-02-30',
      '99999-01-01',
      'not-a-uuid',
      "' OR 1=1 --",
      'a,b,,c',
      ','.repeat(500),
      '😀',
    ]
    for (const field of [...fields, 'id', 'created_at', 'custom', 'nope'])
      for (const op of ['eq', 'ne', 'lt', 'gte', 'in', 'contains', 'null', 'between'])
        for (const value of QUERY_VALUES) {
          const path = `/collections/every_type?filter[${field}][${op}]=${encodeURIComponent(value)}`
          const found = problem(`GET ${path}`, await call(tenant, admin, 'GET', path))
          if (found) failures.push(found)
        }
    for (const query of [
      'sort=-nope',
      'sort=j',
      'sort=i,-i,i',
      `sort=${'s,'.repeat(500)}`,
      'include=c_id,r_id,nope',
      'include=c_id.coach_id',
      'fields=s,nope',
      'fields=',
      'cursor=garbage',
      'cursor=eyJpZCI6Ijk5OTk5OTk5OTk5OTk5OTk5OTk5OTkifQ',
      'page=99999999999999999999',
      'per_page=-1',
      'per_page=1000000',
      'page=2&cursor=x',
      'filter=x',
      'filter[s]=x',
      'filter[s][eq][x]=1',
    ]) {
      const found = problem(
        `GET ?${query}`,
        await call(tenant, admin, 'GET', `/collections/every_type?${query}`)
      )
      if (found) failures.push(found)
    }
    assert.deepEqual(failures.slice(0, 40), [])
  }).timeout(300_000)

  test('views, changes, automations and templates with hostile but well-formed designs: a 4xx with a code, never a 5xx', async ({
    assert,
  }) => {
    const { tenant, admin } = b
    const failures: string[] = []
    const probe = async (method: string, path: string, body?: unknown) => {
      const answer = await call(tenant, admin, method, path, body)
      const found = problem(`${method} ${path} ${JSON.stringify(body)?.slice(0, 160)}`, answer)
      if (found) failures.push(found)
      return answer
    }
    const made = await call(tenant, admin, 'POST', '/admin/collections', {
      name: 'kit',
      definition: {
        fields: {
          title: { type: 'string', required: true },
          kind: { type: 'enum', values: ['a', 'b'] },
          due_on: { type: 'date' },
          at: { type: 'datetime' },
          count: { type: 'integer' },
          photo: { type: 'file' },
          data: { type: 'json' },
        },
      },
    })
    assert.equal(made.status, 201, made.text)
    for (const title of ['x', 'x', 'y'])
      await probe('POST', '/collections/kit', { title, count: 3, data: { a: 1 } })

    // Views and what they read.
    const views: Array<[string, Record<string, unknown>]> = [
      ['calendar', { date_field: 'due_on' }],
      ['calendar', { date_field: 'at' }],
      ['board', { group_by: 'kind' }],
      ['gallery', { image_field: 'photo' }],
      ['list', { fields: ['title', 'data'], sort: '-count' }],
    ]
    let viewsRead = 0
    for (const [kind, config] of views) {
      const view = await probe('POST', '/admin/collections/kit/views', {
        name: `${kind} ${viewsRead}`,
        kind,
        config,
      })
      assert.equal(view.status, 201, view.text)
      viewsRead++
      for (const query of [
        '',
        'from=2026-01-01&to=2026-12-31',
        'from=0001-01-01&to=9999-12-31',
        'from=2026-02-30&to=2026-03-01',
        'from=2026-03-01&to=2026-02-01',
        'from=x&to=y',
        'page=999999999999&per_page=100000',
        'filter[count][gt]=99999999999',
        'filter[kind][eq]=zzz',
        'sort=-nope',
        'group=b',
      ])
        await probe('GET', `/collections/kit/views/${view.body.data.id}/records?${query}`)
    }
    for (const config of [
      { date_field: 'title' },
      { group_by: 'data' },
      { fields: Array.from({ length: 500 }, () => 'title') },
      { sort: 'x'.repeat(5000) },
      { group_by: 'kind', columns: { a: 1 } },
    ])
      await probe('POST', '/admin/collections/kit/views', { name: 'bad', kind: 'board', config })

    // Change requests that cannot apply cleanly.
    for (const change of [
      { op: 'change_field', name: 'title', field: { unique: true } },
      { op: 'change_field', name: 'title', field: { type: 'integer' } },
      { op: 'change_field', name: 'title', field: { type: 'integer' }, on_invalid: 'null' },
      { op: 'change_field', name: 'count', field: { type: 'boolean' } },
      { op: 'change_field', name: 'data', field: { type: 'integer', required: true } },
      { op: 'change_field', name: 'kind', field: { values: ['b'] } },
      { op: 'change_field', name: 'kind', field: { type: 'enum', values: [] } },
      { op: 'add_field', name: 'needed', field: { type: 'string', required: true } },
      {
        op: 'add_field',
        name: 'needed',
        field: { type: 'integer', required: true, default: 'abc' },
      },
      {
        op: 'add_field',
        name: 'other_id',
        field: { type: 'reference', target: 'collections.kit' },
      },
      { op: 'rename_field', from: 'title', to: 'title' },
      { op: 'rename_field', from: 'title', to: 'id' },
      { op: 'remove_field', name: 'id' },
      { op: 'remove_field', name: 'nope' },
    ])
      for (const dryRun of [true, false])
        await probe('POST', '/admin/collections/kit/changes', {
          changes: [change],
          dry_run: dryRun,
          confirm: true,
        })

    // Automations naming what is not there, or values of the wrong shape.
    for (const automation of [
      {
        trigger: { on: 'schedule', every: 'minute' },
        action: { type: 'notify', to: { role: 'Nobody' }, title: 'x', body: 'y' },
      },
      {
        trigger: { on: 'update', field: 'nope' },
        action: { type: 'set_field', field: 'count', value: 'x'.repeat(10_000) },
      },
      { trigger: { on: 'create' }, action: { type: 'set_field', field: 'count', value: 2 ** 40 } },
      {
        trigger: { on: 'create' },
        action: { type: 'set_field', field: 'at', value: '2026-02-30T10:00:00Z' },
      },
      {
        trigger: { on: 'create' },
        action: { type: 'webhook', url: 'http://169.254.169.254/latest' },
      },
      { trigger: { on: 'create' }, action: { type: 'webhook', url: 'x'.repeat(10_000) } },
      {
        trigger: { on: 'create' },
        action: {
          type: 'notify',
          to: { user: '00000000-0000-0000-0000-000000000000' },
          title: 'x',
          body: 'y',
        },
      },
      {
        trigger: { on: 'create' },
        action: { type: 'create_record', collection: 'kit', values: { count: '{{title}}' } },
      },
    ])
      await probe('POST', '/admin/collections/kit/automations', { name: 'probe', ...automation })

    // Templates: broken, oversized and foreign shapes.
    const template = (await probe('GET', '/admin/collections/kit/template')).body.data
    for (const changed of [
      { ...template, oryne_collection_template: 99 },
      { ...template, definition: { fields: {} } },
      { ...template, definition: { fields: { a: { type: 'nope' } } } },
      { ...template, views: [{ name: 'v', kind: 'board', config: { group_by: 'nope' } }] },
      { ...template, views: 'not a list' },
      { ...template, forms: [{ slug: '../../x', title: 't', sections: [] }] },
      { ...template, automations: [{ name: 'a', trigger: { on: 'nope' }, action: {} }] },
      {
        ...template,
        definition: {
          fields: Object.fromEntries(
            Array.from({ length: 500 }, (_, i) => [`f${i}`, { type: 'string' }])
          ),
        },
      },
    ])
      for (const name of ['kit_copy', 'kit', undefined])
        await probe('POST', '/admin/collections/import', { template: changed, name })
    assert.deepEqual(failures.slice(0, 40), [])
    assert.equal(viewsRead, views.length)
  }).timeout(300_000)

  test('racing creates of one view name, form slug and imported collection: one 201, the others a 409 with a code; racing automations never a 5xx', async ({
    assert,
  }) => {
    const { tenant, admin } = b
    const template = (await call(tenant, admin, 'GET', '/admin/collections/clubs/template')).body
      .data
    const races: Array<[string, unknown]> = [
      ['/admin/collections/clubs/views', { name: 'Same view', kind: 'list' }],
      [
        '/admin/collections/clubs/forms',
        {
          slug: 'same-slug',
          title: 'Same',
          sections: [{ title: 'You', fields: [{ name: 'student_name' }, { name: 'club' }] }],
        },
      ],
      [
        '/admin/collections/clubs/automations',
        {
          name: 'Same automation',
          enabled: false,
          trigger: { on: 'create' },
          action: { type: 'notify', to: { role: 'TenantAdmin' }, title: 'x', body: 'y' },
        },
      ],
      ['/admin/collections/import', { template, name: 'clubs_raced' }],
    ]
    const failures: string[] = []
    for (const [path, body] of races) {
      const answers = await Promise.all(
        [0, 1, 2].map(() => call(tenant, admin, 'POST', path, body))
      )
      for (const answer of answers) {
        const found = problem(`POST ${path}`, answer)
        if (found) failures.push(found)
      }
      const statuses = answers.map((x) => x.status).sort()
      // A form slug is unique across the institution; two equal views or automations may be allowed.
      if (
        statuses.filter((x) => x === 201).length !== 1 &&
        path !== '/admin/collections/clubs/automations'
      )
        failures.push(`POST ${path}: ${statuses}`)
    }
    assert.deepEqual(failures, [])
    const rows = await inTenant(tenant, async (trx) => ({
      views: (await trx.from('collection_views').where('name', 'Same view').count('* as n'))[0].n,
      forms: (await trx.from('collection_forms').where('slug', 'same-slug').count('* as n'))[0].n,
      imported: (await trx.from('collections').where('name', 'clubs_raced').count('* as n'))[0].n,
    }))
    assert.deepEqual(rows, { views: '1', forms: '1', imported: '1' })
  }).timeout(120_000)
})
