import { test } from '@japa/runner'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import type { ApiClient } from '@japa/api-client'
import { deleteFile, fileUrl, readFile, storeFile } from '#core/sdk/index'
import { signFileLink } from '#core/storage/links'
import { storageDir } from '#core/runtime/environment'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs, tenantApi } from '#tests/support/access'
import { activeTenant } from '#tests/support/tenants'

/*
 * Tenant files end to end: uploads within the configured limits, metadata,
 * downloads through signed expiring links, deletion, and isolation between
 * users and between tenants. Files land under `<storage>/tenants/<tenant id>/`,
 * the folder backups carry (core/backup/paths.ts tenantFilesDir).
 */

type School = { tenant: Tenant; admin: string; student: string; otherStudent: string }

async function school(): Promise<School> {
  const tenant = await activeTenant()
  const [admin, student, otherStudent] = await Promise.all([
    signedInAs(tenant, `head@${tenant.slug}.example`, ['TenantAdmin']),
    signedInAs(tenant, `kit@${tenant.slug}.example`, ['Student']),
    signedInAs(tenant, `ann@${tenant.slug}.example`, ['Student']),
  ])
  return { tenant, admin, student, otherStudent }
}

function upload(
  client: ApiClient,
  tenant: Tenant,
  token: string,
  bytes: Buffer,
  filename: string,
  contentType?: string
) {
  return client
    .post('/api/v1/files')
    .header('x-tenant-id', tenant.slug)
    .bearerToken(token)
    .file('file', bytes, contentType ? { filename, contentType } : { filename })
}

/** The path and query of a signed link (absolute in an answer, a path when signed outside a request). */
const pathOf = (url: string) => {
  const parsed = new URL(url, 'http://link.invalid')
  return `${parsed.pathname}${parsed.search}`
}

/** What the tenant has stored: rows of `files` and objects under its storage folder. */
async function stored(tenant: Tenant) {
  const folder = join(storageDir(app.appRoot), 'tenants', tenant.id, 'files')
  const objects = existsSync(folder) ? readdirSync(folder).length : 0
  const rows = await tenantContext.run(tenant, () =>
    withTenantDb(async (trx) => Number((await trx.from('files').count('* as n'))[0].n))
  )
  return { rows, objects }
}

test.group('Files', (group) => {
  let a: School
  let b: Tenant
  let bAdmin: string
  group.setup(async () => {
    a = await school()
    b = await activeTenant()
    bAdmin = await signedInAs(b, `head@${b.slug}.example`, ['TenantAdmin'])
  })

  test('an upload is stored under the tenant, described, audited and downloaded through its signed link', async ({
    client,
    assert,
  }) => {
    const bytes = Buffer.from('Week 1: fractions and decimals\n')
    const response = await upload(client, a.tenant, a.student, bytes, 'week 1 notes.txt')
    response.assertStatus(201)
    const file = response.body().data
    assert.include(file, { name: 'week 1 notes.txt', size: bytes.length })
    assert.match(file.content_type, /^text\/plain/)
    assert.match(file.key, /^files\/[0-9a-f-]{36}\.txt$/)
    // The backup layout: <storage>/tenants/<tenant id>/<key>.
    assert.isTrue(existsSync(join(storageDir(app.appRoot), 'tenants', a.tenant.id, file.key)))

    const meta = await tenantApi(client, a.tenant, a.student).get(`/files/${file.id}`)
    meta.assertStatus(200)
    assert.include(meta.body().data, { id: file.id, name: file.name, size: bytes.length })
    const { url, expires_at: expiresAt } = meta.body().data.download
    // Absolute, on the origin the request came to, naming its tenant: usable as it is.
    assert.match(
      url,
      new RegExp(
        `^http://${process.env.HOST}:${process.env.PORT}/api/v1/files/${file.id}/download\\?expires=\\d+&signature=[\\w-]+&tenant=${a.tenant.slug}$`
      )
    )
    assert.isAbove(Date.parse(expiresAt), Date.now())

    // As a browser opens it: no bearer token (the signature is the credential), no X-Tenant-ID.
    const download = await fetch(url)
    assert.equal(download.status, 200)
    assert.equal(await download.text(), bytes.toString())
    assert.include(download.headers.get('content-disposition'), 'week 1 notes.txt')

    const audit = await tenantApi(client, a.tenant, a.admin).get(
      `/admin/audit?action=core.files.upload&resource_id=${file.id}`
    )
    audit.assertStatus(200)
    assert.lengthOf(audit.body().data, 1)
  })

  test('tampered, expired and other-tenant links are refused; other users and tenants do not see the file', async ({
    client,
    assert,
  }) => {
    const response = await upload(client, a.tenant, a.student, Buffer.from('mine'), 'mine.txt')
    response.assertStatus(201)
    const file = response.body().data
    const { url } = file.download

    const tampered = url.replace(/signature=(.)/, (_: string, c: string) =>
      c === 'A' ? 'signature=B' : 'signature=A'
    )
    const forged = await client.get(pathOf(tampered)).header('x-tenant-id', a.tenant.slug)
    forged.assertStatus(403)
    assert.equal(forged.body().error.code, 'ERR_FILE_LINK_INVALID')

    const expired = tenantContext.run(a.tenant, () => signFileLink(file.id, -1))
    const late = await client.get(pathOf(expired.url)).header('x-tenant-id', a.tenant.slug)
    late.assertStatus(403)
    assert.equal(late.body().error.code, 'ERR_FILE_LINK_INVALID')

    // Tenant A's link presented to tenant B: the signature names tenant A.
    const crossed = await client.get(pathOf(url)).header('x-tenant-id', b.slug)
    crossed.assertStatus(403)
    assert.equal(crossed.body().error.code, 'ERR_FILE_LINK_INVALID')
    // Nor with tenant B's name in place of A's in the link itself.
    const renamed = await fetch(url.replace(`tenant=${a.tenant.slug}`, `tenant=${b.slug}`))
    assert.equal(renamed.status, 403)
    assert.equal(((await renamed.json()) as any).error.code, 'ERR_FILE_LINK_INVALID')

    // The same id in tenant B, even for its admin: no such file.
    const elsewhere = await tenantApi(client, b, bAdmin).get(`/files/${file.id}`)
    elsewhere.assertStatus(404)
    assert.equal(elsewhere.body().error.code, 'ERR_FILE_NOT_FOUND')
    const removeElsewhere = await tenantApi(client, b, bAdmin).delete(`/files/${file.id}`)
    removeElsewhere.assertStatus(404)

    // Another student of the same school does not see it; the TenantAdmin (core.files.manage) does.
    const classmate = await tenantApi(client, a.tenant, a.otherStudent).get(`/files/${file.id}`)
    classmate.assertStatus(404)
    const head = await tenantApi(client, a.tenant, a.admin).get(`/files/${file.id}`)
    head.assertStatus(200)
  })

  test('files over the size limit or of a refused type are refused, enveloped, and nothing is stored', async ({
    client,
    assert,
  }) => {
    const before = await stored(a.tenant)
    const saved = process.env.ORYNE_UPLOAD_MAX_MB
    process.env.ORYNE_UPLOAD_MAX_MB = '0.001' // about 1 KB
    try {
      const large = await upload(client, a.tenant, a.student, Buffer.alloc(4096, 'x'), 'big.txt')
      large.assertStatus(413)
      assert.equal(large.body().error.code, 'ERR_FILE_TOO_LARGE')
      assert.isFalse(large.body().success)
    } finally {
      if (saved === undefined) delete process.env.ORYNE_UPLOAD_MAX_MB
      else process.env.ORYNE_UPLOAD_MAX_MB = saved
    }

    const exe = await upload(client, a.tenant, a.student, Buffer.from('MZ'), 'setup.exe')
    exe.assertStatus(415)
    assert.equal(exe.body().error.code, 'ERR_FILE_TYPE_NOT_ALLOWED')
    assert.include(exe.body().error.details.allowed, 'pdf')

    const none = await tenantApi(client, a.tenant, a.student).post('/files', {})
    none.assertStatus(400)
    assert.equal(none.body().error.code, 'ERR_VALIDATION')

    assert.deepEqual(await stored(a.tenant), before)
  })

  test("the stored type is what the extension and the leading bytes agree on, never the client's", async ({
    client,
    assert,
  }) => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n')
    const html = Buffer.from('<html><script>alert(document.cookie)</script></html>')

    // A real PDF sent as text/html is stored and served as a PDF, as an attachment, unsniffed.
    const relabelled = await upload(client, a.tenant, a.student, pdf, 'x.PDF', 'text/html')
    relabelled.assertStatus(201)
    const file = relabelled.body().data
    assert.equal(file.content_type, 'application/pdf')
    const download = await client
      .get(pathOf(file.download.url))
      .header('x-tenant-id', a.tenant.slug)
    download.assertStatus(200)
    assert.equal(download.header('content-type'), 'application/pdf')
    assert.equal(download.header('x-content-type-options'), 'nosniff')
    assert.match(download.header('content-disposition') ?? '', /^attachment;/)

    // HTML named x.PDF, or binary bytes named .txt, are refused and nothing is stored.
    const before = await stored(a.tenant)
    for (const [bytes, name] of [
      [html, 'x.PDF'],
      [pdf, 'notes.txt'],
    ] as const) {
      const refused = await upload(client, a.tenant, a.student, bytes, name, 'text/html')
      refused.assertStatus(415)
      assert.equal(refused.body().error.code, 'ERR_FILE_TYPE_MISMATCH', name)
      assert.equal(refused.body().error.details.extension, name.split('.')[1].toLowerCase())
    }
    assert.deepEqual(await stored(a.tenant), before)

    // Whatever a plugin or an older row recorded, active content is served as opaque bytes.
    const page = await tenantContext.run(a.tenant, () =>
      storeFile(html, { name: 'page.html', contentType: 'text/html', actor: 'lms' })
    )
    const link = tenantContext.run(a.tenant, () => signFileLink(page.id))
    const served = await client.get(pathOf(link.url)).header('x-tenant-id', a.tenant.slug)
    served.assertStatus(200)
    assert.equal(served.header('content-type'), 'application/octet-stream')
    assert.match(served.header('content-disposition') ?? '', /^attachment;/)
  })

  test('deleting a file removes its record, its object and its links', async ({
    client,
    assert,
  }) => {
    const response = await upload(client, a.tenant, a.student, Buffer.from('gone'), 'gone.txt')
    response.assertStatus(201)
    const file = response.body().data

    const notYours = await tenantApi(client, a.tenant, a.otherStudent).delete(`/files/${file.id}`)
    notYours.assertStatus(404)

    const removed = await tenantApi(client, a.tenant, a.student).delete(`/files/${file.id}`)
    removed.assertStatus(200)
    assert.equal(removed.body().data.id, file.id)
    assert.isFalse(existsSync(join(storageDir(app.appRoot), 'tenants', a.tenant.id, file.key)))
    ;(await tenantApi(client, a.tenant, a.student).get(`/files/${file.id}`)).assertStatus(404)
    const link = await client.get(pathOf(file.download.url)).header('x-tenant-id', a.tenant.slug)
    link.assertStatus(404)
    assert.equal(link.body().error.code, 'ERR_FILE_NOT_FOUND')
  })

  test('plugins store, read, link and delete files through the SDK, within their tenant', async ({
    client,
    assert,
  }) => {
    const file = await tenantContext.run(a.tenant, () =>
      storeFile('id,name\n1,Kit\n', { name: 'export.csv', folder: 'reports', actor: 'erp' })
    )
    assert.match(file.key, /^reports\/[0-9a-f-]{36}\.csv$/)
    assert.equal(
      (await tenantContext.run(a.tenant, () => readFile(file.id))).toString(),
      'id,name\n1,Kit\n'
    )
    const link = await tenantContext.run(a.tenant, () => fileUrl(file.id, { ttlSeconds: 60 }))
    ;(await client.get(pathOf(link.url)).header('x-tenant-id', a.tenant.slug)).assertStatus(200)

    await assert.rejects(() => tenantContext.run(b, () => readFile(file.id)), /No file/)
    await tenantContext.run(a.tenant, () => deleteFile(file.id))
    await assert.rejects(() => tenantContext.run(a.tenant, () => readFile(file.id)), /No file/)
  })
})
