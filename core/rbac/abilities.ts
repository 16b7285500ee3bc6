import { AuthorizationResponse, Bouncer } from '@adonisjs/bouncer'
import type { HttpContext } from '@adonisjs/core/http'
import { E_FORBIDDEN } from '../errors.js'
import { principalOf, type Principal } from './authorize.js'
import type { CorePermission } from './permissions.js'

const deny = (message: string) => AuthorizationResponse.deny(message, 403)

/** An ability held through one permission. */
const holding = (permission: CorePermission) =>
  Bouncer.ability((principal: Principal) =>
    principal.can(permission) ? true : deny(`this needs the ${permission} permission`)
  )

/**
 * The Bouncer abilities of tenant administration, over the request's
 * principal (a user, an API key or the platform). Controllers check them
 * through `allow(ctx, ability, ...)`; TenantAdmin holds every one.
 */
export const abilities = {
  readUsers: Bouncer.ability((principal: Principal) =>
    principal.can('core.users.read') || principal.can('core.users.manage')
      ? true
      : deny('this needs the core.users.read permission')
  ),
  readRoles: Bouncer.ability((principal: Principal) =>
    ['core.roles.manage', 'core.users.read', 'core.users.manage'].some((p) => principal.can(p))
      ? true
      : deny('this needs the core.roles.manage or core.users.read permission')
  ),
  manageUsers: holding('core.users.manage'),
  manageRoles: holding('core.roles.manage'),
  manageApiKeys: holding('core.api_keys.manage'),
  readAudit: holding('core.audit.read'),
  exportPersonalData: holding('core.personal_data.export'),
  erasePersonalData: holding('core.personal_data.erase'),

  /** Nobody hands out more than they hold: a role's or an API key's permissions must all be the caller's. */
  grant: Bouncer.ability((principal: Principal, permissions: string[]) => {
    const missing = permissions.filter((permission) => !principal.can(permission))
    return missing.length ? deny(`you do not hold ${missing.join(', ')} yourself`) : true
  }),

  /** Giving or taking a role is granting its permissions; TenantAdmin only by a TenantAdmin (or the platform). */
  assignRole: Bouncer.ability(
    (principal: Principal, role: { name: string; permissions: string[] }) => {
      if (role.name === 'TenantAdmin') {
        return principal.kind === 'platform' || principal.roles.includes('TenantAdmin')
          ? true
          : deny('only a TenantAdmin gives or takes the TenantAdmin role')
      }
      const missing = role.permissions.filter((permission) => !principal.can(permission))
      return missing.length
        ? deny(`role "${role.name}" grants ${missing.join(', ')}, which you do not hold`)
        : true
    }
  ),
}

type Ability = (typeof abilities)[keyof typeof abilities]
type ArgsOf<A> = A extends { original: (user: Principal, ...args: infer Args) => unknown }
  ? Args
  : never

/**
 * The caller, if the ability allows them; otherwise 403 ERR_FORBIDDEN with
 * the ability's reason.
 */
export async function allow<A extends Ability>(
  ctx: HttpContext,
  ability: A,
  ...args: ArgsOf<A>
): Promise<Principal> {
  const principal = await principalOf(ctx)
  await assertAllowed(principal, ability, ...args)
  return principal
}

/** Same check for a principal already in hand. */
export async function assertAllowed<A extends Ability>(
  principal: Principal,
  ability: A,
  ...args: ArgsOf<A>
) {
  const bouncer = new Bouncer<Principal>(principal)
  const response = await bouncer.execute(ability as never, ...(args as never[]))
  if (!response.authorized) throw new E_FORBIDDEN([response.message ?? 'not allowed'])
}
