import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TenancyService } from '../tenancy/tenancy_service.js'
import { createTenantBackup } from './create.js'
import { restoreTenantBackup } from './restore.js'

/**
 * A new tenant with a copy of another's data and files: a backup into a
 * temporary archive restored under the new slug, then the archive removed.
 * The source keeps serving throughout (the backup only reads, in one snapshot).
 * Like any restore under a new slug, the copy keeps no credential of the
 * source's (core/backup/credentials.ts).
 */
export async function cloneTenant(
  tenancy: TenancyService,
  sourceSlug: string,
  newSlug: string,
  options: { actor: string; files?: boolean }
) {
  const source = await tenancy.registry.findOrFail(sourceSlug)
  const dir = await mkdtemp(join(tmpdir(), 'oryne-clone-'))
  try {
    const archive = await createTenantBackup(source, {
      reason: `clone to ${newSlug}`,
      actor: options.actor,
      out: join(dir, 'clone.tar.gz'),
      files: options.files,
      record: false,
    })
    const restored = await restoreTenantBackup(tenancy, archive.path, {
      as: newSlug,
      actor: options.actor,
    })
    return { ...restored, source: { tenant: source.slug } }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
