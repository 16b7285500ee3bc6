/*
 * Test helpers for a plugin's own Japa tests (`@oryne/sdk/testing`). A plugin's
 * tests run against a real, booted Oryne (`oryne plugin test <name>`): they
 * make a tenant with the plugin enabled and speak to it through HTTP or the SDK.
 *
 * ```ts
 * const tenant = await testTenant({ plugins: ['library'] })
 * const created = await tenantApi(client, tenant).post('/library/books').json({ title: 'Dune' })
 * ```
 */
import { randomBytes } from 'node:crypto'
import type { ApiClient, ApiRequest } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import { tenantContext } from '../tenancy/context.js'
import type { Tenant } from '../tenancy/types.js'

const ACTOR = 'test'

export type TestTenantOptions = {
  /** Slug of the tenant; a unique one by default. */
  slug?: string
  /** Plugins to enable (their dependencies are enabled first). */
  plugins?: string[]
  /** Settings per plugin, validated as `PATCH .../settings` would. */
  settings?: Record<string, Record<string, unknown>>
}

/** A new, active tenant with `plugins` enabled: each test gets a schema of its own. */
export async function testTenant(options: TestTenantOptions = {}): Promise<Tenant> {
  const tenancy = await app.container.make('oryne.tenancy')
  const slug = options.slug ?? `test-${randomBytes(4).toString('hex')}`
  const created = await tenancy.create(
    { slug, name: `School ${slug}`, adminEmail: `admin@${slug}.example` },
    ACTOR
  )
  const { tenant } = await tenancy.provisionNow(created.id, ACTOR)
  if (options.plugins?.length)
    await tenancy.plugins.enable(tenant, options.plugins, { actor: ACTOR })
  for (const [plugin, values] of Object.entries(options.settings ?? {}))
    await tenancy.plugins.updateSettings(tenant, plugin, values, { actor: ACTOR })
  return tenant
}

/** Runs `fn` as code of `tenant` (withTenantDb, emitEvent, pluginSettings, models). */
export function asTenant<T>(tenant: Tenant, fn: () => T): T {
  return tenantContext.run(tenant, fn)
}

/** The platform token: every permission in every tenant (what automation and tests use). */
export function platformToken() {
  const token = process.env.ORYNE_PLATFORM_TOKEN
  if (!token)
    throw new Error('ORYNE_PLATFORM_TOKEN is not set: run the tests through `oryne plugin test`')
  return token
}

/**
 * Requests to `/api/v1<path>` of `tenant` (X-Tenant-ID), signed with the
 * platform token unless `token` names another bearer (a user's access token).
 */
export function tenantApi(client: ApiClient, tenant: Tenant, token = platformToken()) {
  // Any path of any plugin: the request is not tied to the typed routes of the application.
  const request = (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string): ApiRequest =>
    (client[method](`/api/v1${path}`) as ApiRequest)
      .header('X-Tenant-ID', tenant.slug)
      .bearerToken(token)
  return {
    get: (path: string) => request('get', path),
    post: (path: string) => request('post', path),
    put: (path: string) => request('put', path),
    patch: (path: string) => request('patch', path),
    delete: (path: string) => request('delete', path),
  }
}
