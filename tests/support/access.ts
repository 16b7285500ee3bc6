import type { ApiClient } from '@japa/api-client'
import { identity } from '#core/auth/identity'
import type { TokenPair } from '#core/auth/types'
import { tenantContext } from '#core/tenancy/context'
import type { Tenant } from '#core/tenancy/types'
import { PASSWORD } from '#tests/support/auth'

/** An active user with `roles`, signed in: their access token. */
export async function signedInAs(tenant: Tenant, email: string, roles: string[]) {
  return tenantContext.run(tenant, async () => {
    await identity.tenantUsers.create({ email, roles, password: PASSWORD })
    const tokens = (await identity.tenant.login(email, PASSWORD)) as TokenPair
    return tokens.access_token
  })
}

/** A fresh access token for a user created by signedInAs (after a sign-out ended the last one). */
export async function signInAgain(tenant: Tenant, email: string) {
  return tenantContext.run(tenant, async () => {
    const tokens = (await identity.tenant.login(email, PASSWORD)) as TokenPair
    return tokens.access_token
  })
}

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete'

/**
 * Requests to the tenant API (`/api/v1<path>`) as one caller: a bearer token
 * (access JWT, API key or platform token), or `{ apiKey }` sent as X-API-Key.
 */
export function tenantApi(
  client: ApiClient,
  tenant: Tenant,
  credential: string | { apiKey: string }
) {
  const call = (method: Method, path: string, body?: object) => {
    let request = client[method](`/api/v1${path}`).header('x-tenant-id', tenant.slug)
    request =
      typeof credential === 'string'
        ? request.bearerToken(credential)
        : request.header('x-api-key', credential.apiKey)
    return body ? request.json(body) : request
  }
  return {
    get: (path: string) => call('get', path),
    post: (path: string, body: object = {}) => call('post', path, body),
    patch: (path: string, body: object) => call('patch', path, body),
    put: (path: string, body: object) => call('put', path, body),
    delete: (path: string) => call('delete', path),
  }
}
