import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'

type Doc = Record<string, any>

/** Every `$ref` of the document points at something it defines. */
function danglingRefs(doc: Doc) {
  const missing: string[] = []
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const target = value
          .slice(2)
          .split('/')
          .reduce<any>((at, part) => at?.[part], doc)
        if (target === undefined) missing.push(value)
      } else walk(value)
    }
  }
  walk(doc)
  return missing
}

/** The document's path matching a router pattern (`:param` matches one segment). */
function documentedPath(doc: Doc, pattern: string) {
  // `/imports/:id` is `/imports/{id}`, not the literal `/imports/students` beside it.
  const exact = pattern.replaceAll(/:(\w+)/g, '{$1}')
  if (doc.paths[exact]) return exact
  const expected = pattern.split('/')
  return Object.keys(doc.paths).find((path) => {
    const parts = path.split('/')
    return (
      parts.length === expected.length &&
      parts.every((part, i) => expected[i] === part || expected[i].startsWith(':'))
    )
  })
}

test.group('OpenAPI document', () => {
  test('GET /api/v1/openapi.json is a valid OpenAPI 3.1 document, not enveloped', async ({
    client,
    assert,
  }) => {
    const response = await client.get('/api/v1/openapi.json')
    response.assertStatus(200)
    assert.match(response.header('content-type') ?? '', /application\/json/)
    const doc = response.body()
    assert.equal(doc.openapi, '3.1.0')
    assert.notProperty(doc, 'success')

    const validator = new Validator()
    const result = await validator.validate(doc)
    assert.deepEqual(result.errors ?? [], [], 'the validator reports no error')
    assert.isTrue(result.valid)
    assert.equal(validator.version, '3.1')
    assert.deepEqual(danglingRefs(doc), [])

    // The OpenAPI schema leaves Schema Objects open: check each against JSON Schema 2020-12 itself.
    const ajv = new Ajv2020({ strict: false, validateFormats: false })
    const schemas: unknown[] = Object.values(doc.components.schemas)
    for (const item of Object.values(doc.paths) as any[]) {
      for (const operation of Object.values(item) as any[]) {
        const bodies = [operation.requestBody, ...Object.values(operation.responses)]
        for (const body of bodies as any[])
          schemas.push(body?.content?.['application/json']?.schema)
        for (const parameter of operation.parameters ?? []) schemas.push(parameter.schema)
      }
    }
    for (const schema of schemas.filter(Boolean)) {
      assert.isTrue(ajv.validateSchema(schema as object), ajv.errorsText())
    }
  })

  test('every route the router serves under /api/v1 is in the document', async ({
    client,
    assert,
  }) => {
    const doc = (await client.get('/api/v1/openapi.json')).body()
    const routes = Object.values(router.toJSON())
      .flat()
      .filter((route) => route.pattern.startsWith('/api/v1/'))
    assert.isAbove(routes.length, 20)
    for (const route of routes) {
      const path = documentedPath(doc, route.pattern)
      assert.isDefined(path, `${route.pattern} is documented`)
      for (const method of route.methods.filter((m) => m !== 'HEAD')) {
        assert.property(doc.paths[path!], method.toLowerCase(), `${method} ${route.pattern}`)
      }
    }
    // A parameter restricted to a few values becomes one path per value.
    assert.property(doc.paths, '/api/v1/platform/tenants/{slug}/suspend')
    assert.notProperty(doc.paths, '/api/v1/platform/tenants/{slug}/{action}')
    const ids = Object.values(doc.paths).flatMap((item: any) =>
      Object.values(item).map((operation: any) => operation.operationId)
    )
    assert.lengthOf(new Set(ids), ids.length, 'operation ids are unique')
  })

  test('sign-in is described from its validator, with its security and catalog errors', async ({
    client,
    assert,
  }) => {
    const doc = (await client.get('/api/v1/openapi.json')).body()
    const login = doc.paths['/api/v1/auth/login'].post
    assert.deepEqual(login.security, [])
    const body = login.requestBody.content['application/json'].schema
    assert.includeMembers(body.required, ['email', 'password'])
    assert.equal(body.properties.email.format, 'email')
    assert.isTrue(
      login.parameters.some((p: any) => p.$ref === '#/components/parameters/TenantId'),
      'tenant routes take X-Tenant-ID'
    )
    const codesOf = (status: string) =>
      login.responses[status].content['application/json'].schema.allOf[1].properties.error
        .properties.code.enum
    assert.include(codesOf('401'), 'ERR_AUTH_INVALID_CREDENTIALS')
    assert.include(codesOf('400'), 'ERR_VALIDATION')
    assert.include(codesOf('404'), 'ERR_TENANT_NOT_FOUND')
    assert.include(codesOf('429'), 'ERR_RATE_LIMITED')
    assert.property(login.responses['429'].headers, 'Retry-After')

    const me = doc.paths['/api/v1/auth/me'].get
    assert.deepEqual(me.security, [{ tenantUser: [] }])
    assert.include(me.responses['401'].description, 'ERR_AUTH_TOKEN_EXPIRED')

    const createTenant = doc.paths['/api/v1/platform/tenants'].post
    assert.deepEqual(createTenant.security, [{ platformUser: [] }, { platformToken: [] }])
    assert.property(createTenant.responses, '202')
    assert.include(createTenant.responses['409'].description, 'ERR_TENANT_SLUG_TAKEN')
    assert.equal(
      createTenant.requestBody.content['application/json'].schema.properties.slug.type,
      'string'
    )
    const listTenants = doc.paths['/api/v1/platform/tenants'].get
    assert.includeMembers(
      listTenants.parameters.map((p: any) => p.name),
      ['status', 'page', 'per_page']
    )

    assert.sameMembers(Object.keys(doc.components.securitySchemes), [
      'tenantUser',
      'platformUser',
      'platformToken',
      'apiKey',
    ])
    assert.include(doc.components.schemas.ErrorCode.enum, 'ERR_RATE_LIMITED')
  })

  test("a tenant's document lists only the plugins it enabled; unknown tenants are refused", async ({
    client,
    assert,
  }) => {
    const [withNotes, without] = await Promise.all([activeTenant(), activeTenant()])
    const enabled = await client
      .post(`/api/v1/platform/tenants/${withNotes.slug}/plugins/notes/enable`)
      .bearerToken(PLATFORM_TOKEN())
    enabled.assertStatus(200)

    const generic = (await client.get('/api/v1/openapi.json')).body()
    const mine = (
      await client.get('/api/v1/openapi.json').header('X-Tenant-ID', withNotes.slug)
    ).body()
    const theirs = (
      await client.get('/api/v1/openapi.json').header('X-Tenant-ID', without.slug)
    ).body()

    assert.property(generic.paths, '/api/v1/notes/notes')
    assert.property(mine.paths, '/api/v1/notes/notes')
    assert.notProperty(theirs.paths, '/api/v1/notes/notes')
    assert.equal(mine['x-tenant'].slug, withNotes.slug)
    assert.notProperty(generic, 'x-tenant')
    assert.deepEqual(mine.paths['/api/v1/notes/notes'].get.tags, ['notes'])
    assert.include(
      mine.paths['/api/v1/notes/notes'].get.responses['404'].description,
      'ERR_PLUGIN_DISABLED'
    )

    // Resource routes come with the resource engine's description, merged over the derived one.
    const books = generic.paths['/api/v1/library-lite/books'].get
    assert.equal(books.operationId, 'library-lite.books.list')
    assert.include(books.responses['429'].description, 'ERR_RATE_LIMITED')
    assert.notProperty(theirs.paths, '/api/v1/library-lite/books')

    const unknown = await client.get('/api/v1/openapi.json').header('X-Tenant-ID', 'no-such-school')
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'ERR_TENANT_NOT_FOUND')
  })
})

test.group('OpenAPI lint', () => {
  test('the document of a tenant with every built-in plugin enabled has 0 errors under the linter’s recommended rules', async ({
    client,
    assert,
  }) => {
    // `npm run lint` lints the offline document; this is the one a tenant's clients read (its resources and plugins).
    const tenant = await activeTenant()
    const plugins = await readdir(app.makePath('plugins'))
    for (const name of plugins) {
      const enabled = await client
        .post(`/api/v1/platform/tenants/${tenant.slug}/plugins/${name}/enable`)
        .bearerToken(PLATFORM_TOKEN())
      enabled.assertStatus(200)
    }
    const doc = (await client.get('/api/v1/openapi.json').header('X-Tenant-ID', tenant.slug)).body()
    assert.equal(doc['x-tenant'].slug, tenant.slug)
    for (const name of plugins)
      assert.include(
        doc.tags.map((tag: any) => tag.name),
        name
      )

    const file = app.makePath('tmp', `openapi-${tenant.slug}.json`)
    await mkdir(app.makePath('tmp'), { recursive: true })
    await writeFile(file, JSON.stringify(doc))
    const cli = app.makePath('node_modules/@redocly/cli/bin/cli.js')
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [cli, 'lint', file, '--format=json', `--config=${app.makePath('redocly.yaml')}`],
      {
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      }
    )
      .catch((error) => error as { stdout: string })
      .finally(() => rm(file, { force: true }))
    const report = JSON.parse(stdout.slice(stdout.indexOf('{')))
    const errors = report.problems
      .filter((problem: any) => problem.severity === 'error')
      .map((problem: any) => `${problem.ruleId}: ${problem.message}`)
    assert.deepEqual(errors, [])
    assert.equal(report.totals.errors, 0)
  }).timeout(180_000)
})

test.group('OpenAPI conformance check', () => {
  test('finds an undocumented status, an error code the operation does not list and a body off its schema', async ({
    assert,
  }) => {
    const { checkAnswer } = await import('#core/openapi/conformance')
    const answer = (status: number, body: unknown) => ({
      method: 'POST',
      urlPath: '/api/v1/journal/entries',
      status,
      contentType: 'application/json; charset=utf-8',
      body,
    })
    const meta = { timestamp: new Date().toISOString(), request_id: 'r1' }
    const entry = { id: 1, body: 'Dear diary' }
    const ok = await checkAnswer(
      answer(201, { success: true, data: entry, meta, error: null }),
      '0'
    )
    assert.deepEqual(ok, [])

    const [teapot] = await checkAnswer(answer(418, {}), '0')
    assert.equal(teapot.operation, 'POST /api/v1/journal/entries')
    assert.match(teapot.problem, /status 418 is not documented/)

    const error = (code: string) => ({
      success: false,
      data: null,
      meta,
      error: { code, message: 'x' },
    })
    assert.deepEqual(await checkAnswer(answer(409, error('ERR_JOURNAL_FULL')), '0'), [])
    const [unlisted] = await checkAnswer(answer(409, error('ERR_ROLE_EXISTS')), '0')
    assert.match(unlisted.problem, /error code ERR_ROLE_EXISTS is not listed for 409/)

    const [offSchema] = await checkAnswer(
      answer(201, { success: true, data: { id: 'one' }, meta, error: null }),
      '0'
    )
    assert.match(offSchema.problem, /body does not match the 201 schema/)

    // Paths the document does not have (the router's 404) and other origins are not its business.
    assert.deepEqual(await checkAnswer({ ...answer(418, {}), urlPath: '/api/v1/nowhere' }, '0'), [])
    assert.deepEqual(await checkAnswer({ ...answer(418, {}), urlPath: '/console/x' }, '0'), [])
  })

  test('a create that declares Location fails without it; a date field must be YYYY-MM-DD', async ({
    assert,
  }) => {
    const { checkAnswer } = await import('#core/openapi/conformance')
    const meta = { timestamp: new Date().toISOString(), request_id: 'r1' }
    const envelope = (data: unknown) => ({ success: true, data, meta, error: null })
    const loan = {
      id: '7',
      copy_id: '1',
      title_id: '1',
      member_id: '1',
      status: 'on_loan',
      due_on: '2026-12-21',
      barcode: 'B-1',
    }
    const issue = (headers: Record<string, string>) => ({
      method: 'POST',
      urlPath: '/api/v1/library/circulation/issue',
      status: 201,
      contentType: 'application/json; charset=utf-8',
      body: envelope(loan),
      headers,
    })
    const [missing, ...more] = await checkAnswer(issue({}), '0')
    assert.match(missing.problem, /header Location is required for 201/)
    assert.deepEqual(more, [])
    assert.deepEqual(await checkAnswer(issue({ location: '/api/v1/library/loans/7' }), '0'), [])

    // A resource create declares it too; a 201 that creates several records does not.
    const term = (
      startsOn: string,
      status = 200,
      method = 'GET',
      urlPath = '/api/v1/erp/terms/1'
    ) =>
      checkAnswer(
        {
          method,
          urlPath,
          status,
          contentType: 'application/json',
          body: envelope({ id: '1', name: 'Term 1', starts_on: startsOn, ends_on: '2026-12-20' }),
          headers: {},
        },
        '0'
      )
    const [created] = await term('2026-08-01', 201, 'POST', '/api/v1/erp/terms')
    assert.match(created.problem, /header Location is required for 201/)

    // `format: date` is a day: the timestamp node-postgres made of a DATE column is refused.
    assert.deepEqual(await term('2026-08-01'), [])
    const [shifted] = await term('2026-07-31T22:00:00.000Z')
    assert.match(shifted.problem, /\/data\/starts_on must match format "date"/)
  })
})
