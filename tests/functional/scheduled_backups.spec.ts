import { test } from '@japa/runner'
import { existsSync } from 'node:fs'
import db from '@adonisjs/lucid/services/db'
import { listBackups, runScheduledBackups } from '#core/backup/index'
import { activeTenant } from '#tests/support/tenants'

test.group('Scheduled backups', () => {
  test('back up every given tenant, prune old scheduled archives, keep manual ones', async ({
    assert,
  }) => {
    const [a, b] = [await activeTenant(), await activeTenant()]
    process.env.ORYNE_BACKUP_KEEP_DAILY = '1'
    process.env.ORYNE_BACKUP_KEEP_MONTHLY = '0'
    try {
      const first = await runScheduledBackups([a, b])
      assert.deepEqual(first, { backed_up: 2, pruned: 0, failed: [] })
      // Pretend the first round ran two days ago.
      const [old] = await listBackups(a.slug)
      await db
        .from('tenant_backups')
        .where('id', old.id)
        .update({ created_at: new Date(Date.now() - 2 * 86_400_000) })

      const second = await runScheduledBackups([a])
      assert.deepEqual(second, { backed_up: 1, pruned: 1, failed: [] })
      const left = await listBackups(a.slug)
      assert.lengthOf(left, 1)
      assert.notEqual(left[0].id, old.id)
      assert.isFalse(existsSync(old.path), 'the pruned archive file is gone')
      assert.isTrue(left[0].present)
      // Tenant B's archive is untouched by A's pruning.
      assert.lengthOf(await listBackups(b.slug), 1)
    } finally {
      delete process.env.ORYNE_BACKUP_KEEP_DAILY
      delete process.env.ORYNE_BACKUP_KEEP_MONTHLY
    }
  })

  test('a tenant that cannot be backed up is reported; the others still are', async ({
    assert,
  }) => {
    const good = await activeTenant()
    const ghost = { ...(await activeTenant()), id: '00000000-0000-4000-8000-000000000000' }
    const summary = await runScheduledBackups([ghost, good], { error() {} })
    assert.deepEqual(summary.failed, [ghost.slug])
    assert.equal(summary.backed_up, 1)
    assert.lengthOf(await listBackups(good.slug), 1)
  })
})
