import type { HttpContext } from '@adonisjs/core/http'
import { fleetStatus } from './status.js'
import tenancy from '../services/tenancy.js'
import { respond } from '../http/envelope.js'

/** GET /api/v1/platform/fleet: the fleet's migration state, as `oryne migrate status` shows it. */
export default class FleetController {
  async show(ctx: HttpContext) {
    respond(ctx, await fleetStatus(tenancy))
  }
}
