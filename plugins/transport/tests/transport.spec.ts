import { test } from '@japa/runner'
import { calendarEntries } from '@oryne/sdk'
import {
  created,
  errorCode,
  openSchool,
  seedDemo,
  sharedSchool,
  type Person,
  type School,
} from '@oryne/sdk/testing'
import { remindExpiringDocuments } from '../jobs/document_expiry.js'
import { DateTime } from 'luxon'

/*
 * The transport plugin end to end through HTTP, each workflow as the role
 * that performs it: the transport office (Staff) runs routes, vehicles,
 * assignments, billing and trip logs; Students and Parents see their own;
 * guardians are told when their child boards and alights. Every test builds
 * the route it needs, so tests do not depend on each other's order.
 */

type Who = 'head' | 'office' | 'teacher' | 'student' | 'student2' | 'parent'

type TransportSchool = School<Who> & { s1: string; s2: string }

type Method = 'get' | 'post' | 'patch' | 'delete'

function call(school: TransportSchool, who: Who | Person, method: Method, path: string) {
  return school.as(who)[method](path)
}

/** Requests to /api/v1/transport<path> (and /erp, and the inbox) as `who`. */
function as(school: School<Who>, who: Who | Person) {
  const api = school.as(who)
  return {
    get: (path: string) => api.get(`/transport${path}`),
    post: (path: string) => api.post(`/transport${path}`),
    patch: (path: string) => api.patch(`/transport${path}`),
    erp: (method: Method, path: string) => api[method](`/erp${path}`),
    inbox: () => api.get('/notifications?per_page=100'),
  }
}

let counter = 0
const unique = (prefix: string) => `${prefix}${++counter}`

/** The school: two riders (the first a child of `parent`) registered in the ERP. */
const schoolFor = sharedSchool(
  {
    plugins: ['transport'],
    people: {
      head: 'TenantAdmin',
      office: 'Staff',
      teacher: 'Teacher',
      student: 'Student',
      student2: 'Student',
      parent: 'Parent',
    },
  },
  async (school: School<Who>) => {
    const head = as(school, 'head')
    const student = (no: string, userId: string) =>
      created(
        head.erp('post', '/students').json({
          enrollment_no: no,
          first_name: 'Rider',
          last_name: no,
          user_id: userId,
        })
      )
    const s1 = await student('T-001', school.people.student.id)
    const s2 = await student('T-002', school.people.student2.id)
    await created(
      head
        .erp('post', '/guardians')
        .json({ student_id: s1.id, user_id: school.people.parent.id, name: 'Pat' })
    )
    return { s1: s1.id as string, s2: s2.id as string }
  }
)

/** Active students, registered in the ERP by the head (bulk setup for the concurrency tests). */
async function bulkStudents(school: TransportSchool, count: number): Promise<string[]> {
  const prefix = unique('B')
  const rows = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      created(
        as(school, 'head')
          .erp('post', '/students')
          .json({ enrollment_no: `${prefix}-${i}`, first_name: 'Bulk', last_name: String(i) })
      )
    )
  )
  // In the order the ERP numbered them, as tests pair them with rooms or stops by position.
  return rows.map((row: any) => String(row.id)).sort((a, b) => Number(a) - Number(b))
}

/** A route with three stops (fares 30000, 20000, 0) and a vehicle of `seats`, made by the office. */
async function newRoute(school: TransportSchool, seats: number) {
  const office = as(school, 'office')
  const code = unique('R')
  const route = await created(office.post('/routes').json({ code, name: `Route ${code}` }))
  const stops = []
  for (const [i, fare] of [30_000, 20_000, 0].entries()) {
    stops.push(
      await created(
        office.post('/stops').json({
          route_id: route.id,
          name: `Stop ${i + 1}`,
          position: i + 1,
          pickup_time: `07:${10 + i * 10}`,
          drop_time: `15:${40 - i * 10}`,
          fare_per_term: fare,
        })
      )
    )
  }
  const vehicle = await created(
    office.post('/vehicles').json({
      registration: `BUS ${code}`,
      route_id: route.id,
      seats,
      driver_name: 'Sam',
      driver_phone: '+1 555 0100',
      attendant_name: 'Ana',
      attendant_phone: '+1 555 0101',
    })
  )
  return { route, stops, vehicle }
}

function assign(school: TransportSchool, body: Record<string, unknown>) {
  return as(school, 'office').post('/assignments').json(body)
}

async function vehicleOf(school: TransportSchool, id: string) {
  const response = await as(school, 'office').get(`/vehicles/${id}`)
  response.assertStatus(200)
  return response.body().data
}

/** Polls `who`'s inbox for a notification of `template` (events are delivered after the commit). */
async function eventually(school: TransportSchool, who: Who, template: string) {
  for (let i = 0; i < 100; i++) {
    const inbox = await as(school, who).inbox()
    const found = inbox.body().data?.filter((n: any) => n.template === template) ?? []
    if (found.length) return found
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return []
}

test.group('Transport: network and permissions', () => {
  test('the office builds routes, ordered stops and vehicles; bad input writes nothing', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { route, stops, vehicle: bus } = await newRoute(school, 10)
    assert.equal(bus.occupied, 0)
    const listed = await as(school, 'student').get(`/stops?filter[route_id][eq]=${route.id}`)
    listed.assertStatus(200)
    assert.deepEqual(
      listed.body().data.map((s: any) => [s.position, s.pickup_time]),
      [
        [1, '07:10'],
        [2, '07:20'],
        [3, '07:30'],
      ]
    )
    assert.equal(stops[0].fare_per_term, 30_000)

    const byStudent = await as(school, 'student').post('/routes').json({ code: 'X1', name: 'Mine' })
    byStudent.assertStatus(403)
    for (const body of [
      {
        route_id: route.id,
        name: 'Bad time',
        position: 4,
        pickup_time: '25:00',
        drop_time: '15:00',
      },
      {
        route_id: route.id,
        name: 'No fare',
        position: 4,
        pickup_time: '07:00',
        drop_time: '15:00',
        fare_per_term: -1,
      },
    ]) {
      const response = await as(school, 'office').post('/stops').json(body)
      response.assertStatus(400)
      assert.equal(errorCode(response), 'ERR_VALIDATION')
    }
    const samePosition = await as(school, 'office').post('/stops').json({
      route_id: route.id,
      name: 'Twin',
      position: 1,
      pickup_time: '07:00',
      drop_time: '15:00',
    })
    assert.equal(samePosition.status(), 409)
    const after = await as(school, 'office').get(`/stops?filter[route_id][eq]=${route.id}`)
    assert.lengthOf(after.body().data, 3)
    const seats = await as(school, 'office')
      .post('/vehicles')
      .json({ registration: 'BAD 1', seats: 0 })
    seats.assertStatus(400)
  })

  test('assignment routes need the office permission; junk ids and bodies are refused', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { stops, vehicle: bus } = await newRoute(school, 10)
    const byParent = await as(school, 'parent')
      .post('/assignments')
      .json({ student_id: school.s1, stop_id: stops[0].id, vehicle_id: bus.id })
    byParent.assertStatus(403)
    const junk = await as(school, 'office').post('/assignments/abc/end').json({})
    junk.assertStatus(404)
    assert.equal(errorCode(junk), 'ERR_TRANSPORT_NOT_FOUND')
    for (const body of [
      {},
      { stop_id: stops[0].id, vehicle_id: bus.id },
      {
        stop_id: stops[0].id,
        vehicle_id: bus.id,
        student_id: school.s1,
        user_id: school.people.teacher.id,
      },
      { stop_id: '999999', vehicle_id: bus.id, student_id: school.s1 },
      { stop_id: stops[0].id, vehicle_id: bus.id, student_id: '999999' },
    ]) {
      const response = await assign(school, body)
      response.assertStatus(400)
      assert.equal(errorCode(response), 'ERR_VALIDATION')
    }
    assert.equal((await vehicleOf(school, bus.id)).occupied, 0)
  })
})

test.group('Transport: assignments', () => {
  test('students and staff are assigned to a stop and a vehicle; changes keep a history', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const first = await newRoute(school, 2)
    const second = await newRoute(school, 1)
    const made = await assign(school, {
      student_id: school.s1,
      stop_id: first.stops[0].id,
      vehicle_id: first.vehicle.id,
    })
    made.assertStatus(201)
    const assignment = made.body().data
    assert.equal(made.header('location'), `/api/v1/transport/assignments/${assignment.id}`)
    assert.equal(String(assignment.route_id), String(first.route.id))
    const staff = await created(
      assign(school, {
        user_id: school.people.teacher.id,
        stop_id: first.stops[1].id,
        vehicle_id: first.vehicle.id,
      })
    )
    assert.equal((await vehicleOf(school, first.vehicle.id)).occupied, 2)

    const twice = await assign(school, {
      student_id: school.s1,
      stop_id: second.stops[0].id,
      vehicle_id: second.vehicle.id,
    })
    twice.assertStatus(409)
    assert.equal(errorCode(twice), 'ERR_TRANSPORT_ALREADY_ASSIGNED')
    const full = await assign(school, {
      student_id: school.s2,
      stop_id: first.stops[0].id,
      vehicle_id: first.vehicle.id,
    })
    full.assertStatus(409)
    assert.equal(errorCode(full), 'ERR_TRANSPORT_VEHICLE_FULL')
    const wrongRoute = await assign(school, {
      student_id: school.s2,
      stop_id: first.stops[0].id,
      vehicle_id: second.vehicle.id,
    })
    wrongRoute.assertStatus(422)
    assert.equal(errorCode(wrongRoute), 'ERR_TRANSPORT_VEHICLE_NOT_ON_ROUTE')
    const shrink = await as(school, 'office')
      .patch(`/vehicles/${first.vehicle.id}`)
      .json({ seats: 1 })
    shrink.assertStatus(409)
    assert.equal(errorCode(shrink), 'ERR_TRANSPORT_SEATS_BELOW_OCCUPANCY')

    // Another stop on the same bus, then the other route's bus.
    const nearer = await as(school, 'office')
      .post(`/assignments/${assignment.id}/change`)
      .json({ stop_id: first.stops[1].id, reason: 'Moved house' })
    nearer.assertStatus(200)
    assert.equal(String(nearer.body().data.stop_id), String(first.stops[1].id))
    const nothing = await as(school, 'office')
      .post(`/assignments/${assignment.id}/change`)
      .json({ stop_id: first.stops[1].id })
    assert.equal(errorCode(nothing), 'ERR_TRANSPORT_NOTHING_TO_CHANGE')
    const moved = await as(school, 'office')
      .post(`/assignments/${assignment.id}/change`)
      .json({ stop_id: second.stops[2].id, vehicle_id: second.vehicle.id })
    moved.assertStatus(200)
    assert.equal(String(moved.body().data.route_id), String(second.route.id))
    assert.equal((await vehicleOf(school, first.vehicle.id)).occupied, 1)
    assert.equal((await vehicleOf(school, second.vehicle.id)).occupied, 1)
    const intoFull = await as(school, 'office')
      .post(`/assignments/${staff.id}/change`)
      .json({ stop_id: second.stops[0].id, vehicle_id: second.vehicle.id })
    assert.equal(errorCode(intoFull), 'ERR_TRANSPORT_VEHICLE_FULL')

    const history = await as(school, 'office').get(
      `/assignment_changes?filter[assignment_id][eq]=${assignment.id}&sort=created_at`
    )
    assert.deepEqual(
      history.body().data.map((c: any) => [c.kind, c.reason]),
      [
        ['assigned', null],
        ['changed', 'Moved house'],
        ['changed', null],
      ]
    )
    const ended = await as(school, 'office')
      .post(`/assignments/${assignment.id}/end`)
      .json({ reason: 'Left school' })
    ended.assertStatus(200)
    assert.equal(ended.body().data.status, 'ended')
    assert.equal((await vehicleOf(school, second.vehicle.id)).occupied, 0)
    const again = await as(school, 'office').post(`/assignments/${assignment.id}/end`).json({})
    assert.equal(errorCode(again), 'ERR_TRANSPORT_INVALID_TRANSITION')
    await as(school, 'office').post(`/assignments/${staff.id}/end`).json({})
  })

  test('50 concurrent assignments to a 4-seat vehicle: exactly 4 succeed', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { stops, vehicle: bus } = await newRoute(school, 4)
    const ids = await bulkStudents(school, 50)
    const responses = await Promise.all(
      ids.map((id) => assign(school, { student_id: id, stop_id: stops[0].id, vehicle_id: bus.id }))
    )
    assert.equal(responses.filter((r) => r.status() === 201).length, 4)
    const refused = responses.filter((r) => r.status() !== 201)
    assert.lengthOf(refused, 46)
    assert.isTrue(refused.every((r) => errorCode(r) === 'ERR_TRANSPORT_VEHICLE_FULL'))
    assert.equal((await vehicleOf(school, bus.id)).occupied, 4)
    const riding = await as(school, 'office').get(
      `/assignments?filter[vehicle_id][eq]=${bus.id}&filter[status][eq]=active`
    )
    assert.lengthOf(riding.body().data, 4)
  })
})

test.group('Transport: fees', () => {
  test('stop fares land as ERP invoices, once per student and term', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const { stops, vehicle: bus } = await newRoute(school, 10)
    const ids = await bulkStudents(school, 3)
    for (const [i, id] of ids.entries()) {
      await created(assign(school, { student_id: id, stop_id: stops[i].id, vehicle_id: bus.id }))
    }
    const year = await created(
      as(school, 'head')
        .erp('post', '/academic_years')
        .json({
          name: unique('Year '),
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
    const runs = await Promise.all(
      [1, 2].map(() =>
        as(school, 'office').post('/fees/generate').json({ term_id: term.id, due_on: '2027-01-31' })
      )
    )
    for (const run of runs) run.assertStatus(200)
    const listInvoices = () =>
      as(school, 'head').erp(
        'get',
        `/invoices?filter[source][eq]=transport&filter[student_id][in]=${ids.join(',')}&per_page=100`
      )
    const invoices = (await listInvoices()).body().data
    // The third student's stop is free: no invoice.
    assert.deepEqual(
      invoices
        .map((i: any) => [String(i.student_id), Number(i.amount), i.due_on])
        .sort((a: any, b: any) => Number(a[0]) - Number(b[0])),
      [
        [ids[0], 30_000, '2027-01-31'],
        [ids[1], 20_000, '2027-01-31'],
      ]
    )
    const again = await as(school, 'office').post('/fees/generate').json({ term_id: term.id })
    assert.equal(again.body().data.invoiced, 0)
    assert.lengthOf((await listInvoices()).body().data, 2)
    const lines = await as(school, 'head').erp(
      'get',
      `/invoice_lines?filter[invoice_id][eq]=${invoices[0].id}`
    )
    assert.match(lines.body().data[0].description, /^Transport Spring: .+, stop .+$/)
    // Each run is audited against the term, with what it billed.
    const audit = await call(
      school,
      'head',
      'get',
      `/admin/audit?resource=erp.terms&resource_id=${term.id}&action=transport.fees.generate`
    )
    audit.assertStatus(200)
    const entries = audit.body().data
    assert.deepEqual(
      entries.map((e: any) => [e.action, e.actor]),
      Array(3).fill(['transport.fees.generate', `user:${school.people.office.id}`])
    )
    assert.deepEqual(entries[0].data, { invoiced: 0, amount: 0 })
    assert.sameDeepMembers(
      entries.slice(1).map((e: any) => e.data),
      runs.map((run) => ({ invoiced: run.body().data.invoiced, amount: run.body().data.amount }))
    )
    const charges = await as(school, 'office').get(
      `/term_charges?filter[term_id][eq]=${term.id}&per_page=100`
    )
    assert.lengthOf(
      charges.body().data,
      runs[0].body().data.invoiced + runs[1].body().data.invoiced
    )
    const badTerm = await as(school, 'office').post('/fees/generate').json({ term_id: '999999' })
    badTerm.assertStatus(422)
    assert.equal(errorCode(badTerm), 'ERR_TRANSPORT_TERM_NOT_FOUND')
    const byStudent = await as(school, 'student').post('/fees/generate').json({
      term_id: term.id,
    })
    byStudent.assertStatus(403)
  })
})

test.group('Transport: trips and guardians', () => {
  test('boarding and alighting are marked once each and tell the guardians', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { stops, vehicle: bus } = await newRoute(school, 10)
    const ride = await created(
      assign(school, { student_id: school.s1, stop_id: stops[1].id, vehicle_id: bus.id })
    )
    const trip = await created(
      as(school, 'office')
        .post('/trips')
        .json({ vehicle_id: bus.id, direction: 'pickup', trip_date: '2026-09-01' })
    )
    assert.equal(String(trip.route_id), String(ride.route_id))
    assert.equal(trip.status, 'open')

    const notAssigned = await as(school, 'office')
      .post(`/trips/${trip.id}/board`)
      .json({ student_id: school.s2 })
    notAssigned.assertStatus(409)
    assert.equal(errorCode(notAssigned), 'ERR_TRANSPORT_NOT_ASSIGNED')
    const alightFirst = await as(school, 'office')
      .post(`/trips/${trip.id}/alight`)
      .json({ student_id: school.s1 })
    assert.equal(errorCode(alightFirst), 'ERR_TRANSPORT_NOT_BOARDED')

    const boarded = await as(school, 'office')
      .post(`/trips/${trip.id}/board`)
      .json({ student_id: school.s1, at: '2026-09-01T07:21:00Z' })
    boarded.assertStatus(201)
    assert.equal(
      boarded.header('location'),
      `/api/v1/transport/trip_marks/${boarded.body().data.id}`
    )
    assert.equal(String(boarded.body().data.boarded_stop_id), String(stops[1].id))
    const twice = await as(school, 'office')
      .post(`/trips/${trip.id}/board`)
      .json({ student_id: school.s1 })
    assert.equal(errorCode(twice), 'ERR_TRANSPORT_ALREADY_BOARDED')

    const [boardNote] = await eventually(school, 'parent', 'transport.student_boarded')
    assert.exists(boardNote, 'the guardian is told of the boarding')
    assert.include(boardNote.body, 'Rider T-001')
    assert.include(boardNote.body, 'Stop 2')
    assert.include(boardNote.body, bus.registration)

    const alighted = await as(school, 'office')
      .post(`/trips/${trip.id}/alight`)
      .json({ student_id: school.s1, stop_id: stops[2].id })
    alighted.assertStatus(200)
    assert.equal(String(alighted.body().data.alighted_stop_id), String(stops[2].id))
    const again = await as(school, 'office')
      .post(`/trips/${trip.id}/alight`)
      .json({ student_id: school.s1 })
    assert.equal(errorCode(again), 'ERR_TRANSPORT_ALREADY_ALIGHTED')
    const [alightNote] = await eventually(school, 'parent', 'transport.student_alighted')
    assert.exists(alightNote, 'the guardian is told of the alighting')
    assert.include(alightNote.body, 'Stop 3')
    // Nobody else's guardian hears of it; the student's own inbox has no guardian message.
    assert.lengthOf(
      (await as(school, 'student2').inbox())
        .body()
        .data.filter((n: any) => String(n.template).startsWith('transport.')),
      0
    )

    const closed = await as(school, 'office').post(`/trips/${trip.id}/close`).json({})
    closed.assertStatus(200)
    assert.deepEqual(closed.body().data.still_aboard, [])
    const afterClose = await as(school, 'office')
      .post(`/trips/${trip.id}/board`)
      .json({ student_id: school.s1 })
    assert.equal(errorCode(afterClose), 'ERR_TRANSPORT_TRIP_CLOSED')

    // The student and parent see their own marks and assignment; another student sees none.
    const own = await as(school, 'student').get('/trip_marks')
    assert.deepEqual(
      own.body().data.map((m: any) => String(m.student_id)),
      [school.s1]
    )
    const parent = await as(school, 'parent').get('/assignments')
    assert.isTrue(parent.body().data.every((a: any) => String(a.student_id) === school.s1))
    assert.isAbove(parent.body().data.length, 0)
    const other = await as(school, 'student2').get('/trip_marks')
    assert.lengthOf(other.body().data, 0)
    const otherAssignment = await as(school, 'student2').get(`/assignments/${ride.id}`)
    otherAssignment.assertStatus(404)
    const trips = await as(school, 'student').get('/trips')
    trips.assertStatus(403)
    await as(school, 'office').post(`/assignments/${ride.id}/end`).json({})
  })
})

test.group('Transport: document reminders', () => {
  test('insurance and permit expiries are reminded once to the office', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { vehicle: bus } = await newRoute(school, 5)
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10)
    const far = new Date(Date.now() + 300 * 86_400_000).toISOString().slice(0, 10)
    const set = await as(school, 'office')
      .patch(`/vehicles/${bus.id}`)
      .json({ insurance_expires_on: soon, permit_expires_on: far })
    set.assertStatus(200)

    const run = () => school.run(() => remindExpiringDocuments())
    const first = await run()
    const mine = first.reminders.filter((r) => r.vehicle_id === String(bus.id))
    assert.deepEqual(
      mine.map((r) => [r.document, r.expires_on]),
      [['insurance', soon]]
    )
    const second = await run()
    assert.isFalse(second.reminders.some((r) => r.vehicle_id === String(bus.id)))

    const notes = await eventually(school, 'office', 'transport.document_expiring')
    const note = notes.find((n: any) => n.subject.includes(bus.registration))
    assert.exists(note, 'the office has an in-app reminder')
    assert.include(note.body, soon)
    const student = await as(school, 'student').inbox()
    assert.isFalse(
      student.body().data.some((n: any) => n.template === 'transport.document_expiring')
    )

    // A renewed insurance that expires soon again is reminded again.
    const renewed = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10)
    await as(school, 'office').patch(`/vehicles/${bus.id}`).json({
      insurance_expires_on: renewed,
    })
    const third = await run()
    assert.deepEqual(
      third.reminders.filter((r) => r.vehicle_id === String(bus.id)).map((r) => r.expires_on),
      [renewed]
    )
  })
})

test.group('Transport: personal data', () => {
  /** A Student account linked to a new ERP student, as a person asking for their data would be. */
  async function newRider(school: TransportSchool) {
    const no = unique('P-')
    const user = await school.addPerson(no.toLowerCase(), 'Student')
    const student = await created(
      as(school, 'head').erp('post', '/students').json({
        enrollment_no: no,
        first_name: 'Rider',
        last_name: no,
        user_id: user.id,
      })
    )
    return { userId: user.id as string, studentId: String(student.id) }
  }

  test('export carries a passenger’s own records; erasure keeps assignments and charges, drops trip marks and reasons, and repeats harmlessly', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const office = as(school, 'office')
    const admin = (method: Method, path: string) => call(school, 'head', method, path)
    const { route, stops, vehicle: bus } = await newRoute(school, 10)
    const leaver = await newRider(school)
    const neighbour = await newRider(school)
    const ride = await created(
      assign(school, {
        student_id: leaver.studentId,
        stop_id: stops[0].id,
        vehicle_id: bus.id,
      })
    )
    ;(
      await office
        .post(`/assignments/${ride.id}/change`)
        .json({ stop_id: stops[1].id, reason: 'Moved house to 12 Elm Street' })
    ).assertStatus(200)
    const theirRide = await created(
      assign(school, {
        student_id: neighbour.studentId,
        stop_id: stops[0].id,
        vehicle_id: bus.id,
      })
    )
    ;(
      await office
        .post(`/assignments/${theirRide.id}/change`)
        .json({ stop_id: stops[2].id, reason: 'Stays with grandma' })
    ).assertStatus(200)
    const trip = await created(
      office
        .post('/trips')
        .json({ vehicle_id: bus.id, direction: 'pickup', trip_date: '2026-10-05' })
    )
    for (const who of [leaver, neighbour]) {
      ;(
        await office.post(`/trips/${trip.id}/board`).json({ student_id: who.studentId })
      ).assertStatus(201)
    }
    ;(
      await office
        .post(`/trips/${trip.id}/alight`)
        .json({ student_id: leaver.studentId, stop_id: stops[2].id })
    ).assertStatus(200)
    ;(await office.post(`/trips/${trip.id}/close`).json({})).assertStatus(200)
    const year = await created(
      as(school, 'head')
        .erp('post', '/academic_years')
        .json({ name: unique('Year '), starts_on: '2028-01-01', ends_on: '2028-12-31' })
    )
    const term = await created(
      as(school, 'head').erp('post', '/terms').json({
        academic_year_id: year.id,
        name: 'Autumn',
        starts_on: '2028-09-01',
        ends_on: '2028-12-15',
      })
    )
    ;(await office.post('/fees/generate').json({ term_id: term.id })).assertStatus(200)

    const exported = await admin('get', `/admin/users/${leaver.userId}/export`)
    exported.assertStatus(200)
    const mine = exported.body().data.plugins.transport
    assert.deepEqual(
      mine.assignments.map((a: any) => [
        a.id,
        a.route_code,
        a.stop,
        a.pickup_time,
        a.vehicle,
        a.status,
      ]),
      [[ride.id, route.code, 'Stop 2', '07:20', bus.registration, 'active']]
    )
    assert.deepEqual(
      mine.assignment_changes.map((c: any) => [c.kind, c.from_stop, c.to_stop, c.reason]),
      [
        ['assigned', null, 'Stop 1', null],
        ['changed', 'Stop 1', 'Stop 2', 'Moved house to 12 Elm Street'],
      ]
    )
    assert.deepEqual(
      mine.term_charges.map((c: any) => [c.student_id, c.term, c.stop, c.amount]),
      [[leaver.studentId, 'Autumn', 'Stop 2', 20_000]]
    )
    assert.deepEqual(
      mine.trip_marks.map((m: any) => [
        m.trip_date,
        m.direction,
        m.vehicle,
        m.boarded_stop,
        m.alighted_stop,
      ]),
      [['2026-10-05', 'pickup', bus.registration, 'Stop 2', 'Stop 3']]
    )
    assert.notInclude(JSON.stringify(mine), 'grandma')
    const theirs = (await admin('get', `/admin/users/${neighbour.userId}/export`)).body().data
      .plugins.transport
    assert.deepEqual(
      theirs.assignments.map((a: any) => a.id),
      [theirRide.id]
    )
    assert.notInclude(JSON.stringify(theirs), 'Elm Street')

    const erased = await admin('post', `/admin/users/${leaver.userId}/erase`)
    erased.assertStatus(200)
    assert.deepEqual(erased.body().data.plugins.transport, {
      assignment_changes_redacted: 1,
      trip_marks_erased: 1,
    })
    const rowsOf = async (resource: string, studentId: string) => {
      const response = await office.get(
        `/${resource}?filter[student_id][eq]=${studentId}&sort=id&per_page=100`
      )
      response.assertStatus(200)
      return response.body().data
    }
    const left = async () => ({
      assignments: (await rowsOf('assignments', leaver.studentId)).map((a: any) => [
        a.id,
        a.status,
      ]),
      reasons: (await rowsOf('assignment_changes', leaver.studentId)).map((c: any) => [
        c.kind,
        c.reason,
      ]),
      charges: (await rowsOf('term_charges', leaver.studentId)).map((c: any) => [
        c.amount,
        Boolean(c.invoice_id),
      ]),
      marks: (await rowsOf('trip_marks', leaver.studentId)).length,
    })
    const afterErasure = await left()
    assert.deepEqual(afterErasure, {
      assignments: [[ride.id, 'active']],
      reasons: [
        ['assigned', null],
        ['changed', null],
      ],
      charges: [[20_000, true]],
      marks: 0,
    })
    // The neighbour's records are untouched.
    assert.deepEqual(
      (await rowsOf('assignment_changes', neighbour.studentId)).map((c: any) => c.reason),
      [null, 'Stays with grandma']
    )
    assert.lengthOf(await rowsOf('trip_marks', neighbour.studentId), 1)

    // Erasing again changes nothing and says so.
    const again = await admin('post', `/admin/users/${leaver.userId}/erase`)
    again.assertStatus(200)
    assert.deepEqual(again.body().data.plugins.transport, {
      assignment_changes_redacted: 0,
      trip_marks_erased: 0,
    })
    assert.deepEqual(await left(), afterErasure)

    for (const each of [ride, theirRide]) {
      ;(await office.post(`/assignments/${each.id}/end`).json({})).assertStatus(200)
    }
  })
})

test.group('Transport: calendar', () => {
  test('riders and their guardians see pickups on school days, the office sees document expiries', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const office = as(school, 'office')
    ;(
      await school
        .as('platform')
        .post(`/platform/tenants/${school.tenant.slug}/plugins/events/enable`, {})
    ).assertStatus(200)
    const zone = school.tenant.settings.time_zone || 'UTC'
    const local = (at: string) => DateTime.fromISO(at, { zone }).toUTC().toISO()!
    const { stops, vehicle: bus } = await newRoute(school, 10)
    const ride = await created(
      assign(school, { student_id: school.s1, stop_id: stops[1].id, vehicle_id: bus.id })
    )
    ;(
      await office
        .patch(`/vehicles/${bus.id}`)
        .json({ insurance_expires_on: '2030-03-06', permit_expires_on: '2030-05-01' })
    ).assertStatus(200)
    // Thursday 7 March 2030 is a holiday: no bus.
    await created(
      call(school, 'head', 'post', '/events/events').json({
        title: 'Founders day',
        starts_at: local('2030-03-07T09:00'),
        all_day: true,
        is_holiday: true,
        status: 'published',
      })
    )

    // Monday 4 to Sunday 10 March 2030.
    const window = { from: local('2030-03-04T00:00'), to: local('2030-03-11T00:00') }
    const calendarOf = async (who: Who) =>
      (
        await school.run(() => calendarEntries({ userId: school.people[who].id, ...window }))
      ).filter((entry) => entry.source === 'transport')
    const pickups = <T extends { uid: string }>(entries: T[]) =>
      entries.filter((entry) => entry.uid.startsWith(`transport:pickup-${ride.id}-`))
    const expected = ['04', '05', '06', '08'].map((day) => [
      `transport:pickup-${ride.id}-2030-03-${day}`,
      local(`2030-03-${day}T07:20`),
      'transport_pickup',
    ])
    for (const who of ['student', 'parent'] as const) {
      const entries = await calendarOf(who)
      assert.deepEqual(
        pickups(entries).map((entry) => [entry.uid, entry.starts_at, entry.kind]),
        expected,
        who
      )
      assert.include(pickups(entries)[0].title, 'Stop 2')
      assert.include(pickups(entries)[0].description, bus.registration)
      assert.isFalse(
        entries.some((entry) => entry.kind === 'transport_document_expiry'),
        who
      )
    }
    assert.lengthOf(pickups(await calendarOf('student2')), 0)

    const forOffice = await calendarOf('office')
    assert.lengthOf(pickups(forOffice), 0)
    assert.deepEqual(
      forOffice
        .filter((entry) => entry.uid.startsWith(`transport:vehicle-${bus.id}-`))
        .map((entry) => [entry.uid, entry.starts_at, entry.all_day]),
      [[`transport:vehicle-${bus.id}-insurance-2030-03-06`, '2030-03-06', true]]
    )
    assert.isFalse(
      (await calendarOf('teacher')).some((entry) => entry.kind === 'transport_document_expiry')
    )

    // The events plugin's iCalendar feed carries the pickups to the rider, not to others.
    const feedOf = async (who: Who) => {
      const subscribed = await created(call(school, who, 'post', '/events/calendar/token'))
      const feed = await client.get(subscribed.path).header('x-tenant-id', school.tenant.slug)
      feed.assertStatus(200)
      return feed.text().replace(/\r\n[ \t]/g, '')
    }
    assert.include(await feedOf('student'), `UID:transport:pickup-${ride.id}-`)
    assert.notInclude(await feedOf('student2'), `transport:pickup-${ride.id}-`)

    // A guardian's personal-data export holds none of the child's rides.
    const parentData = await call(
      school,
      'head',
      'get',
      `/admin/users/${school.people.parent.id}/export`
    )
    parentData.assertStatus(200)
    assert.deepEqual(parentData.body().data.plugins.transport.assignments, [])

    await office.post(`/assignments/${ride.id}/end`).json({})
  })
})

test.group('Transport: demo school', (group) => {
  group.each.timeout(240_000)

  test('the demo seed adds routes, buses with riders and an insurance to renew', async ({
    client,
    assert,
  }) => {
    const school = await openSchool(client)
    const result = await seedDemo(school.tenant)
    assert.include(result.seeded, 'transport')
    const get = (path: string) => school.as('platform').get(`/transport${path}`)
    const vehicles = (await get('/vehicles')).body().data
    const riding = (await get('/assignments?filter[status][eq]=active&per_page=100')).body().data
    assert.lengthOf(vehicles, 2)
    assert.lengthOf(riding, 13)
    for (const bus of vehicles) {
      const aboard = riding.filter((a: any) => String(a.vehicle_id) === String(bus.id)).length
      assert.equal(bus.occupied, aboard, bus.registration)
    }
    const stops = (await get('/stops?per_page=100')).body().data
    assert.lengthOf(stops, 8)
    const reminded = await school.run(() => remindExpiringDocuments())
    assert.deepEqual(
      reminded.reminders.map((r) => [r.registration, r.document]),
      [['BUS-101', 'insurance']]
    )
  })
})
