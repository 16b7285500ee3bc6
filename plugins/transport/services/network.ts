import { E_SEATS_BELOW_OCCUPANCY, E_VEHICLE_UNAVAILABLE } from '../errors.js'
import type { HookContext, ResourceHooks } from '@oryne/sdk'
import { invalidField } from '@oryne/sdk'

/**
 * A vehicle's seats never go under its passengers, and a vehicle carrying
 * passengers keeps its route: the row is locked first, so no assignment slips
 * in between the check and the change.
 */
export const vehicleHooks: ResourceHooks = {
  async beforeUpdate(changes, before, { trx }: HookContext) {
    const vehicle = await trx.from('transport_vehicles').where('id', before.id).forUpdate().first()
    const occupied = Number(vehicle.occupied)
    if (changes.seats !== undefined && Number(changes.seats) < occupied) {
      throw new E_SEATS_BELOW_OCCUPANCY([vehicle.registration, occupied, changes.seats])
    }
    if (
      changes.route_id !== undefined &&
      String(changes.route_id) !== String(before.route_id) &&
      occupied > 0
    ) {
      throw invalidField(
        'route_id',
        'occupied',
        'A vehicle with passengers keeps its route; move them first'
      )
    }
  },
}

/** A trip runs the route its vehicle serves, and only an active vehicle makes trips. */
export const tripHooks: ResourceHooks = {
  async beforeCreate(data, { trx }: HookContext) {
    const vehicle = await trx
      .from('transport_vehicles')
      .where('id', String(data.vehicle_id))
      .first()
    if (!vehicle) return
    if (vehicle.status !== 'active') {
      throw new E_VEHICLE_UNAVAILABLE([vehicle.registration, vehicle.status])
    }
    if (!vehicle.route_id) {
      throw invalidField('vehicle_id', 'route', 'The vehicle serves no route')
    }
    data.route_id = vehicle.route_id
  },
  beforeUpdate(changes, before) {
    if (
      changes.vehicle_id !== undefined &&
      String(changes.vehicle_id) !== String(before.vehicle_id)
    ) {
      throw invalidField('vehicle_id', 'immutable', 'A trip keeps its vehicle; create a new trip')
    }
  },
}
