import { test } from '@japa/runner'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import app from '@adonisjs/core/services/app'
import type { ApiClient } from '@japa/api-client'
import { storageDir } from '#core/runtime/environment'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs, tenantApi } from '#tests/support/access'
import { activeTenant } from '#tests/support/tenants'
import { corePurposes } from '#config/uploads'

/*
 * Presigned uploads with the fs driver (the S3 driver is configured and
 * documented but not tested: there is no S3 or MinIO here): declare, send the
 * bytes to the signed URL, confirm; limits per purpose, quota reserved on
 * request and counted on confirm (also under concurrent requests), expiring
 * signatures, and isolation between users and tenants.
 */

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n')
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 7),
])

/** The client's direct upload: a plain PUT of the bytes to the signed URL as it is (no tenant header). */
function put(_tenant: Tenant, url: string, bytes: Buffer, contentType: string) {
  return fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body: bytes })
}

function declare(
  client: ApiClient,
  tenant: Tenant,
  token: string,
  body: { purpose?: string; content_type?: string; size?: number; name?: string }
) {
  return tenantApi(client, tenant, token).post('/uploads', {
    purpose: 'attachment',
    content_type: 'application/pdf',
    size: PDF.length,
    name: 'report.pdf',
    ...body,
  })
}

/** The file name extension of `type`: a declared name must end in it. */
function extensionOf(type: string) {
  const known: Record<string, string> = {
    'application/pdf': '.pdf',
    'image/png': '.png',
    'image/jpeg': '.jpg',
    'image/gif': '.gif',
    'image/webp': '.webp',
    'text/plain': '.txt',
    'text/csv': '.csv',
    'application/zip': '.zip',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation': '.pptx',
    'application/vnd.oasis.opendocument.text': '.odt',
    'application/vnd.oasis.opendocument.spreadsheet': '.ods',
  }
  return known[type] ?? '.bin'
}

async function usage(client: ApiClient, tenant: Tenant, token: string) {
  const response = await tenantApi(client, tenant, token).get('/files/usage')
  response.assertStatus(200)
  return response.body().data
}

function withEnv(values: Record<string, string>) {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]))
  Object.assign(process.env, values)
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
}

test.group('Uploads', (group) => {
  group.each.timeout(60_000)

  test('declare, upload to the signed URL, confirm: the file is recorded under the tenant and downloadable', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const token = await signedInAs(tenant, `kit@${tenant.slug}.example`, ['Student'])
    const before = await usage(client, tenant, token)

    const declared = await declare(client, tenant, token, { name: 'term report.pdf' })
    declared.assertStatus(201)
    const upload = declared.body().data
    assert.include(upload, { purpose: 'attachment', status: 'pending', size: PDF.length })
    assert.equal(upload.upload.method, 'PUT')
    assert.match(
      upload.upload.url,
      new RegExp(
        `^http://.+/api/v1/uploads/${upload.id}/content\\?expires=\\d+&signature=[\\w-]+&tenant=`
      )
    )
    assert.deepEqual(upload.upload.headers, { 'Content-Type': 'application/pdf' })
    assert.isAbove(Date.parse(upload.upload.expires_at), Date.now())
    // Reserved from the request on.
    const reserved = await usage(client, tenant, token)
    assert.equal(reserved.reserved_bytes, before.reserved_bytes + PDF.length)
    assert.equal(reserved.pending_uploads, 1)

    const sent = await put(tenant, upload.upload.url, PDF, 'application/pdf')
    assert.equal(sent.status, 204)

    const confirmed = await tenantApi(client, tenant, token).post(`/uploads/${upload.id}/confirm`)
    confirmed.assertStatus(200)
    const { file, upload: after } = confirmed.body().data
    assert.include(after, { status: 'confirmed', file_id: file.id })
    assert.include(file, {
      name: 'term report.pdf',
      size: PDF.length,
      content_type: 'application/pdf',
    })
    assert.match(file.key, new RegExp(`^uploads/attachment/${upload.id}\\.pdf$`))
    assert.isTrue(existsSync(join(storageDir(app.appRoot), 'tenants', tenant.id, file.key)))

    const counted = await usage(client, tenant, token)
    assert.equal(counted.used_bytes, before.used_bytes + PDF.length)
    assert.equal(counted.reserved_bytes, before.reserved_bytes)
    assert.equal(counted.files, before.files + 1)

    // The signed, expiring download link returns the same bytes.
    assert.match(file.download.url, /^http:\/\/.+\?expires=\d+&signature=[\w-]+&tenant=/)
    const download = await fetch(file.download.url, {
      headers: { 'x-tenant-id': tenant.slug },
    })
    assert.equal(download.status, 200)
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), PDF)
    assert.deepEqual(
      readFileSync(join(storageDir(app.appRoot), 'tenants', tenant.id, file.key)),
      PDF
    )

    // Confirmed once only.
    const twice = await tenantApi(client, tenant, token).post(`/uploads/${upload.id}/confirm`)
    twice.assertStatus(409)
    assert.equal(twice.body().error.code, 'ERR_UPLOAD_NOT_PENDING')
  })

  test('every content type each purpose allows goes through: declared, sent, confirmed, same bytes back', async ({
    client,
    assert,
  }) => {
    const ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40, 1)])
    const samples: Record<string, Buffer> = {
      'application/pdf': PDF,
      'image/png': PNG,
      'image/jpeg': Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(40, 2)]),
      'image/gif': Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(40, 3)]),
      'image/webp': Buffer.concat([
        Buffer.from('RIFF'),
        Buffer.from([40, 0, 0, 0]),
        Buffer.from('WEBPVP8 '),
        Buffer.alloc(32, 4),
      ]),
      'text/plain': Buffer.from('hello!'),
      // Not UTF-8 (latin-1 "é"), and a line a spreadsheet would write: the bytes must survive as sent.
      'text/csv': Buffer.from('name,note\r\nRen\xe9,"=HYPERLINK(""x"")"\r\n', 'latin1'),
    }
    const tenant = await activeTenant()
    const token = await signedInAs(tenant, `all@${tenant.slug}.example`, ['Student'])
    const api = tenantApi(client, tenant, token)
    const tried: string[] = []
    for (const [purpose, { contentTypes }] of Object.entries(corePurposes)) {
      const types = contentTypes.flatMap((type) =>
        type === 'image/*' ? ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] : [type]
      )
      for (const type of types) {
        const bytes = samples[type] ?? ZIP
        const declared = await api.post('/uploads', {
          purpose,
          content_type: type,
          size: bytes.length,
          name: `sample${extensionOf(type)}`,
        })
        assert.equal(
          declared.status(),
          201,
          `${purpose} ${type}: ${JSON.stringify(declared.body())}`
        )
        const upload = declared.body().data
        const sent = await put(tenant, upload.upload.url, bytes, type)
        assert.equal(sent.status, 204, `${purpose} ${type}`)
        const confirmed = await api.post(`/uploads/${upload.id}/confirm`)
        assert.equal(
          confirmed.status(),
          200,
          `${purpose} ${type}: ${JSON.stringify(confirmed.body())}`
        )
        const { file } = confirmed.body().data
        assert.equal(file.content_type, type)
        assert.equal(file.size, bytes.length)
        const download = await fetch(file.download.url, {
          headers: { 'x-tenant-id': tenant.slug },
        })
        assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes, `${purpose} ${type}`)
        assert.equal(download.headers.get('content-type'), type)
        assert.equal(download.headers.get('x-content-type-options'), 'nosniff')
        assert.match(download.headers.get('content-disposition') ?? '', /^attachment;/)
        tried.push(`${purpose} ${type}`)
      }
    }
    assert.includeMembers(tried, [
      'attachment text/plain',
      'attachment text/csv',
      'import text/csv',
    ])
  })

  test('each purpose limits the size and content type; unknown purposes are refused', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const token = await signedInAs(tenant, `kit@${tenant.slug}.example`, ['Student'])
    const unknown = await declare(client, tenant, token, { purpose: 'secret-stash' })
    unknown.assertStatus(400)
    assert.equal(unknown.body().error.code, 'ERR_UPLOAD_PURPOSE_UNKNOWN')
    assert.include(unknown.body().error.details.purposes, 'avatar')
    const type = await declare(client, tenant, token, { purpose: 'avatar' })
    type.assertStatus(415)
    assert.equal(type.body().error.code, 'ERR_UPLOAD_TYPE_NOT_ALLOWED')
    const big = await declare(client, tenant, token, {
      purpose: 'avatar',
      content_type: 'image/png',
      size: 3 * 1024 * 1024,
    })
    big.assertStatus(413)
    assert.equal(big.body().error.code, 'ERR_UPLOAD_TOO_LARGE')
    const invalid = await declare(client, tenant, token, { size: -1 })
    invalid.assertStatus(400)
    assert.equal(invalid.body().error.code, 'ERR_VALIDATION')
    assert.equal((await usage(client, tenant, token)).pending_uploads, 0)
  })

  test('a stored object of another size or type than declared is rejected on confirm, and its bytes freed', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const token = await signedInAs(tenant, `kit@${tenant.slug}.example`, ['Student'])
    const api = tenantApi(client, tenant, token)

    const short = (await declare(client, tenant, token, { size: PDF.length + 10 })).body().data
    assert.equal((await put(tenant, short.upload.url, PDF, 'application/pdf')).status, 204)
    const wrongSize = await api.post(`/uploads/${short.id}/confirm`)
    wrongSize.assertStatus(422)
    assert.equal(wrongSize.body().error.code, 'ERR_UPLOAD_MISMATCH')
    assert.deepEqual(wrongSize.body().error.details, [
      { field: 'size', declared: PDF.length + 10, stored: PDF.length },
    ])
    assert.equal((await api.get(`/uploads/${short.id}`)).body().data.status, 'rejected')

    const png = (await declare(client, tenant, token, { size: PNG.length })).body().data
    assert.equal((await put(tenant, png.upload.url, PNG, 'image/png')).status, 204)
    const wrongType = await api.post(`/uploads/${png.id}/confirm`)
    wrongType.assertStatus(422)
    assert.deepEqual(wrongType.body().error.details, [
      { field: 'content_type', declared: 'application/pdf', stored: 'image/png' },
    ])

    // Declared and sent as a PDF, but it is not one.
    const disguised = (await declare(client, tenant, token, { size: PNG.length })).body().data
    assert.equal((await put(tenant, disguised.upload.url, PNG, 'application/pdf')).status, 204)
    const sniffed = await api.post(`/uploads/${disguised.id}/confirm`)
    sniffed.assertStatus(422)
    assert.equal(sniffed.body().error.details[0].field, 'content')

    const nothing = (await declare(client, tenant, token, {})).body().data
    const early = await api.post(`/uploads/${nothing.id}/confirm`)
    early.assertStatus(409)
    assert.equal(early.body().error.code, 'ERR_UPLOAD_INCOMPLETE')

    const now = await usage(client, tenant, token)
    assert.equal(now.used_bytes, 0)
    assert.equal(now.reserved_bytes, PDF.length) // only the upload still pending
    const folder = join(storageDir(app.appRoot), 'tenants', tenant.id, 'uploads', 'attachment')
    assert.isFalse(existsSync(join(folder, `${short.id}.pdf`)))
  })

  test('the name, the declared type and the bytes must agree: x.PDF is never stored or served as HTML', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const token = await signedInAs(tenant, `kit@${tenant.slug}.example`, ['Student'])
    const api = tenantApi(client, tenant, token)
    const html = Buffer.from('<html><script>alert(document.cookie)</script></html>')

    // A PDF's name declared as text (or as a type the purpose has no extension for) is refused up front.
    for (const [name, type] of [
      ['x.PDF', 'text/plain'],
      ['x.svg', 'image/svg+xml'],
      ['notes', 'text/plain'],
    ]) {
      const refused = await declare(client, tenant, token, { name, content_type: type })
      refused.assertStatus(415)
      assert.equal(refused.body().error.code, 'ERR_FILE_TYPE_MISMATCH', `${name} ${type}`)
    }

    // Name and declaration agree, the bytes do not: refused on confirm, nothing kept.
    const declared = (
      await declare(client, tenant, token, { name: 'x.PDF', size: html.length })
    ).body().data
    assert.equal((await put(tenant, declared.upload.url, html, 'application/pdf')).status, 204)
    const confirmed = await api.post(`/uploads/${declared.id}/confirm`)
    confirmed.assertStatus(422)
    assert.equal(confirmed.body().error.code, 'ERR_UPLOAD_MISMATCH')
    assert.deepEqual(confirmed.body().error.details, [
      { field: 'content', declared: 'application/pdf', rule: 'signature' },
    ])

    // Binary bytes declared as text are refused too.
    const text = (
      await declare(client, tenant, token, {
        name: 'notes.txt',
        content_type: 'text/plain',
        size: PNG.length,
      })
    ).body().data
    assert.equal((await put(tenant, text.upload.url, PNG, 'text/plain')).status, 204)
    const binary = await api.post(`/uploads/${text.id}/confirm`)
    binary.assertStatus(422)
    assert.equal(binary.body().error.details[0].field, 'content')
    assert.equal((await usage(client, tenant, token)).used_bytes, 0)
  })

  test('an expired or altered signature is refused; an expired upload cannot be confirmed and reserves nothing', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const other = await activeTenant()
    const token = await signedInAs(tenant, `kit@${tenant.slug}.example`, ['Student'])
    const upload = (await declare(client, tenant, token, {})).body().data

    const altered = await put(
      tenant,
      upload.upload.url.replace(
        /signature=(.)/,
        (_: string, first: string) => `signature=${first === 'x' ? 'y' : 'x'}`
      ),
      PDF,
      'application/pdf'
    )
    assert.equal(altered.status, 403)
    assert.equal(((await altered.json()) as any).error.code, 'ERR_UPLOAD_LINK_INVALID')
    // The signature covers the tenant: the same URL naming another tenant is worthless.
    const elsewhere = await put(
      other,
      upload.upload.url.replace(`tenant=${tenant.slug}`, `tenant=${other.slug}`),
      PDF,
      'application/pdf'
    )
    assert.equal(elsewhere.status, 403)

    const restore = withEnv({ ORYNE_UPLOAD_URL_TTL_SECONDS: '1' })
    let brief: any
    try {
      brief = (await declare(client, tenant, token, {})).body().data
    } finally {
      restore()
    }
    await sleep(2100)
    const late = await put(tenant, brief.upload.url, PDF, 'application/pdf')
    assert.equal(late.status, 403)
    assert.equal(((await late.json()) as any).error.code, 'ERR_UPLOAD_LINK_INVALID')
    const expired = await tenantApi(client, tenant, token).post(`/uploads/${brief.id}/confirm`)
    expired.assertStatus(410)
    assert.equal(expired.body().error.code, 'ERR_UPLOAD_EXPIRED')
    assert.equal((await usage(client, tenant, token)).reserved_bytes, PDF.length)
  })

  test('the quota refuses what does not fit, and concurrent requests cannot overshoot it', async ({
    client,
    assert,
  }) => {
    // 10 KiB per tenant.
    const restore = withEnv({ ORYNE_STORAGE_QUOTA_MB: String(10 / 1024) })
    try {
      const tenant = await activeTenant()
      const token = await signedInAs(tenant, `kit@${tenant.slug}.example`, ['Student'])
      const start = await usage(client, tenant, token)
      assert.equal(start.quota_bytes, 10_240)

      const first = await declare(client, tenant, token, { size: 8000 })
      first.assertStatus(201)
      const over = await declare(client, tenant, token, { size: 3000 })
      over.assertStatus(413)
      assert.equal(over.body().error.code, 'ERR_STORAGE_QUOTA_EXCEEDED')
      assert.include(over.body().error.details, {
        used_bytes: 0,
        reserved_bytes: 8000,
        requested_bytes: 3000,
      })

      // Multipart uploads count too.
      const multipart = await client
        .post('/api/v1/files')
        .header('x-tenant-id', tenant.slug)
        .bearerToken(token)
        .file('file', Buffer.alloc(3000, 65), { filename: 'notes.txt' })
      multipart.assertStatus(413)
      assert.equal(multipart.body().error.code, 'ERR_STORAGE_QUOTA_EXCEEDED')

      // Six requests race for the 10 240 bytes of a fresh tenant, 3000 bytes each: exactly three fit.
      const racing = await activeTenant()
      const racer = await signedInAs(racing, `kit@${racing.slug}.example`, ['Student'])
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => declare(client, racing, racer, { size: 3000 }))
      )
      const statuses = answers.map((answer) => answer.status()).sort()
      assert.deepEqual(statuses, [201, 201, 201, 413, 413, 413])
      const raced = await usage(client, racing, racer)
      assert.equal(raced.reserved_bytes, 9000)
      assert.isAtMost(raced.used_bytes + raced.reserved_bytes, raced.quota_bytes)
    } finally {
      restore()
    }
  })

  test("another tenant's or another user's upload id is not found", async ({ client, assert }) => {
    const a = await activeTenant()
    const b = await activeTenant()
    const kit = await signedInAs(a, `kit@${a.slug}.example`, ['Student'])
    const ann = await signedInAs(a, `ann@${a.slug}.example`, ['Student'])
    const bob = await signedInAs(b, `bob@${b.slug}.example`, ['TenantAdmin'])
    const upload = (await declare(client, a, kit, {})).body().data
    assert.equal((await put(a, upload.upload.url, PDF, 'application/pdf')).status, 204)

    for (const [tenant, token] of [
      [b, bob],
      [a, ann],
    ] as const) {
      const confirm = await tenantApi(client, tenant, token).post(`/uploads/${upload.id}/confirm`)
      confirm.assertStatus(404)
      assert.equal(confirm.body().error.code, 'ERR_UPLOAD_NOT_FOUND')
      const show = await tenantApi(client, tenant, token).get(`/uploads/${upload.id}`)
      show.assertStatus(404)
    }
    // Still the uploader's to confirm.
    ;(await tenantApi(client, a, kit).post(`/uploads/${upload.id}/confirm`)).assertStatus(200)
  })
})
