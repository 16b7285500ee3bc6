import { CUSTOMER_ROLES } from '../resources/rules.js'
import { E_FORBIDDEN, type Principal } from '@oryne/sdk'

export type Row = Record<string, any>

const CUSTOMERS = new Set<string>(CUSTOMER_ROLES)

/**
 * Whether the row rules of resources/rules.ts narrow the principal to the
 * products offered to it and its own orders: a user whose every role is a
 * customer role. Staff, TenantAdmin, custom roles and the platform see all,
 * as in the resource engine.
 */
export function isCustomer(principal: Principal) {
  return (
    principal.kind === 'user' &&
    principal.roles.length > 0 &&
    principal.roles.every((role) => CUSTOMERS.has(role))
  )
}

/** The user behind a cart or an order: carts belong to users, never to API keys or the platform. */
export function shopperOf(principal: Principal): string {
  if (principal.kind !== 'user') throw new E_FORBIDDEN(['only a signed-in user has a cart'])
  return principal.id
}
