import { test } from '@japa/runner'
import { createOryneClient, type OryneClient } from '@oryne/client'
import { createUser, PASSWORD } from '#tests/support/auth'
import { activeTenant } from '#tests/support/tenants'

/*
 * A school day through @oryne/client alone (packages/client, generated from
 * the OpenAPI document): an admin sets up a class and a course, a teacher
 * posts an assignment, a student submits, the teacher grades and releases, the
 * student reads the grade. Every call is typed by the document: a path, body
 * or answer it does not describe does not compile (npm run typecheck), and
 * the conformance check compares each answer with it at run time.
 */

/** The `data` of a successful answer, or a failure naming the error the API gave. */
function dataOf<T>(result: { data?: { data?: T }; error?: unknown; response: Response }): T {
  if (!result.response.ok || result.data?.data === undefined)
    throw new Error(`${result.response.status} ${JSON.stringify(result.error)}`)
  return result.data.data
}

test.group('The typed client', () => {
  test('a school day: admin sets up, teacher assigns, student submits, teacher grades', async ({
    assert,
  }) => {
    const tenant = await activeTenant()
    const adminEmail = `head@${tenant.slug}.example`
    await createUser(tenant, { email: adminEmail, role: 'TenantAdmin' })
    const baseUrl = `http://${process.env.HOST}:${process.env.PORT}`
    const clientFor = () => createOryneClient({ baseUrl, tenant: tenant.slug })
    const signIn = async (client: OryneClient, email: string) => {
      const answer = dataOf(
        await client.POST('/api/v1/auth/login', { body: { email, password: PASSWORD } })
      )
      // Without MFA the answer is the token pair (with it, an MFA challenge to complete).
      if (!('access_token' in answer)) throw new Error(`${email} was asked for an MFA code`)
      client.signIn(answer.access_token)
      return client
    }

    // The admin turns the LMS on (with the ERP it needs) and creates the teacher's and student's accounts.
    const admin = await signIn(clientFor(), adminEmail)
    dataOf(
      await admin.POST('/api/v1/admin/plugins/{name}/enable', {
        params: { path: { name: 'lms' } },
        body: { with_dependencies: true },
      })
    )
    const account = async (email: string, role: string) =>
      dataOf(
        await admin.POST('/api/v1/admin/users', {
          body: { email, roles: [role], password: PASSWORD },
        })
      )
    const teacherUser = await account(`ada@${tenant.slug}.example`, 'Teacher')
    const studentUser = await account(`sam@${tenant.slug}.example`, 'Student')

    const grade9 = dataOf(
      await admin.POST('/api/v1/erp/classes', { body: { name: 'Grade 9', grade_level: 9 } })
    )
    const section = dataOf(
      await admin.POST('/api/v1/erp/sections', { body: { class_id: grade9.id, name: 'A' } })
    )
    const teacher = dataOf(
      await admin.POST('/api/v1/erp/teachers', {
        body: { employee_no: 'T-1', name: 'Ada Teacher', user_id: teacherUser.id },
      })
    )
    dataOf(
      await admin.POST('/api/v1/erp/students', {
        body: {
          enrollment_no: 'E-001',
          first_name: 'Sam',
          last_name: 'Student',
          class_id: grade9.id,
          section_id: section.id,
          user_id: studentUser.id,
        },
      })
    )
    const course = dataOf(
      await admin.POST('/api/v1/lms/courses', {
        body: { code: 'MATH9', title: 'Mathematics 9', teacher_id: teacher.id, status: 'active' },
      })
    )

    // The teacher enrols the section and posts an assignment.
    const ada = await signIn(clientFor(), `ada@${tenant.slug}.example`)
    dataOf(
      await ada.POST('/api/v1/lms/courses/{id}/enrol-section', {
        params: { path: { id: String(course.id) } },
        body: { section_id: String(section.id) },
      })
    )
    const assignment = dataOf(
      await ada.POST('/api/v1/lms/assignments', {
        body: {
          course_id: course.id,
          title: 'Quadratics',
          max_points: 10,
          due_at: new Date(Date.now() + 48 * 3_600_000).toISOString(),
          status: 'published',
        },
      })
    )

    // The student hands in; the teacher grades and releases; the student reads the grade.
    const sam = await signIn(clientFor(), `sam@${tenant.slug}.example`)
    const submission = dataOf(
      await sam.POST('/api/v1/lms/assignments/{id}/submissions', {
        params: { path: { id: String(assignment.id) } },
        body: { text: 'x = 2 or x = 3', submit: true },
      })
    )
    assert.equal(submission.status, 'submitted')

    const graded = dataOf(
      await ada.POST('/api/v1/lms/submissions/{id}/grade', {
        params: { path: { id: String(submission.id) } },
        body: { points: 9, feedback: 'Well argued' },
      })
    )
    assert.equal(graded.points, '9.00')
    assert.equal(String(graded.submission_id), String(submission.id))
    dataOf(
      await ada.POST('/api/v1/lms/assignments/{id}/release', {
        params: { path: { id: String(assignment.id) } },
      })
    )

    const grades = dataOf(await sam.GET('/api/v1/lms/grades'))
    assert.lengthOf(grades, 1)
    assert.equal(grades[0].final_points, '9.00')

    // A refusal comes back typed as the documented error.
    const refused = await sam.POST('/api/v1/lms/submissions/{id}/grade', {
      params: { path: { id: String(submission.id) } },
      body: { points: 10 },
    })
    assert.equal(refused.response.status, 403)
    assert.equal(refused.error?.error?.code, 'ERR_FORBIDDEN')
  })
})
