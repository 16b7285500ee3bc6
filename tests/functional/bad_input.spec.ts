import { test } from '@japa/runner'
import { connect } from 'node:net'
import { gzipSync } from 'node:zlib'
import jobs from '#core/services/jobs'
import { eventually, ok, openSchool, sharedSchool } from '@oryne/sdk/testing'

/*
 * What a careless or hostile client sends that no form would: NUL characters,
 * bodies that are not what their Content-Encoding says, requests Node itself
 * refuses before Oryne sees them. Each is a 4xx in the usual envelope, with
 * the usual security headers, never a 500 and never a bare answer.
 */

const schoolFor = sharedSchool({
  plugins: ['erp'],
  people: { head: 'TenantAdmin', teacher: 'Teacher' },
})

function base() {
  return { host: process.env.HOST!, port: Number(process.env.PORT) }
}

function assertNulRefused(assert: any, response: any, where: string, field?: string) {
  assert.equal(response.status(), 400, JSON.stringify(response.body()))
  const error = response.body().error
  assert.equal(error.code, 'ERR_NUL_CHARACTER')
  assert.equal(error.details[0].where, where)
  if (field) assert.equal(error.details[0].field, field)
}

test.group('Bad input: NUL characters', () => {
  test('in a JSON body, a value or a key at any depth', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const head = school.as('head')
    assertNulRefused(
      assert,
      await head.post('/erp/rooms').json({ name: 'a\u0000b' }),
      'body',
      'name'
    )
    assertNulRefused(
      assert,
      await head.post('/erp/rooms').json({ name: 'ok', extra: [{ 'k\u0000': 1 }] }),
      'body',
      'extra.0.k\u0000'
    )
    const teacher = school.people.teacher
    assertNulRefused(
      assert,
      await head.patch(`/admin/users/${teacher.id}`).json({ name: 'Tea\u0000cher' }),
      'body',
      'name'
    )
    // Nothing was written.
    const rooms = await ok(head.get('/erp/rooms'))
    assert.lengthOf(rooms, 0)
    // The same request without the NUL goes through.
    await ok(head.post('/erp/rooms').json({ name: 'ab' }), 201)
  })

  test('in the query string: filters, search, bare', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const head = school.as('head')
    assertNulRefused(
      assert,
      await head.get('/erp/students?filter[first_name][eq]=a%00b'),
      'query',
      'filter.first_name.eq'
    )
    assertNulRefused(assert, await head.get('/erp/rooms?q=a%00b'), 'query', 'q')
    assertNulRefused(assert, await head.get('/search?q=a%00b'), 'query', 'q')
    assertNulRefused(assert, await head.get('/erp/rooms?%00'), 'query')
  })

  test('in a path parameter', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const teacher = school.people.teacher
    const response = await school.as('head').get(`/admin/users/${teacher.id}%00`)
    assertNulRefused(assert, response, 'path', 'id')
  })

  test('in a header', async ({ client, assert }) => {
    const school = await schoolFor(client)
    // Node refuses a raw NUL in a header line itself; an encoded one reaches the app.
    const response = await school.as('head').get('/erp/rooms').header('x-note', 'a%00b')
    response.assertStatus(200)
    const raw = await rawRequest(
      `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Note: a\u0000b\r\nConnection: close\r\n\r\n`
    )
    assertEnvelopedError(assert, raw, 400)
  })
})

test.group('Bad input: compressed bodies', () => {
  test('a body that is not the gzip, deflate or Brotli its Content-Encoding says is a 400 with a code', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    // Bytes as they are: the API client would re-encode a Buffer body.
    const login = (encoding: string, body: Buffer) =>
      fetch(`http://${base().host}:${base().port}/api/v1/auth/login`, {
        method: 'POST',
        headers: {
          'x-tenant-id': school.tenant.slug,
          'content-type': 'application/json',
          'content-encoding': encoding,
        },
        body,
      })
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const response = await login(encoding, Buffer.from('notgzip'))
      const body = (await response.json()) as any
      assert.equal(response.status, 400, `${encoding}: ${JSON.stringify(body)}`)
      assert.equal(body.error.code, 'ERR_BODY_ENCODING_INVALID')
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff')
    }
    // A real gzip body is read.
    const real = await login(
      'gzip',
      gzipSync(JSON.stringify({ email: 'nobody@x.example', password: 'wrong-one' }))
    )
    const answer = (await real.json()) as any
    assert.equal(real.status, 401, JSON.stringify(answer))
    assert.equal(answer.error.code, 'ERR_AUTH_INVALID_CREDENTIALS')
  })
})

test.group('Bad input: requests Node refuses before the application', () => {
  test('headers over the size limit: 431 in the envelope', async ({ assert }) => {
    const answer = await rawRequest(
      `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`
    )
    assertEnvelopedError(assert, answer, 431, 'ERR_HEADERS_TOO_LARGE')
  })

  test('a malformed request line: 400 in the envelope', async ({ assert }) => {
    for (const line of [
      'GARBAGE\r\n\r\n',
      'GET /api/v1/health HTTP/9.9 extra\r\nHost: x\r\n\r\n',
    ]) {
      assertEnvelopedError(assert, await rawRequest(line), 400, 'ERR_BAD_REQUEST')
    }
  })

  test('a bad % escape in the path: 4xx in the envelope', async ({ assert }) => {
    for (const path of ['/api/v1/erp/rooms/%zz', '/api/v1/%', '/%E0%A4%A']) {
      const answer = await rawRequest(
        `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Tenant-ID: none\r\nConnection: close\r\n\r\n`
      )
      assert.isAtLeast(answer.status, 400, path)
      assert.isBelow(answer.status, 500, `${path}: ${answer.body}`)
      assertEnvelopedError(assert, answer, answer.status)
    }
  })

  test('a Content-Length that contradicts itself or the body: 400 in the envelope', async ({
    assert,
  }) => {
    const duplicate = await rawRequest(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 2\r\nContent-Length: 5\r\n\r\n{}'
    )
    assertEnvelopedError(assert, duplicate, 400, 'ERR_BAD_REQUEST')
    const both = await rawRequest(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
    )
    assertEnvelopedError(assert, both, 400, 'ERR_BAD_REQUEST')
    const invalid = await rawRequest(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'
    )
    assertEnvelopedError(assert, invalid, 400, 'ERR_BAD_REQUEST')
  })
})

test.group('Bad input: malformed CSV imports', () => {
  // An unquoted cell holding quotes, as spreadsheets export formulas: csv-parse's "Invalid Opening Quote".
  const HYPERLINK = '=HYPERLINK("http://x","click")'

  test('an ERP student import ends failed with the line, never stuck running', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    await jobs.work(['erp'])
    const csv = `enrollment_no,first_name,last_name\nQ-1,Ok,Row\nQ-2,${HYPERLINK},Row\nQ-3,X,Y\n`
    const queued = await client
      .post('/api/v1/erp/imports/students')
      .header('x-tenant-id', school.tenant.slug)
      .bearerToken(school.people.head.token)
      .file('file', Buffer.from(csv), { filename: 'students.csv' })
    queued.assertStatus(202)
    const id = queued.body().data.id
    const done = await eventually(() => ok(school.as('head').get(`/erp/imports/${id}`)), {
      until: (state: any) => state.status !== 'queued' && state.status !== 'running',
      timeoutMs: 20_000,
    })
    assert.equal(done.status, 'failed')
    const last = done.errors.at(-1)
    assert.equal(last.line, 3)
    assert.include(last.reason, 'malformed CSV')
  })

  test('a library catalogue import refuses the file with the line', async ({ client, assert }) => {
    const school = await openSchool(client, {
      plugins: ['library'],
      people: { head: 'TenantAdmin' },
    })
    const response = await client
      .post('/api/v1/library/imports/catalogue')
      .header('x-tenant-id', school.tenant.slug)
      .bearerToken(school.people.head.token)
      .file('file', Buffer.from(`title,authors\nOk,A\n${HYPERLINK},B\n`), {
        filename: 'titles.csv',
      })
    assert.equal(response.status(), 422, JSON.stringify(response.body()))
    const detail = response.body().error.details[0]
    assert.equal(detail.row, 3)
    assert.include(detail.message, 'malformed CSV')
  })
})

type RawAnswer = { status: number; headers: Record<string, string>; body: string }

/** Sends `request` bytes as they are, returns the parsed answer. */
function rawRequest(request: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(base(), () => socket.end(request))
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const [head, ...rest] = text.split('\r\n\r\n')
      const [statusLine, ...lines] = head.split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const at = line.indexOf(':')
        headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim()
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') })
    })
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')))
  })
}

function assertEnvelopedError(assert: any, answer: RawAnswer, status: number, code?: string) {
  assert.equal(answer.status, status, JSON.stringify(answer))
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/)
  assert.equal(answer.headers['x-content-type-options'], 'nosniff')
  assert.equal(answer.headers['x-frame-options'], 'DENY')
  assert.include(answer.headers['content-security-policy'] ?? '', "default-src 'none'")
  const body = JSON.parse(answer.body)
  assert.isFalse(body.success)
  assert.isNull(body.data)
  assert.match(body.error.code, /^ERR_/)
  if (code) assert.equal(body.error.code, code)
  assert.isString(body.meta.timestamp)
}
