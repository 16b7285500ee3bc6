import { RealmMfaController } from './mfa_controller.js'

/** /api/v1/platform/auth/mfa: two-factor authentication of platform users. */
export default class PlatformMfaController extends RealmMfaController {
  protected realm = 'platform' as const

  protected issuer() {
    return 'Oryne platform'
  }
}
