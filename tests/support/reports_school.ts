import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiClient } from '@japa/api-client'
import type { Tenant } from '#core/tenancy/types'
import { PASSWORD, createUser } from '#tests/support/auth'
import { PLATFORM_TOKEN, activeTenant } from '#tests/support/tenants'

/*
 * A small school for the reports suites (exports, documents, dashboards,
 * scheduled reports): ERP and LMS enabled, people of every role signed in,
 * one class with three students, a Parent guardian of the first.
 */

export const PEOPLE = {
  admin: 'TenantAdmin',
  staff: 'Staff',
  teacher: 'Teacher',
  student: 'Student',
  student2: 'Student',
  parent: 'Parent',
} as const
export type Who = keyof typeof PEOPLE

export type School = {
  tenant: Tenant
  tokens: Record<Who, string>
  users: Record<Who, string>
  classId: string
  sectionId: string
  /** s1 is `student`'s profile (guardian: `parent`), s2 is `student2`'s, s3 has no account. */
  students: { s1: string; s2: string; s3: string }
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** A request to /api/v1<path> of the school's tenant as `who`. */
export function api(client: ApiClient, school: School, who: Who, method: Method, path: string) {
  return client[method](`/api/v1${path}`)
    .header('x-tenant-id', school.tenant.slug)
    .bearerToken(school.tokens[who])
}

export async function created(request: Promise<any> | any) {
  const response = await request
  response.assertStatus(201)
  return response.body().data
}

/** Fetches a URL of the running server as bytes (signed downloads, PDFs). */
export async function fetchBytes(path: string, headers: Record<string, string> = {}) {
  // Signed links are absolute (docs/api.md, "Signed links"); other addresses are paths of this server.
  const url = /^https?:\/\//.test(path)
    ? path
    : `http://${process.env.HOST}:${process.env.PORT}${path}`
  const response = await fetch(url, { headers })
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  }
}

/** Polls until `check` answers something truthy (jobs run in the worker started by the test). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  ms = 15_000
) {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error('gave up waiting')
    await sleep(50)
  }
}

export async function openSchool(
  client: ApiClient,
  options: { settings?: Record<string, unknown>; plugins?: string[] } = {}
): Promise<School> {
  const tenant = await activeTenant()
  for (const plugin of options.plugins ?? ['erp', 'lms']) {
    const enabled = await client
      .post(`/api/v1/platform/tenants/${tenant.slug}/plugins/${plugin}/enable`)
      .bearerToken(PLATFORM_TOKEN())
      .json({})
    enabled.assertStatus(200)
  }
  if (options.settings) {
    const changed = await client
      .patch(`/api/v1/platform/tenants/${tenant.slug}`)
      .bearerToken(PLATFORM_TOKEN())
      .json({ settings: options.settings })
    changed.assertStatus(200)
    Object.assign(tenant, { settings: { ...tenant.settings, ...options.settings } })
  }
  const tokens = {} as Record<Who, string>
  const users = {} as Record<Who, string>
  for (const [who, role] of Object.entries(PEOPLE) as Array<[Who, string]>) {
    const email = `${who}.reports@${tenant.slug}.example`
    const { user } = await createUser(tenant, { email, role })
    users[who] = user.id
    const login = await client
      .post('/api/v1/auth/login')
      .header('x-tenant-id', tenant.slug)
      .json({ email, password: PASSWORD })
    login.assertStatus(200)
    tokens[who] = login.body().data.access_token
  }
  const partial = { tenant, tokens, users } as School
  const erp = (path: string) => api(client, partial, 'admin', 'post', `/erp${path}`)
  const grade = await created(erp('/classes').json({ name: 'Grade 7', grade_level: 7 }))
  const section = await created(erp('/sections').json({ class_id: grade.id, name: 'Blue' }))
  const student = (no: string, first: string, last: string, userId: string | null) =>
    created(
      erp('/students').json({
        enrollment_no: no,
        first_name: first,
        last_name: last,
        date_of_birth: '2013-04-02',
        class_id: grade.id,
        section_id: section.id,
        user_id: userId,
      })
    )
  const s1 = await student('S-001', 'Amara', 'Okafor', users.student)
  const s2 = await student('S-002', 'Björn', 'Lindqvist', users.student2)
  const s3 = await student('S-003', 'Chen', 'Wei', null)
  await created(
    erp('/guardians').json({ student_id: s1.id, user_id: users.parent, name: 'Ngozi Okafor' })
  )
  return {
    ...partial,
    classId: grade.id,
    sectionId: section.id,
    students: { s1: s1.id, s2: s2.id, s3: s3.id },
  }
}
