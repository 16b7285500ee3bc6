import secrets from '#config/secrets'
import { AccessTokens } from './access_tokens.js'
import { clock } from './clock.js'
import { parseJwtKeys, type JwtKeyRing } from './keys.js'
import { PlatformAccounts } from './platform_accounts.js'
import { PlatformUsers } from './platform_users.js'
import { Realm } from './realm.js'
import { TenantAccounts } from './tenant_accounts.js'
import { TenantRealm } from './tenant_realm.js'
import { TenantUsers } from './tenant_users.js'

let keyRing: JwtKeyRing | undefined

/** ORYNE_JWT_KEYS, parsed on first use (a bad value fails then, with ERR_CONFIG_MISSING). */
function keys() {
  keyRing ??= parseJwtKeys(secrets.jwtKeys())
  return keyRing
}

const now = () => clock.now()
const tokens = new AccessTokens(keys, now)
const tenant = new TenantRealm(new TenantAccounts(), tokens, now)
const platform = new Realm(new PlatformAccounts(), tokens, now)

/**
 * Identity, wired once: access tokens, the tenant and platform realms (sign-in,
 * sessions, passwords) and user administration. The HTTP guards, controllers
 * and `oryne user` commands all go through it. Import it after the
 * application has booted (inside handlers and command actions).
 */
export const identity = {
  tokens,
  tenant,
  platform,
  tenantUsers: new TenantUsers(tenant),
  platformUsers: new PlatformUsers(platform.accounts),
}
