import { insertRows, type DemoContext, type Trx } from '@oryne/sdk'
import { fromErp } from '../erp/index.js'

const DAY = 86_400_000

/**
 * The transport side of the demo school (after the ERP's): two routes of
 * four stops, a bus on each (one with its insurance expiring soon, so the
 * reminder has something to say), the first twelve students assigned, one
 * teacher riding, and this morning's pickup trip logged.
 */
export async function seedTransportDemo(trx: Trx, people: DemoContext) {
  const routes = await insertRows(trx, 'transport_routes', [
    { code: 'R1', name: 'Riverside loop', status: 'active' },
    { code: 'R2', name: 'Hillview line', status: 'active' },
  ])
  const names = [
    ['Riverside Market', 'Old Bridge', 'Mill Lane', 'Station Road'],
    ['Hilltop Park', 'Cedar Avenue', 'North Gate', 'Library Square'],
  ]
  const stops = await insertRows(
    trx,
    'transport_stops',
    routes.flatMap((route, r) =>
      names[r].map((name, i) => ({
        route_id: route.id,
        name,
        position: i + 1,
        pickup_time: `07:${String(10 + i * 8).padStart(2, '0')}`,
        drop_time: `15:${String(40 - i * 8).padStart(2, '0')}`,
        fare_per_term: 30_000 - i * 5_000,
      }))
    )
  )
  const vehicles = await insertRows(trx, 'transport_vehicles', [
    {
      registration: 'BUS-101',
      route_id: routes[0].id,
      seats: 30,
      driver_name: 'Sam Driver',
      driver_phone: '+1 555 0201',
      attendant_name: 'Ana Attendant',
      attendant_phone: '+1 555 0202',
      insurance_expires_on: new Date(Date.now() + 12 * DAY),
      permit_expires_on: new Date(Date.now() + 200 * DAY),
      status: 'active',
    },
    {
      registration: 'BUS-102',
      route_id: routes[1].id,
      seats: 24,
      driver_name: 'Lee Driver',
      driver_phone: '+1 555 0203',
      attendant_name: 'Kim Attendant',
      attendant_phone: '+1 555 0204',
      insurance_expires_on: new Date(Date.now() + 300 * DAY),
      permit_expires_on: new Date(Date.now() + 150 * DAY),
      status: 'active',
    },
  ])
  const students = await fromErp(trx, 'students', 's')
    .where('s.status', 'active')
    .orderBy('s.enrollment_no')
    .limit(12)
    .select('s.id')
  const starts = new Date(Date.now() - 30 * DAY)
  const riders: Record<string, unknown>[] = students.map((student, i) => {
    const r = i % 2
    const stop = stops.filter((s) => String(s.route_id) === String(routes[r].id))[i % 4]
    return {
      student_id: student.id,
      route_id: routes[r].id,
      stop_id: stop.id,
      vehicle_id: vehicles[r].id,
    }
  })
  if (people.teachers[1]) {
    riders.push({
      user_id: people.teachers[1].id,
      route_id: routes[0].id,
      stop_id: stops[0].id,
      vehicle_id: vehicles[0].id,
    })
  }
  const assignments = await insertRows(
    trx,
    'transport_assignments',
    riders.map((rider) => ({ ...rider, status: 'active', starts_on: starts }))
  )
  await insertRows(
    trx,
    'transport_assignment_changes',
    assignments.map((a) => ({
      assignment_id: a.id,
      student_id: a.student_id,
      user_id: a.user_id,
      kind: 'assigned',
      to_stop_id: a.stop_id,
      to_vehicle_id: a.vehicle_id,
    }))
  )
  for (const vehicle of vehicles) {
    const riding = assignments.filter((a) => String(a.vehicle_id) === String(vehicle.id)).length
    await trx.from('transport_vehicles').where('id', vehicle.id).update({ occupied: riding })
  }
  const [trip] = await insertRows(trx, 'transport_trips', [
    {
      vehicle_id: vehicles[0].id,
      route_id: routes[0].id,
      direction: 'pickup',
      trip_date: new Date(),
      status: 'closed',
      closed_at: new Date(),
    },
  ])
  const morning = new Date()
  morning.setUTCHours(7, 30, 0, 0)
  await insertRows(
    trx,
    'transport_trip_marks',
    assignments
      .filter((a) => a.student_id && String(a.vehicle_id) === String(vehicles[0].id))
      .map((a) => ({
        trip_id: trip.id,
        student_id: a.student_id,
        boarded_stop_id: a.stop_id,
        boarded_at: morning,
        alighted_stop_id: null,
        alighted_at: new Date(morning.getTime() + 25 * 60_000),
      }))
  )
  return { routes: routes.length, vehicles: vehicles.length, assignments: assignments.length }
}
