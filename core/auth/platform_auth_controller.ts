import { SessionsController } from './sessions_controller.js'

/** /api/v1/platform/auth: platform users (`oryne platform-admin create`). */
export default class PlatformAuthController extends SessionsController {
  protected realm = 'platform' as const
}
