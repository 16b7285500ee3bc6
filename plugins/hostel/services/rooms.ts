import { E_CAPACITY_BELOW_OCCUPANCY } from '../errors.js'
import type { HookContext, ResourceHooks, Trx } from '@oryne/sdk'
import { invalidField } from '@oryne/sdk'

async function hostelOfBlock(trx: Trx, blockId: unknown) {
  const block = await trx.from('hostel_blocks').where('id', String(blockId)).first()
  if (!block) throw invalidField('block_id', 'reference', 'No such block')
  return block.hostel_id
}

/**
 * A room belongs to its block's hostel (kept here). Its capacity never goes
 * under its residents: the row is locked first, so no allocation slips in
 * between the check and the change.
 */
export const roomHooks: ResourceHooks = {
  async beforeCreate(data, { trx }: HookContext) {
    data.hostel_id = await hostelOfBlock(trx, data.block_id)
  },
  async beforeUpdate(changes, before, { trx }: HookContext) {
    const room = await trx.from('hostel_rooms').where('id', before.id).forUpdate().first()
    const occupied = Number(room.occupied)
    if (changes.block_id !== undefined && String(changes.block_id) !== String(before.block_id)) {
      if (occupied > 0) {
        throw invalidField('block_id', 'occupied', 'A room with residents stays in its block')
      }
      changes.hostel_id = await hostelOfBlock(trx, changes.block_id)
    }
    if (changes.capacity !== undefined && Number(changes.capacity) < occupied) {
      throw new E_CAPACITY_BELOW_OCCUPANCY([room.number, occupied, changes.capacity])
    }
  },
}
