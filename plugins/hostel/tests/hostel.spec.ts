import { test } from '@japa/runner'
import { calendarEntries } from '@oryne/sdk'
import {
  created,
  errorCode,
  openSchool,
  seedDemo,
  sharedSchool,
  tenantApi,
  type Person,
  type School,
} from '@oryne/sdk/testing'

/*
 * The hostel plugin end to end through HTTP, each workflow as the role that
 * performs it: a TenantAdmin sets up the school in the ERP, the hostel office
 * (Staff) runs hostels, rooms and allocations, Students and Parents ask and
 * see their own, a Teacher lives in the staff quarters. Every test builds the
 * rooms it needs, so tests do not depend on each other's order.
 */

type Who = 'head' | 'office' | 'teacher' | 'student' | 'student2' | 'girl' | 'parent'

type HostelSchool = School<Who> & {
  /** ERP ids */
  classId: string
  s1: string
  s2: string
  girlId: string
  termId: string
}

type Method = 'get' | 'post' | 'patch' | 'delete'

function call(school: HostelSchool, who: Who | Person, method: Method, path: string) {
  return school.as(who)[method](path)
}

/** Requests to /api/v1/hostel<path> (and /erp) as `who`. */
function as(school: School<Who>, who: Who | Person) {
  const api = school.as(who)
  return {
    get: (path: string) => api.get(`/hostel${path}`),
    post: (path: string) => api.post(`/hostel${path}`),
    patch: (path: string) => api.patch(`/hostel${path}`),
    erp: (method: Method, path: string) => api[method](`/erp${path}`),
  }
}

let counter = 0
/** A name no other test uses. */
const unique = (prefix: string) => `${prefix} ${++counter}`

/** A tenant with ERP and hostel enabled, its people signed in, students, a guardian and a term. */
const schoolFor = sharedSchool(
  {
    plugins: ['hostel'],
    people: {
      head: 'TenantAdmin',
      office: 'Staff',
      teacher: 'Teacher',
      student: 'Student',
      student2: 'Student',
      girl: 'Student',
      parent: 'Parent',
    },
  },
  async (school: School<Who>) => {
    const head = as(school, 'head')
    const grade = await created(
      head.erp('post', '/classes').json({ name: 'Grade 8', grade_level: 8 })
    )
    const student = (no: string, gender: string, userId: string | null) =>
      created(
        head.erp('post', '/students').json({
          enrollment_no: no,
          first_name: 'Pupil',
          last_name: no,
          gender,
          class_id: grade.id,
          user_id: userId,
        })
      )
    const s1 = await student('H-001', 'male', school.people.student.id)
    const s2 = await student('H-002', 'male', school.people.student2.id)
    const girl = await student('H-003', 'female', school.people.girl.id)
    await created(
      head
        .erp('post', '/guardians')
        .json({ student_id: s1.id, user_id: school.people.parent.id, name: 'Pat' })
    )
    const year = await created(
      head.erp('post', '/academic_years').json({
        name: '2026-27',
        starts_on: '2026-08-01',
        ends_on: '2027-06-30',
        current: true,
      })
    )
    const term = await created(
      head.erp('post', '/terms').json({
        academic_year_id: year.id,
        name: 'Term 1',
        starts_on: '2026-08-01',
        ends_on: '2026-12-20',
      })
    )
    return {
      classId: grade.id,
      s1: s1.id,
      s2: s2.id,
      girlId: girl.id,
      termId: term.id,
    } as Omit<HostelSchool, keyof School<Who>>
  }
)

/** Active students, registered in the ERP by the head (bulk setup for the concurrency tests). */
async function bulkStudents(
  school: HostelSchool,
  count: number,
  gender = 'male'
): Promise<string[]> {
  const prefix = unique('B').replace(' ', '')
  const rows = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      created(
        as(school, 'head')
          .erp('post', '/students')
          .json({
            enrollment_no: `${prefix}-${i}`,
            first_name: 'Bulk',
            last_name: String(i),
            gender,
          })
      )
    )
  )
  // In the order the ERP numbered them, as tests pair them with rooms or stops by position.
  return rows.map((row: any) => String(row.id)).sort((a, b) => Number(a) - Number(b))
}

/** A hostel of `type` with one block and rooms of the given capacities, made by the office. */
async function newHostel(school: HostelSchool, type: string, capacities: number[], rent = 50_000) {
  const office = as(school, 'office')
  const hostel = await created(office.post('/hostels').json({ name: unique('Hostel'), type }))
  const block = await created(office.post('/blocks').json({ hostel_id: hostel.id, name: 'A' }))
  const rooms = []
  for (const [i, capacity] of capacities.entries()) {
    rooms.push(
      await created(
        office.post('/rooms').json({
          block_id: block.id,
          number: `${101 + i}`,
          capacity,
          rent_per_term: rent,
          facilities: ['wifi', 'desk'],
        })
      )
    )
  }
  return { hostel, block, rooms }
}

async function allocate(school: HostelSchool, body: Record<string, unknown>) {
  return as(school, 'office').post('/allocations').json(body)
}

async function room(school: HostelSchool, id: string) {
  const response = await as(school, 'office').get(`/rooms/${id}`)
  response.assertStatus(200)
  return response.body().data
}

test.group('Hostel: setup and permissions', () => {
  test('the office builds hostels, blocks and rooms; a student may not; bad input writes nothing', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { hostel, rooms } = await newHostel(school, 'boys', [2])
    assert.equal(rooms[0].hostel_id, hostel.id)
    assert.equal(rooms[0].occupied, 0)
    assert.deepEqual(rooms[0].facilities, ['wifi', 'desk'])

    const student = await as(school, 'student')
      .post('/hostels')
      .json({ name: 'Mine', type: 'boys' })
    student.assertStatus(403)
    assert.equal(errorCode(student), 'ERR_FORBIDDEN')

    const badType = await as(school, 'office')
      .post('/hostels')
      .json({ name: 'Odd', type: 'castle' })
    badType.assertStatus(400)
    assert.equal(errorCode(badType), 'ERR_VALIDATION')
    const badRoom = await as(school, 'office')
      .post('/rooms')
      .json({ block_id: rooms[0].block_id, number: '999', capacity: 0, rent_per_term: -5 })
    badRoom.assertStatus(400)
    const listed = await as(school, 'office').get(
      `/rooms?filter[block_id][eq]=${rooms[0].block_id}`
    )
    assert.deepEqual(
      listed.body().data.map((r: any) => r.number),
      ['101']
    )
    const occupiedBySender = await as(school, 'office')
      .post('/rooms')
      .json({ block_id: rooms[0].block_id, number: '102', capacity: 2, occupied: 2 })
    occupiedBySender.assertStatus(400)
  })

  test('workflow routes need the office permission; junk ids are 404, junk bodies 400', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { rooms } = await newHostel(school, 'boys', [2])
    const byStudent = await as(school, 'student')
      .post('/allocations')
      .json({ room_id: rooms[0].id, student_id: school.s1 })
    byStudent.assertStatus(403)
    const byParent = await as(school, 'parent').post('/fees/generate').json({
      term_id: school.termId,
    })
    byParent.assertStatus(403)

    const junkId = await as(school, 'office').post('/allocations/1%20OR%201=1/vacate').json({})
    junkId.assertStatus(404)
    assert.equal(errorCode(junkId), 'ERR_HOSTEL_NOT_FOUND')
    const missing = await as(school, 'office').post('/allocations/999999/vacate').json({})
    missing.assertStatus(404)

    for (const body of [
      {},
      { room_id: 'abc', student_id: school.s1 },
      { room_id: rooms[0].id },
      { room_id: rooms[0].id, student_id: school.s1, user_id: school.people.teacher.id },
      { room_id: rooms[0].id, student_id: '999999' },
      { room_id: rooms[0].id, student_id: school.s1, starts_on: '2026-13-45' },
    ]) {
      const response = await allocate(school, body)
      response.assertStatus(400)
      assert.equal(errorCode(response), 'ERR_VALIDATION')
    }
    assert.equal((await room(school, rooms[0].id)).occupied, 0)
    const none = await as(school, 'office').get(`/allocations?filter[room_id][eq]=${rooms[0].id}`)
    assert.lengthOf(none.body().data, 0)
  })
})

test.group('Hostel: requests and allocations', () => {
  test('a student asks for a bed, the office approves it into a room', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { hostel, rooms } = await newHostel(school, 'boys', [2])
    // The student asks for themselves whatever the body names.
    const request = await created(
      as(school, 'student')
        .post('/allocation_requests')
        .json({ hostel_id: hostel.id, student_id: school.s2, note: 'Near the stairs' })
    )
    assert.equal(String(request.student_id), school.s1)
    assert.equal(request.status, 'pending')

    const again = await as(school, 'student')
      .post('/allocation_requests')
      .json({ hostel_id: hostel.id })
    again.assertStatus(409)
    assert.equal(errorCode(again), 'ERR_HOSTEL_REQUEST_PENDING')

    const approved = await as(school, 'office')
      .post(`/allocation_requests/${request.id}/approve`)
      .json({ room_id: rooms[0].id })
    approved.assertStatus(201)
    const { allocation } = approved.body().data
    assert.equal(approved.header('location'), `/api/v1/hostel/allocations/${allocation.id}`)
    assert.equal(approved.body().data.request.status, 'approved')
    assert.equal(String(allocation.student_id), school.s1)
    assert.equal(allocation.status, 'active')
    assert.equal((await room(school, rooms[0].id)).occupied, 1)

    const twice = await as(school, 'office')
      .post(`/allocation_requests/${request.id}/approve`)
      .json({ room_id: rooms[0].id })
    twice.assertStatus(409)
    assert.equal(errorCode(twice), 'ERR_HOSTEL_INVALID_TRANSITION')

    const housed = await as(school, 'student')
      .post('/allocation_requests')
      .json({ hostel_id: hostel.id })
    housed.assertStatus(409)
    assert.equal(errorCode(housed), 'ERR_HOSTEL_ALREADY_ALLOCATED')

    const direct = await allocate(school, { room_id: rooms[0].id, student_id: school.s1 })
    direct.assertStatus(409)
    assert.equal(errorCode(direct), 'ERR_HOSTEL_ALREADY_ALLOCATED')

    // Vacating frees the bed, and a vacated stay cannot be vacated again.
    const vacated = await as(school, 'office')
      .post(`/allocations/${allocation.id}/vacate`)
      .json({ ended_on: '2026-12-20' })
    vacated.assertStatus(200)
    assert.equal(vacated.body().data.status, 'vacated')
    assert.equal((await room(school, rooms[0].id)).occupied, 0)
    const again2 = await as(school, 'office').post(`/allocations/${allocation.id}/vacate`).json({})
    again2.assertStatus(409)
    assert.equal(errorCode(again2), 'ERR_HOSTEL_INVALID_TRANSITION')
  })

  test('a rejected request stays rejected; hostel types are enforced', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const boys = await newHostel(school, 'boys', [2])
    const staff = await newHostel(school, 'staff', [1], 0)
    const request = await created(
      as(school, 'parent')
        .post('/allocation_requests')
        .json({ hostel_id: boys.hostel.id, student_id: school.s1 })
    )
    // A parent asks only for their own children.
    const notMine = await as(school, 'parent')
      .post('/allocation_requests')
      .json({ hostel_id: boys.hostel.id, student_id: school.s2 })
    notMine.assertStatus(403)

    const rejected = await as(school, 'office')
      .post(`/allocation_requests/${request.id}/reject`)
      .json({ note: 'No beds this term' })
    rejected.assertStatus(200)
    assert.equal(rejected.body().data.status, 'rejected')
    const approveRejected = await as(school, 'office')
      .post(`/allocation_requests/${request.id}/approve`)
      .json({ room_id: boys.rooms[0].id })
    assert.equal(errorCode(approveRejected), 'ERR_HOSTEL_INVALID_TRANSITION')

    const girlInBoys = await allocate(school, {
      room_id: boys.rooms[0].id,
      student_id: school.girlId,
    })
    girlInBoys.assertStatus(422)
    assert.equal(errorCode(girlInBoys), 'ERR_HOSTEL_TYPE_MISMATCH')
    const studentInStaff = await allocate(school, {
      room_id: staff.rooms[0].id,
      student_id: school.s2,
    })
    assert.equal(errorCode(studentInStaff), 'ERR_HOSTEL_TYPE_MISMATCH')

    // A teacher asks for a staff bed for themselves and gets it.
    const own = await created(
      as(school, 'teacher').post('/allocation_requests').json({ hostel_id: staff.hostel.id })
    )
    assert.equal(own.user_id, school.people.teacher.id)
    const approved = await as(school, 'office')
      .post(`/allocation_requests/${own.id}/approve`)
      .json({ room_id: staff.rooms[0].id })
    approved.assertStatus(201)
    const teacherSees = await as(school, 'teacher').get('/allocations')
    assert.deepEqual(
      teacherSees.body().data.map((a: any) => a.user_id),
      [school.people.teacher.id]
    )
    const offline = await as(school, 'office')
      .patch(`/rooms/${boys.rooms[0].id}`)
      .json({ status: 'maintenance' })
    offline.assertStatus(200)
    const intoOffline = await allocate(school, {
      room_id: boys.rooms[0].id,
      student_id: school.s2,
    })
    assert.equal(errorCode(intoOffline), 'ERR_HOSTEL_ROOM_UNAVAILABLE')
  })

  test('transfers move a resident, keep the history and respect capacity', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { rooms } = await newHostel(school, 'mixed', [2, 1])
    const ids = await bulkStudents(school, 3)
    const first = await created(allocate(school, { room_id: rooms[0].id, student_id: ids[0] }))
    await created(allocate(school, { room_id: rooms[1].id, student_id: ids[1] }))

    const full = await as(school, 'office')
      .post(`/allocations/${first.id}/transfer`)
      .json({ room_id: rooms[1].id })
    full.assertStatus(409)
    assert.equal(errorCode(full), 'ERR_HOSTEL_ROOM_FULL')
    const same = await as(school, 'office')
      .post(`/allocations/${first.id}/transfer`)
      .json({ room_id: rooms[0].id })
    assert.equal(errorCode(same), 'ERR_HOSTEL_SAME_ROOM')

    const shrink = await as(school, 'office').patch(`/rooms/${rooms[1].id}`).json({
      capacity: 2,
    })
    shrink.assertStatus(200)
    const moved = await as(school, 'office')
      .post(`/allocations/${first.id}/transfer`)
      .json({ room_id: rooms[1].id, reason: 'Closer to the lab' })
    moved.assertStatus(201)
    const { allocation, transfer } = moved.body().data
    assert.equal(moved.header('location'), `/api/v1/hostel/allocations/${allocation.id}`)
    assert.equal(allocation.previous_id, first.id)
    assert.equal(String(allocation.room_id), String(rooms[1].id))
    assert.equal(transfer.reason, 'Closer to the lab')
    assert.equal((await room(school, rooms[0].id)).occupied, 0)
    assert.equal((await room(school, rooms[1].id)).occupied, 2)
    const old = await as(school, 'office').get(`/allocations/${first.id}`)
    assert.equal(old.body().data.status, 'transferred')
    const history = await as(school, 'office').get(`/transfers?filter[student_id][eq]=${ids[0]}`)
    assert.deepEqual(
      history.body().data.map((t: any) => [String(t.from_room_id), String(t.to_room_id)]),
      [[String(rooms[0].id), String(rooms[1].id)]]
    )
    const shrinkBelow = await as(school, 'office')
      .patch(`/rooms/${rooms[1].id}`)
      .json({ capacity: 1 })
    shrinkBelow.assertStatus(409)
    assert.equal(errorCode(shrinkBelow), 'ERR_HOSTEL_CAPACITY_BELOW_OCCUPANCY')
    assert.equal((await room(school, rooms[1].id)).capacity, 2)
  })
})

test.group('Hostel: concurrency', () => {
  test('50 concurrent allocations to a 4-bed room: exactly 4 succeed', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { rooms } = await newHostel(school, 'boys', [4])
    const ids = await bulkStudents(school, 50)
    const responses = await Promise.all(
      ids.map((id) => allocate(school, { room_id: rooms[0].id, student_id: id }))
    )
    const statuses = responses.map((r) => r.status())
    assert.equal(statuses.filter((s) => s === 201).length, 4)
    assert.equal(statuses.filter((s) => s === 409).length, 46)
    assert.isTrue(
      responses
        .filter((r) => r.status() === 409)
        .every((r) => errorCode(r) === 'ERR_HOSTEL_ROOM_FULL')
    )
    assert.equal((await room(school, rooms[0].id)).occupied, 4)
    const stays = await as(school, 'office').get(
      `/allocations?filter[room_id][eq]=${rooms[0].id}&filter[status][eq]=active`
    )
    assert.lengthOf(stays.body().data, 4)
  })

  test('one student allocated concurrently to ten rooms gets exactly one bed', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { rooms } = await newHostel(school, 'boys', Array(10).fill(2))
    const [id] = await bulkStudents(school, 1)
    const responses = await Promise.all(
      rooms.map((r) => allocate(school, { room_id: r.id, student_id: id }))
    )
    assert.equal(responses.filter((r) => r.status() === 201).length, 1)
    assert.isTrue(
      responses
        .filter((r) => r.status() !== 201)
        .every((r) => errorCode(r) === 'ERR_HOSTEL_ALREADY_ALLOCATED')
    )
    let beds = 0
    for (const r of rooms) beds += (await room(school, r.id)).occupied
    assert.equal(beds, 1)
  })
})

test.group('Hostel: what residents see', () => {
  test('a student sees only their own stay and room, a parent their child’s', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { rooms } = await newHostel(school, 'boys', [2, 2])
    await created(allocate(school, { room_id: rooms[0].id, student_id: school.s1 }))
    await created(allocate(school, { room_id: rooms[1].id, student_id: school.s2 }))

    const mine = await as(school, 'student').get('/allocations?filter[status][eq]=active')
    assert.deepEqual(
      mine.body().data.map((a: any) => String(a.student_id)),
      [school.s1]
    )
    const myRooms = await as(school, 'student').get('/rooms')
    assert.deepEqual(
      myRooms.body().data.map((r: any) => String(r.id)),
      [String(rooms[0].id)]
    )
    const otherRoom = await as(school, 'student').get(`/rooms/${rooms[1].id}`)
    otherRoom.assertStatus(404)
    const parentRooms = await as(school, 'parent').get('/rooms')
    assert.deepEqual(
      parentRooms.body().data.map((r: any) => String(r.id)),
      [String(rooms[0].id)]
    )
    const parentStays = await as(school, 'parent').get('/allocations')
    assert.isTrue(parentStays.body().data.every((a: any) => String(a.student_id) === school.s1))
    const s2Stays = await as(school, 'student2').get('/allocations?filter[status][eq]=active')
    assert.deepEqual(
      s2Stays.body().data.map((a: any) => String(a.student_id)),
      [school.s2]
    )
    const girl = await as(school, 'girl').get('/rooms')
    assert.lengthOf(girl.body().data, 0)

    // Clean up for the tests that follow: both leave.
    for (const stay of [...mine.body().data, ...s2Stays.body().data]) {
      await as(school, 'office').post(`/allocations/${stay.id}/vacate`).json({})
    }
  })
})

test.group('Hostel: fees', () => {
  test('term rent lands as ERP invoices, once per student however often it runs', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { rooms } = await newHostel(school, 'mixed', [3, 1], 42_500)
    const ids = await bulkStudents(school, 3)
    for (const id of ids.slice(0, 2)) {
      await created(allocate(school, { room_id: rooms[0].id, student_id: id }))
    }
    await created(allocate(school, { room_id: rooms[1].id, user_id: school.people.office.id }))
    const year = await created(
      as(school, 'head')
        .erp('post', '/academic_years')
        .json({
          name: unique('Year'),
          starts_on: '2027-01-01',
          ends_on: '2027-12-31',
        })
    )
    const term = await created(
      as(school, 'head').erp('post', '/terms').json({
        academic_year_id: year.id,
        name: 'Spring',
        starts_on: '2027-01-05',
        ends_on: '2027-04-30',
      })
    )

    // Two runs at once, then a third: the students are billed once.
    const runs = await Promise.all(
      [1, 2].map(() =>
        as(school, 'office').post('/fees/generate').json({ term_id: term.id, due_on: '2027-01-31' })
      )
    )
    for (const run of runs) run.assertStatus(200)
    // Earlier tests leave residents of their own: whoever was billed, was billed by one run.
    const total = runs[0].body().data.invoiced + runs[1].body().data.invoiced
    const allCharges = await as(school, 'office').get(
      `/term_charges?filter[term_id][eq]=${term.id}&per_page=100`
    )
    assert.lengthOf(allCharges.body().data, total)
    assert.isAtLeast(total, 2)
    const listInvoices = () =>
      as(school, 'head').erp(
        'get',
        `/invoices?filter[source][eq]=hostel&filter[student_id][in]=${ids.join(',')}&per_page=100`
      )
    const first = await listInvoices()
    first.assertStatus(200)
    const invoices = first.body().data
    assert.sameMembers(
      invoices.map((i: any) => String(i.student_id)),
      ids.slice(0, 2)
    )
    for (const invoice of invoices) {
      assert.equal(Number(invoice.amount), 42_500)
      assert.equal(invoice.due_on, '2027-01-31')
      assert.equal(invoice.status, 'open')
    }
    const third = await as(school, 'office').post('/fees/generate').json({ term_id: term.id })
    third.assertStatus(200)
    assert.equal(third.body().data.invoiced, 0)
    assert.isAtLeast(third.body().data.already_billed, 2)
    assert.isAtLeast(third.body().data.staff_not_billed, 1)
    assert.lengthOf((await listInvoices()).body().data, 2)

    const lines = await as(school, 'head').erp(
      'get',
      `/invoice_lines?filter[invoice_id][eq]=${invoices[0].id}`
    )
    assert.match(lines.body().data[0].description, /^Hostel rent Spring: /)

    // A resident who arrives later is billed by the next run, and only them.
    await created(allocate(school, { room_id: rooms[0].id, student_id: ids[2] }))
    const later = await as(school, 'office').post('/fees/generate').json({ term_id: term.id })
    assert.equal(later.body().data.invoiced, 1)
    assert.lengthOf((await listInvoices()).body().data, 3)
    // Each run is audited against the term, with what it billed; the latest first.
    const audit = await call(
      school,
      'head',
      'get',
      `/admin/audit?resource=erp.terms&resource_id=${term.id}&action=hostel.fees.generate`
    )
    audit.assertStatus(200)
    const entries = audit.body().data
    assert.deepEqual(
      entries.map((e: any) => [e.action, e.actor]),
      Array(4).fill(['hostel.fees.generate', `user:${school.people.office.id}`])
    )
    assert.deepEqual(entries[0].data, { invoiced: 1, amount: 42_500 })
    assert.deepEqual(entries[1].data, { invoiced: 0, amount: 0 })

    const charges = await as(school, 'office').get(
      `/term_charges?filter[term_id][eq]=${term.id}&filter[student_id][in]=${ids.join(',')}`
    )
    assert.lengthOf(charges.body().data, 3)
    assert.isTrue(charges.body().data.every((c: any) => c.invoice_id))

    const unknownTerm = await as(school, 'office')
      .post('/fees/generate')
      .json({ term_id: '999999' })
    unknownTerm.assertStatus(422)
    assert.equal(errorCode(unknownTerm), 'ERR_HOSTEL_TERM_NOT_FOUND')
  })
})

test.group('Hostel: leave passes and occupancy', () => {
  test('a resident asks for leave, the office approves it and marks the return', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { rooms } = await newHostel(school, 'boys', [2])
    const stay = await created(allocate(school, { room_id: rooms[0].id, student_id: school.s1 }))
    const leaves = new Date(Date.now() + 3_600_000).toISOString()
    const back = new Date(Date.now() + 2 * 3_600_000).toISOString()

    const backwards = await as(school, 'student').post('/leave_passes').json({
      student_id: school.s1,
      destination: 'Home',
      leaves_at: back,
      returns_by: leaves,
    })
    backwards.assertStatus(400)
    assert.equal(errorCode(backwards), 'ERR_VALIDATION')
    const notResident = await as(school, 'girl').post('/leave_passes').json({
      student_id: school.girlId,
      destination: 'Home',
      leaves_at: leaves,
      returns_by: back,
    })
    notResident.assertStatus(409)
    assert.equal(errorCode(notResident), 'ERR_HOSTEL_NOT_RESIDENT')

    const notTheirChild = await as(school, 'parent').post('/leave_passes').json({
      student_id: school.s2,
      destination: 'Home',
      leaves_at: leaves,
      returns_by: back,
    })
    notTheirChild.assertStatus(403)
    assert.equal(errorCode(notTheirChild), 'ERR_FORBIDDEN')

    const pass = await created(
      as(school, 'student').post('/leave_passes').json({
        student_id: school.s1,
        destination: 'Grandparents',
        leaves_at: leaves,
        returns_by: back,
      })
    )
    assert.equal(pass.status, 'pending')
    assert.equal(String(pass.hostel_id), String(stay.hostel_id))

    const early = await as(school, 'office').post(`/leave_passes/${pass.id}/return`).json({})
    early.assertStatus(409)
    assert.equal(errorCode(early), 'ERR_HOSTEL_INVALID_TRANSITION')
    const byStudent = await as(school, 'student').post(`/leave_passes/${pass.id}/approve`).json({})
    byStudent.assertStatus(403)
    const approved = await as(school, 'office').post(`/leave_passes/${pass.id}/approve`).json({})
    approved.assertStatus(200)
    assert.equal(approved.body().data.status, 'approved')
    // The approved pass is in the calendars of the student and the parent, not of others.
    const window = {
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 86_400_000).toISOString(),
    }
    const calendarOf = (who: Who) =>
      school.run(() => calendarEntries({ userId: school.people[who].id, ...window }))
    for (const who of ['student', 'parent'] as const) {
      const entries = (await calendarOf(who)).filter((e) => e.source === 'hostel')
      assert.deepInclude(
        entries.map((e) => [e.uid, e.kind, e.starts_at]),
        [`hostel:leave-pass-${pass.id}`, 'leave_pass', leaves],
        who
      )
    }
    assert.isFalse(
      (await calendarOf('student2')).some((e) => e.uid === `hostel:leave-pass-${pass.id}`)
    )

    const late = new Date(Date.now() + 3 * 3_600_000).toISOString()
    const returned = await as(school, 'office')
      .post(`/leave_passes/${pass.id}/return`)
      .json({ returned_at: late })
    returned.assertStatus(200)
    assert.equal(returned.body().data.status, 'returned')
    assert.isTrue(returned.body().data.late)

    const parentSees = await as(school, 'parent').get('/leave_passes')
    assert.isTrue(parentSees.body().data.some((p: any) => p.id === pass.id))
    const otherSees = await as(school, 'student2').get('/leave_passes')
    assert.isFalse(otherSees.body().data.some((p: any) => p.id === pass.id))

    await as(school, 'office').post(`/allocations/${stay.id}/vacate`).json({})
  })

  test('the occupancy report counts beds, residents and free beds', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const { hostel, rooms } = await newHostel(school, 'mixed', [4, 2, 3])
    const ids = await bulkStudents(school, 3)
    await created(allocate(school, { room_id: rooms[0].id, student_id: ids[0] }))
    await created(allocate(school, { room_id: rooms[0].id, student_id: ids[1] }))
    await created(allocate(school, { room_id: rooms[1].id, student_id: ids[2] }))
    await as(school, 'office').patch(`/rooms/${rooms[2].id}`).json({ status: 'closed' })

    const report = await as(school, 'office').get(`/reports/occupancy?hostel_id=${hostel.id}`)
    report.assertStatus(200)
    const [entry] = report.body().data.hostels
    assert.deepInclude(entry, {
      hostel_id: String(hostel.id),
      rooms: 2,
      beds: 6,
      occupied: 3,
      free: 3,
      offline_beds: 3,
      occupancy_percent: 50,
    })
    assert.deepEqual(
      report.body().data.rooms.map((r: any) => [r.number, r.occupied, r.free]),
      [
        ['101', 2, 2],
        ['102', 1, 1],
        ['103', 0, 0],
      ]
    )
    const denied = await as(school, 'student').get('/reports/occupancy')
    denied.assertStatus(403)
  })

  test('another tenant sees none of it', async ({ client, assert }) => {
    const school = await schoolFor(client)
    await newHostel(school, 'boys', [1])
    const other = await openSchool(client)
    await other
      .as('platform')
      .post(`/platform/tenants/${other.tenant.slug}/plugins/hostel/enable`, {})
    const foreign = await other.as('platform').get('/hostel/hostels')
    foreign.assertStatus(200)
    assert.lengthOf(foreign.body().data, 0)
    const crossToken = await tenantApi(client, other.tenant, school.people.office.token).get(
      '/hostel/hostels'
    )
    assert.oneOf(crossToken.status(), [401, 403])
  })
})

test.group('Hostel: personal data', () => {
  /** A Student account linked to a new ERP student, as a person asking for their data would be. */
  async function newResident(school: HostelSchool) {
    const no = unique('P').replace(' ', '-')
    const user = await school.addPerson(no.toLowerCase(), 'Student')
    const student = await created(
      as(school, 'head').erp('post', '/students').json({
        enrollment_no: no,
        first_name: 'Pupil',
        last_name: no,
        gender: 'male',
        class_id: school.classId,
        user_id: user.id,
      })
    )
    return { userId: user.id as string, studentId: String(student.id) }
  }

  test('export carries a resident’s own records; erasure keeps stays and charges, drops the rest, and repeats harmlessly', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const office = as(school, 'office')
    const admin = (method: Method, path: string) => call(school, 'head', method, path)
    const { hostel, rooms } = await newHostel(school, 'boys', [2, 2])
    const leaver = await newResident(school)
    const neighbour = await newResident(school)
    const ask = (who: { studentId: string }, note: string) =>
      created(
        office
          .post('/allocation_requests')
          .json({ hostel_id: hostel.id, student_id: who.studentId, note })
      )
    const approve = async (request: { id: string }, roomId: string, note: string) => {
      const approved = await office
        .post(`/allocation_requests/${request.id}/approve`)
        .json({ room_id: roomId, note })
      approved.assertStatus(201)
      return approved.body().data.allocation
    }
    const leaves = new Date(Date.now() + 3_600_000).toISOString()
    const back = new Date(Date.now() + 2 * 3_600_000).toISOString()
    const leavePass = (who: { studentId: string }, destination: string, reason: string) =>
      created(
        office.post('/leave_passes').json({
          student_id: who.studentId,
          destination,
          reason,
          leaves_at: leaves,
          returns_by: back,
        })
      )

    const refusedAsk = await ask(leaver, 'First try')
    ;(
      await office.post(`/allocation_requests/${refusedAsk.id}/reject`).json({ note: 'Full' })
    ).assertStatus(200)
    const asked = await ask(leaver, 'Ground floor please: asthma')
    const firstStay = await approve(asked, rooms[0].id, 'Near the nurse')
    ;(
      await office
        .post(`/allocations/${firstStay.id}/transfer`)
        .json({ room_id: rooms[1].id, reason: 'Asthma: away from the boiler' })
    ).assertStatus(201)
    const neighbourStay = await approve(
      await ask(neighbour, 'Bunk by the window'),
      rooms[0].id,
      'Granted'
    )
    const used = await leavePass(leaver, 'Clinic', 'Asthma check-up')
    ;(await office.post(`/leave_passes/${used.id}/approve`).json({})).assertStatus(200)
    const pending = await leavePass(leaver, 'Home', 'Family wedding')
    const neighbourPass = await leavePass(neighbour, 'Aunt', 'Birthday')
    ;(await office.post('/fees/generate').json({ term_id: school.termId })).assertStatus(200)

    const exported = await admin('get', `/admin/users/${leaver.userId}/export`)
    exported.assertStatus(200)
    const mine = exported.body().data.plugins.hostel
    assert.deepEqual(
      mine.allocations.map((a: any) => [a.hostel, a.room, a.status]),
      [
        [hostel.name, '101', 'transferred'],
        [hostel.name, '102', 'active'],
      ]
    )
    assert.deepEqual(
      mine.allocation_requests.map((r: any) => [r.id, r.status, r.note, r.decision_note]),
      [
        [refusedAsk.id, 'rejected', 'First try', 'Full'],
        [asked.id, 'approved', 'Ground floor please: asthma', 'Near the nurse'],
      ]
    )
    assert.deepEqual(
      mine.transfers.map((t: any) => [t.from_room, t.to_room, t.reason]),
      [['101', '102', 'Asthma: away from the boiler']]
    )
    assert.deepEqual(
      mine.term_charges.map((c: any) => [c.student_id, c.term, c.amount]),
      [[leaver.studentId, 'Term 1', 50_000]]
    )
    assert.deepEqual(
      mine.leave_passes.map((p: any) => [p.id, p.destination, p.reason, p.status]),
      [
        [used.id, 'Clinic', 'Asthma check-up', 'approved'],
        [pending.id, 'Home', 'Family wedding', 'pending'],
      ]
    )
    assert.notInclude(JSON.stringify(mine), 'Bunk by the window')
    assert.notInclude(JSON.stringify(mine), 'Birthday')
    const theirs = (await admin('get', `/admin/users/${neighbour.userId}/export`)).body().data
      .plugins.hostel
    assert.deepEqual(
      theirs.leave_passes.map((p: any) => p.id),
      [neighbourPass.id]
    )
    assert.notInclude(JSON.stringify(theirs), 'asthma')

    const erased = await admin('post', `/admin/users/${leaver.userId}/erase`)
    erased.assertStatus(200)
    assert.deepEqual(erased.body().data.plugins.hostel, {
      allocation_requests_withdrawn: 1,
      allocation_requests_redacted: 1,
      transfers_redacted: 1,
      leave_passes_withdrawn: 1,
      leave_passes_redacted: 1,
      wardenships_ended: 0,
    })
    const rowsOf = async (resource: string, studentId: string) => {
      const response = await office.get(
        `/${resource}?filter[student_id][eq]=${studentId}&sort=id&per_page=100`
      )
      response.assertStatus(200)
      return response.body().data
    }
    const left = async () => ({
      requests: (await rowsOf('allocation_requests', leaver.studentId)).map((r: any) => [
        r.id,
        r.status,
        r.note,
        r.decision_note,
      ]),
      stays: (await rowsOf('allocations', leaver.studentId)).map((a: any) => a.status),
      transfers: (await rowsOf('transfers', leaver.studentId)).map((t: any) => t.reason),
      charges: (await rowsOf('term_charges', leaver.studentId)).map((c: any) => [
        c.amount,
        Boolean(c.invoice_id),
      ]),
      passes: (await rowsOf('leave_passes', leaver.studentId)).map((p: any) => [
        p.id,
        p.destination,
        p.reason,
        p.status,
      ]),
    })
    const afterErasure = await left()
    assert.deepEqual(afterErasure, {
      requests: [[asked.id, 'approved', null, null]],
      stays: ['transferred', 'active'],
      transfers: [null],
      charges: [[50_000, true]],
      passes: [[used.id, '(erased)', null, 'approved']],
    })
    // The neighbour's records are untouched.
    assert.deepEqual(
      (await rowsOf('allocation_requests', neighbour.studentId)).map((r: any) => r.note),
      ['Bunk by the window']
    )
    assert.deepEqual(
      (await rowsOf('leave_passes', neighbour.studentId)).map((p: any) => [
        p.destination,
        p.reason,
        p.status,
      ]),
      [['Aunt', 'Birthday', 'pending']]
    )

    // Erasing again changes nothing and says so.
    const again = await admin('post', `/admin/users/${leaver.userId}/erase`)
    again.assertStatus(200)
    assert.isTrue(
      Object.values(again.body().data.plugins.hostel).every((count) => count === 0),
      JSON.stringify(again.body().data.plugins.hostel)
    )
    assert.deepEqual(await left(), afterErasure)

    for (const stay of [neighbourStay, ...(await rowsOf('allocations', leaver.studentId))]) {
      if (stay.status === 'active') {
        await office.post(`/allocations/${stay.id}/vacate`).json({})
      }
    }
  })

  test('a warden’s contact leaves the hostel with their erasure', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const { hostel } = await newHostel(school, 'staff', [1], 0)
    const warden = await school.addPerson(unique('warden').replace(' ', ''), 'Staff')
    const office = as(school, 'office')
    ;(
      await office
        .patch(`/hostels/${hostel.id}`)
        .json({ warden_id: warden.id, warden_phone: '+1 555 0199' })
    ).assertStatus(200)
    const exported = await call(school, 'head', 'get', `/admin/users/${warden.id}/export`)
    assert.deepEqual(exported.body().data.plugins.hostel.wardened_hostels, [
      { id: hostel.id, name: hostel.name, warden_phone: '+1 555 0199' },
    ])
    const erased = await call(school, 'head', 'post', `/admin/users/${warden.id}/erase`)
    erased.assertStatus(200)
    assert.equal(erased.body().data.plugins.hostel.wardenships_ended, 1)
    const shown = (await office.get(`/hostels/${hostel.id}`)).body().data
    assert.deepInclude(shown, { warden_id: null, warden_phone: null, status: 'active' })
  })
})

test.group('Hostel: demo school', (group) => {
  group.each.timeout(240_000)

  test('the demo seed fills hostels with residents whose beds add up', async ({
    client,
    assert,
  }) => {
    const school = await openSchool(client)
    const result = await seedDemo(school.tenant)
    assert.include(result.seeded, 'hostel')
    const get = (path: string) => school.as('platform').get(`/hostel${path}`)
    const report = (await get('/reports/occupancy')).body().data
    assert.sameMembers(
      report.hostels.map((h: any) => h.type),
      ['boys', 'girls', 'staff']
    )
    assert.equal(report.totals.occupied, 17)
    const rooms = (await get('/rooms?per_page=100')).body().data
    const stays = (await get('/allocations?filter[status][eq]=active&per_page=100')).body().data
    assert.lengthOf(stays, 17)
    for (const each of rooms) {
      const here = stays.filter((a: any) => String(a.room_id) === String(each.id)).length
      assert.equal(each.occupied, here, `room ${each.id}`)
      assert.isAtMost(each.occupied, each.capacity)
    }
    const pending = (await get('/allocation_requests?filter[status][eq]=pending')).body().data
    assert.lengthOf(pending, 1)
  })
})
