import { readTenantDb } from '@oryne/sdk'

/**
 * Occupancy per hostel (rooms that are not active count as offline beds):
 * beds, occupied, free and the occupied share, plus each room when one
 * hostel is asked for.
 */
export async function occupancyReport(filters: { hostel_id?: string }) {
  return readTenantDb(async (client, table) => {
    const query = client
      .from(table('hostel_hostels', 'h'))
      .leftJoin(table('hostel_rooms', 'r'), 'r.hostel_id', 'h.id')
      .groupBy('h.id', 'h.name', 'h.type')
      .orderBy('h.name')
      .select('h.id', 'h.name', 'h.type')
      .select(
        client.raw(`count(r.id) FILTER (WHERE r.status = 'active')::int AS rooms`),
        client.raw(`coalesce(sum(r.capacity) FILTER (WHERE r.status = 'active'), 0)::int AS beds`),
        client.raw(`coalesce(sum(r.occupied), 0)::int AS occupied`),
        client.raw(
          `coalesce(sum(r.capacity) FILTER (WHERE r.status <> 'active'), 0)::int AS offline_beds`
        )
      )
    if (filters.hostel_id) query.where('h.id', filters.hostel_id)
    const perHostel = await query
    const hostels = perHostel.map((row) => ({
      hostel_id: String(row.id),
      name: row.name,
      type: row.type,
      rooms: row.rooms,
      beds: row.beds,
      occupied: row.occupied,
      free: Math.max(0, row.beds - row.occupied),
      offline_beds: row.offline_beds,
      occupancy_percent: row.beds ? Math.round((row.occupied / row.beds) * 1000) / 10 : 0,
    }))
    const roomRows = filters.hostel_id
      ? await client
          .from(table('hostel_rooms', 'r'))
          .leftJoin(table('hostel_blocks', 'b'), 'b.id', 'r.block_id')
          .where('r.hostel_id', filters.hostel_id)
          .orderBy('b.name')
          .orderBy('r.number')
          .select('r.id', 'r.number', 'b.name as block', 'r.capacity', 'r.occupied', 'r.status')
      : null
    const rooms = roomRows?.map((row) => ({
      room_id: String(row.id),
      number: row.number,
      block: row.block,
      capacity: row.capacity,
      occupied: row.occupied,
      free: row.status === 'active' ? row.capacity - row.occupied : 0,
      status: row.status,
    }))
    const beds = hostels.reduce((sum, h) => sum + h.beds, 0)
    const occupied = hostels.reduce((sum, h) => sum + h.occupied, 0)
    return {
      hostels,
      ...(rooms ? { rooms } : {}),
      totals: { beds, occupied, free: Math.max(0, beds - occupied) },
    }
  })
}
