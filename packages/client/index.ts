/*
 * @oryne/client: the Oryne API, typed from its OpenAPI document. `schema.d.ts`
 * is generated (`npm run client`; `npm run lint` fails when it is stale), so a
 * call the document does not describe does not compile.
 *
 *   const oryne = createOryneClient({ baseUrl: 'https://school.example', tenant: 'greenfield' })
 *   const { data } = await oryne.POST('/api/v1/auth/login', { body: { email, password } })
 *   oryne.signIn(data!.data.access_token)
 *   const courses = await oryne.GET('/api/v1/lms/courses')
 */
import createClient, { type Client } from 'openapi-fetch'
import type { paths } from './schema.js'

export type { components, operations, paths } from './schema.js'

export type OryneClientOptions = {
  /** Where Oryne answers, e.g. `https://api.oryne.example` (no trailing /api/v1). */
  baseUrl: string
  /** The tenant's slug or id, sent as X-Tenant-ID (not needed on the tenant's own domain). */
  tenant?: string
  /** A bearer credential to start with: an access token, an API key or the platform token. */
  token?: string
  fetch?: typeof fetch
}

export type OryneClient = Client<paths> & {
  /** Sends this bearer credential from now on (`null` signs out). */
  signIn(token: string | null): void
}

export function createOryneClient(options: OryneClientOptions): OryneClient {
  let token = options.token ?? null
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch })
  client.use({
    onRequest({ request }) {
      if (options.tenant) request.headers.set('X-Tenant-ID', options.tenant)
      if (token) request.headers.set('Authorization', `Bearer ${token}`)
      return request
    },
  })
  return Object.assign(client, {
    signIn(next: string | null) {
      token = next
    },
  })
}
