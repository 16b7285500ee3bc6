import { test } from '@japa/runner'
import { openSchool } from '@oryne/sdk/testing'

/*
 * What the AI learns from ERP and LMS records it reads through their exported
 * services: a student's classmates are their first peers, and a guardian or a
 * teacher may see the recommendations of their child or student (and nobody
 * else's), as the ERP guardian links and LMS enrolments say.
 */

test.group('AI: school records', () => {
  test("a student's classmates are their first peers; guardians and teachers see their children's and students' recommendations", async ({
    client,
    assert,
  }) => {
    const school = await openSchool(client, {
      plugins: ['ai'],
      people: {
        head: 'TenantAdmin',
        teacher: 'Teacher',
        parent: 'Parent',
        kid: 'Student',
        mate: 'Student',
        stranger: 'Student',
      },
    })
    const head = async (path: string, body: object) => {
      const response = await school.as('head').post(path).json(body)
      response.assertStatus(201)
      return response.body().data
    }
    const books = (who: 'kid' | 'parent' | 'teacher', userId?: string) =>
      school
        .as(who)
        .get(`/ai/recommendations?type=books&limit=5${userId ? `&user_id=${userId}` : ''}`)

    const grade = await head('/erp/classes', { name: 'Grade 8', grade_level: 8 })
    const kid = await head('/erp/students', {
      enrollment_no: 'K-1',
      first_name: 'Kim',
      last_name: 'Pupil',
      class_id: grade.id,
      user_id: school.people.kid.id,
    })
    await head('/erp/students', {
      enrollment_no: 'K-2',
      first_name: 'Max',
      last_name: 'Mate',
      class_id: grade.id,
      user_id: school.people.mate.id,
    })
    // The stranger holds the kid's role but is in no class with them.
    await head('/ai/interactions', {
      interactions: [
        { user_id: school.people.mate.id, item_type: 'books', item_id: 'B-7' },
        { user_id: school.people.stranger.id, item_type: 'books', item_id: 'B-2' },
      ],
    })
    const own = await books('kid')
    own.assertStatus(200)
    assert.equal(own.body().data.strategy, 'popularity')
    // The classmate's pick first; the rest of the five from wider groups (the whole school).
    assert.deepEqual(
      own.body().data.items.map((item: { item_id: string }) => item.item_id),
      ['B-7', 'B-2']
    )

    // Neither the parent nor the teacher is linked to the kid yet.
    for (const who of ['parent', 'teacher'] as const) {
      const before = await books(who, school.people.kid.id)
      before.assertStatus(404)
      assert.equal(before.body().error.code, 'ERR_AI_NOT_FOUND')
    }
    await head('/erp/guardians', {
      student_id: kid.id,
      user_id: school.people.parent.id,
      name: 'Pat',
    })
    const teacher = await head('/erp/teachers', {
      employee_no: 'T-1',
      name: 'Tess Teacher',
      user_id: school.people.teacher.id,
    })
    const course = await head('/lms/courses', {
      code: 'LIT',
      title: 'Literature',
      status: 'active',
      teacher_id: teacher.id,
    })
    await head('/lms/enrolments', { course_id: course.id, student_id: kid.id })
    for (const who of ['parent', 'teacher'] as const) {
      const after = await books(who, school.people.kid.id)
      after.assertStatus(200)
      // The kid's own picks, as the kid gets them.
      assert.deepEqual(
        after.body().data.items.map((item: { item_id: string }) => item.item_id),
        ['B-7', 'B-2']
      )
      // The link reaches the kid only, not another student of the same role.
      const other = await books(who, school.people.stranger.id)
      other.assertStatus(404)
    }
  })
})
