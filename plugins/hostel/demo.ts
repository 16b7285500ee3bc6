import { insertRows, type DemoContext, type Trx } from '@oryne/sdk'
import { fromErp } from '../erp/index.js'

const DAY = 86_400_000

/**
 * The hostel side of the demo school (after the ERP's): a boys and a girls
 * hostel of two blocks with twelve rooms each and staff quarters, the first
 * sixteen students in rooms by gender, one teacher in the staff quarters, a
 * pending request and a leave pass out.
 */
export async function seedHostelDemo(trx: Trx, people: DemoContext) {
  const hostels = await insertRows(trx, 'hostel_hostels', [
    { name: 'Banyan House', type: 'boys', warden_phone: '+1 555 0101', status: 'active' },
    { name: 'Lotus House', type: 'girls', warden_phone: '+1 555 0102', status: 'active' },
    { name: 'Staff Quarters', type: 'staff', warden_phone: '+1 555 0103', status: 'active' },
  ])
  const blocks = await insertRows(
    trx,
    'hostel_blocks',
    hostels.flatMap((hostel) =>
      ['A', 'B'].map((name) => ({ hostel_id: hostel.id, name: `Block ${name}`, floors: 2 }))
    )
  )
  const rooms = await insertRows(
    trx,
    'hostel_rooms',
    blocks.flatMap((block) => {
      const staff = String(block.hostel_id) === String(hostels[2].id)
      return Array.from({ length: staff ? 2 : 6 }, (_, i) => ({
        block_id: block.id,
        hostel_id: block.hostel_id,
        number: `${block.name.slice(-1)}${i < 3 ? 1 : 2}0${(i % 3) + 1}`,
        floor: i < 3 ? 1 : 2,
        capacity: staff ? 1 : 4,
        rent_per_term: staff ? 0 : 45_000,
        facilities: JSON.stringify(staff ? ['attached bath', 'wifi'] : ['wifi', 'study desk']),
        status: 'active',
      }))
    })
  )
  const students = await fromErp(trx, 'students', 's')
    .where('s.status', 'active')
    .orderBy('s.enrollment_no')
    .limit(16)
    .select('s.id', 's.gender')
  const roomsOf = (hostel: Record<string, any>) =>
    rooms.filter((room) => String(room.hostel_id) === String(hostel.id))
  const allocations: Record<string, unknown>[] = []
  const taken = new Map<string, number>()
  const place = (room: Record<string, any>, resident: Record<string, unknown>) => {
    taken.set(String(room.id), (taken.get(String(room.id)) ?? 0) + 1)
    allocations.push({
      ...resident,
      room_id: room.id,
      status: 'active',
      starts_on: new Date(Date.now() - 30 * DAY),
    })
  }
  const counters = { boys: 0, girls: 0 }
  for (const student of students) {
    const hostel = student.gender === 'female' ? hostels[1] : hostels[0]
    const counter = student.gender === 'female' ? 'girls' : 'boys'
    const room = roomsOf(hostel)[Math.floor(counters[counter]++ / 3)]
    place(room, { student_id: student.id, hostel_id: hostel.id })
  }
  if (people.teachers[0]) {
    place(roomsOf(hostels[2])[0], { user_id: people.teachers[0].id, hostel_id: hostels[2].id })
  }
  const stored = await insertRows(trx, 'hostel_allocations', allocations)
  for (const [roomId, occupied] of taken) {
    await trx.from('hostel_rooms').where('id', roomId).update({ occupied })
  }
  const waiting = await fromErp(trx, 'students', 's')
    .where('s.status', 'active')
    .whereNotIn(
      's.id',
      students.map((s) => s.id)
    )
    .orderBy('s.enrollment_no')
    .first()
  if (waiting) {
    await insertRows(trx, 'hostel_allocation_requests', [
      {
        student_id: waiting.id,
        hostel_id: waiting.gender === 'female' ? hostels[1].id : hostels[0].id,
        note: 'Would like a room near the library.',
        status: 'pending',
      },
    ])
  }
  const first = stored.find((a) => a.student_id)
  if (first) {
    await insertRows(trx, 'hostel_leave_passes', [
      {
        student_id: first.student_id,
        hostel_id: first.hostel_id,
        destination: 'Home',
        reason: 'Family visit over the weekend',
        leaves_at: new Date(Date.now() + 2 * DAY),
        returns_by: new Date(Date.now() + 4 * DAY),
        status: 'approved',
      },
    ])
  }
  return { hostels: hostels.length, rooms: rooms.length, allocations: stored.length }
}
