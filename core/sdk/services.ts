import { createHmac } from 'node:crypto'
import secrets from '#config/secrets'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { storageDir } from '../runtime/environment.js'
import { tenantStoragePath } from '../tenancy/scoping.js'
import type { DispatchOptions, JobDefinition } from '../jobs/types.js'

const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The absolute path of a file of the current tenant on local storage:
 * `<storage>/tenants/<tenant id>/<path>` (what backups carry). The path may not
 * climb out of the tenant's folder.
 */
export function tenantFilePath(path: string) {
  return join(storageDir(APP_ROOT), tenantStoragePath(path))
}

/** Queues a job for the current tenant (the tenant id travels in the payload). */
export async function dispatchJob<T>(
  job: string | JobDefinition<T>,
  data: T,
  options: DispatchOptions = {}
) {
  const { default: jobs } = await import('../services/jobs.js')
  return jobs.dispatch(job, data, options)
}

/**
 * The current tenant's users, as plugins may touch them: look one up by email,
 * or invite a new one with a built-in or custom role. Inside withTenantDb the
 * calls join the open transaction.
 */
export const tenantUsers = {
  async findByEmail(email: string): Promise<{ id: string; email: string; roles: string[] } | null> {
    const { identity } = await import('../auth/identity.js')
    try {
      const user = await identity.tenantUsers.find(email)
      return { id: user.id, email: user.email, roles: user.roles }
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_USER_NOT_FOUND') return null
      throw error
    }
  },

  /** An invited user (no password yet); the invitation token is returned once. */
  async invite(input: { email: string; name: string; role: string }) {
    const { identity } = await import('../auth/identity.js')
    const { user, inviteToken } = await identity.tenantUsers.create(input)
    return { id: user.id, email: user.email, inviteToken }
  },

  /** The user with this email, invited with `role` when there is none. */
  async findOrInvite(input: { email: string; name: string; role: string }) {
    const found = await tenantUsers.findByEmail(input.email)
    return found
      ? { id: found.id, email: found.email, inviteToken: null }
      : tenantUsers.invite(input)
  },
}

const signingKeys = new Map<string, Buffer>()

/**
 * A secret for one purpose (signed download links, unguessable room names),
 * derived from APP_KEY: purposes never share a key, and rotating APP_KEY voids
 * everything signed with the old one.
 */
export function signingKey(purpose: string): Buffer {
  let key = signingKeys.get(purpose)
  if (!key) {
    key = createHmac('sha256', secrets.appKey()).update(`oryne.signing:${purpose}`).digest()
    signingKeys.set(purpose, key)
  }
  return key
}
