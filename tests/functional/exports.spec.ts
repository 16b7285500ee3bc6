import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import ExcelJS from 'exceljs'
import { parse } from 'csv-parse/sync'
import jobs from '#core/services/jobs'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import { principalForRoles } from '#core/rbac/authorize'
import { createExport, runExport } from '#core/reports/exports'
import { activeTenant } from '#tests/support/tenants'
import {
  api,
  eventually,
  fetchBytes,
  openSchool,
  type School,
  type Who,
} from '#tests/support/reports_school'

/*
 * Exports of resource lists: the same filters, permissions, row rules and
 * field visibility as the list endpoint, written by a queued job to CSV or
 * XLSX, stored in the tenant's folder and downloaded through a signed link.
 */

async function exportAndWait(client: ApiClient, school: School, who: Who, body: object) {
  const started = await api(client, school, who, 'post', '/exports').json(body)
  started.assertStatus(202)
  const id = started.body().data.id
  // Where to follow it.
  started.assertHeader('location', `/api/v1/exports/${id}`)
  return eventually(async () => {
    const status = await api(client, school, who, 'get', `/exports/${id}`)
    status.assertStatus(200)
    const data = status.body().data
    if (data.status === 'failed') throw new Error(`export failed: ${data.error}`)
    return data.status === 'completed' ? data : null
  })
}

async function download(school: School, url: string) {
  const file = await fetchBytes(url, { 'x-tenant-id': school.tenant.slug })
  if (file.status !== 200) throw new Error(`download answered ${file.status}`)
  return file.body
}

function csvRows(bytes: Buffer): Array<Record<string, string>> {
  return parse(bytes, { columns: true, bom: true, skip_empty_lines: true })
}

test.group('Exports', (group) => {
  let school: School
  let opening: Promise<School> | undefined
  group.setup(async () => {
    await jobs.work(['reports'])
  })
  /** One school for the group, opened by whichever test runs first. */
  const ready = async (client: ApiClient) => {
    opening ??= openSchool(client, { plugins: ['erp'] })
    school = await opening
  }

  test('a CSV export has exactly the rows and columns the filtered list shows', async ({
    client,
    assert,
  }) => {
    await ready(client)
    await api(client, school, 'admin', 'patch', `/erp/students/${school.students.s3}`).json({
      status: 'withdrawn',
    })
    const list = await api(
      client,
      school,
      'admin',
      'get',
      '/erp/students?filter[status][eq]=active&sort=-enrollment_no'
    )
    list.assertStatus(200)

    const done = await exportAndWait(client, school, 'admin', {
      resource: 'erp.students',
      format: 'csv',
      filters: { status: 'active' },
      sort: '-enrollment_no',
    })
    assert.equal(done.row_count, 2)
    assert.equal(done.total_rows, 2)
    assert.equal(done.progress, 100)
    assert.equal(done.file.content_type, 'text/csv; charset=utf-8')
    assert.match(
      done.download.url,
      /^http:\/\/[^/]+\/api\/v1\/files\/[0-9a-f-]+\/download\?expires=\d+&signature=[\w-]+&tenant=/
    )
    assert.isAbove(Date.parse(done.download.expires_at), Date.now())

    const rows = csvRows(await download(school, done.download.url))
    const listed = list.body().data
    assert.deepEqual(
      rows.map((row) => row.enrollment_no),
      listed.map((row: any) => row.enrollment_no)
    )
    assert.deepEqual(Object.keys(rows[0]), Object.keys(listed[0]))
    assert.equal(rows[0].date_of_birth, '2013-04-02')
    assert.equal(rows[1].first_name, 'Amara')

    // The link is the credential, for this tenant only and unaltered.
    const tampered = await fetchBytes(
      done.download.url.replace(
        /signature=(.)/,
        (_: string, first: string) => `signature=${first === 'x' ? 'y' : 'x'}`
      ),
      {
        'x-tenant-id': school.tenant.slug,
      }
    )
    assert.isAtLeast(tampered.status, 400)
    assert.isBelow(tampered.status, 500)

    // Nor is it worth anything with another tenant's name on the request.
    const elsewhere = await activeTenant()
    const stolen = await fetchBytes(done.download.url, { 'x-tenant-id': elsewhere.slug })
    assert.isAtLeast(stolen.status, 400)
    assert.isBelow(stolen.status, 500)
  })

  test('a Student exporting sees exactly their list: their own row, sensitive fields masked', async ({
    client,
    assert,
  }) => {
    await ready(client)
    const list = await api(client, school, 'student', 'get', '/erp/students')
    list.assertStatus(200)
    assert.lengthOf(list.body().data, 1)

    const done = await exportAndWait(client, school, 'student', {
      resource: 'erp.students',
      format: 'csv',
    })
    const rows = csvRows(await download(school, done.download.url))
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].id, school.students.s1)
    assert.equal(rows[0].date_of_birth, '***')
    assert.equal(list.body().data[0].date_of_birth, '***')
    assert.notProperty(rows[0], 'health_notes')

    // Another user cannot follow it.
    const peek = await api(client, school, 'student2', 'get', `/exports/${done.id}`)
    peek.assertStatus(404)
    assert.equal(peek.body().error.code, 'ERR_EXPORT_NOT_FOUND')
  })

  test('a large XLSX export streams every row, with its progress and row count', async ({
    client,
    assert,
  }) => {
    await ready(client)
    await tenantContext.run(school.tenant, () =>
      withTenantDb((trx) =>
        trx.rawQuery(
          `INSERT INTO erp_students (enrollment_no, first_name, last_name, status, class_id)
           SELECT 'B-' || lpad(n::text, 5, '0'), 'Bulk', 'Pupil ' || n, 'active', ?
             FROM generate_series(1, 1200) AS n`,
          [school.classId]
        )
      )
    )
    const done = await exportAndWait(client, school, 'staff', {
      resource: 'erp.students',
      format: 'xlsx',
      filters: { enrollment_no: { contains: 'B-' } },
      fields: ['enrollment_no', 'last_name'],
    })
    assert.equal(done.row_count, 1200)
    assert.equal(done.progress, 100)
    assert.match(done.file.name, /^erp-students-\d{4}-\d{2}-\d{2}\.xlsx$/)

    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load((await download(school, done.download.url)) as any)
    const sheet = workbook.worksheets[0]
    assert.equal(sheet.rowCount, 1201)
    assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), [
      'id',
      'enrollment_no',
      'last_name',
    ])
    assert.equal(sheet.getRow(2).getCell(2).value, 'B-00001')
    assert.equal(sheet.getRow(1201).getCell(3).value, 'Pupil 1200')
  })

  test('bad exports are refused up front with stable codes, and nothing is queued', async ({
    client,
    assert,
  }) => {
    await ready(client)
    const post = (who: Who, body: object) => api(client, school, who, 'post', '/exports').json(body)

    const unknown = await post('admin', { resource: 'erp.dragons', format: 'csv' })
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'ERR_REPORT_RESOURCE_UNKNOWN')

    const disabled = await post('admin', { resource: 'lms.courses', format: 'csv' })
    disabled.assertStatus(404)
    assert.equal(disabled.body().error.code, 'ERR_REPORT_RESOURCE_UNKNOWN')

    const format = await post('admin', { resource: 'erp.students', format: 'pdf' })
    format.assertStatus(400)
    assert.equal(format.body().error.code, 'ERR_REPORT_FORMAT_UNKNOWN')

    const forbidden = await post('teacher', { resource: 'erp.invoices', format: 'csv' })
    forbidden.assertStatus(403)
    assert.equal(forbidden.body().error.code, 'ERR_FORBIDDEN')

    const filter = await post('admin', {
      resource: 'erp.students',
      format: 'csv',
      filters: { shoe_size: { gt: 3 }, status: { near: 'x' } },
    })
    filter.assertStatus(400)
    assert.equal(filter.body().error.code, 'ERR_VALIDATION')
    assert.sameMembers(
      filter.body().error.details.map((detail: any) => detail.rule),
      ['unknown_field', 'operator']
    )

    const missing = await post('admin', { format: 'csv' })
    missing.assertStatus(400)
    assert.equal(missing.body().error.code, 'ERR_VALIDATION')

    const anonymous = await client
      .post('/api/v1/exports')
      .header('x-tenant-id', school.tenant.slug)
      .json({ resource: 'erp.students', format: 'csv' })
    anonymous.assertStatus(401)

    const none = await api(client, school, 'admin', 'get', '/exports/not-an-id')
    none.assertStatus(404)
    assert.equal(none.body().error.code, 'ERR_EXPORT_NOT_FOUND')

    const count = await tenantContext.run(school.tenant, () =>
      withTenantDb((trx) =>
        trx
          .from('report_exports')
          .where('requested_by', `user:${school.users.teacher}`)
          .count('* as n')
      )
    )
    assert.equal(Number(count[0].n), 0)
  })

  test('two runs of the same export (a retry racing a stalled worker) write one file', async ({
    client,
    assert,
  }) => {
    await ready(client)
    const outcome = await tenantContext.run(school.tenant, async () => {
      const principal = await principalForRoles('user', school.users.staff, ['Staff'])
      const row = await createExport({ resource: 'erp.guardians', format: 'csv' }, principal)
      const runs = await Promise.all([runExport(row.id), runExport(row.id)])
      const files = await withTenantDb((trx) =>
        trx
          .from('files')
          .where('uploaded_by', `user:${school.users.staff}`)
          .where('name', 'like', 'erp-guardians-%')
          .count('* as n')
      )
      return { runs, files: Number(files[0].n), id: row.id }
    })
    assert.equal(outcome.files, 1)
    const status = await api(client, school, 'staff', 'get', `/exports/${outcome.id}`)
    assert.equal(status.body().data.status, 'completed')
    assert.equal(status.body().data.row_count, 1)
  })
})
