import { test } from '@japa/runner'
import { expiredBackups } from '#core/backup/schedule'

const at = (iso: string, id = iso) => ({ id, created_at: new Date(iso) })

test.group('Backup retention', () => {
  test('keeps the newest backup of each recent day and of each recent month', ({ assert }) => {
    const backups = [
      at('2026-11-25T01:15:00Z'),
      at('2026-11-25T13:00:00Z'),
      at('2026-11-24T01:15:00Z'),
      at('2026-11-23T01:15:00Z'),
      at('2026-11-01T01:15:00Z'),
      at('2026-10-31T01:15:00Z'),
      at('2026-10-15T01:15:00Z'),
      at('2026-09-30T01:15:00Z'),
      at('2026-08-30T01:15:00Z'),
    ]
    const expired = expiredBackups(backups, { daily: 2, monthly: 3 }).map((b) => b.id)
    // Days kept: 11-25 (13:00), 11-24. Months kept: 11 (11-25 13:00), 10 (10-31), 09 (09-30).
    assert.sameMembers(expired, [
      '2026-11-25T01:15:00Z',
      '2026-11-23T01:15:00Z',
      '2026-11-01T01:15:00Z',
      '2026-10-15T01:15:00Z',
      '2026-08-30T01:15:00Z',
    ])
  })

  test('never drops the newest backup, even with nothing to keep', ({ assert }) => {
    const backups = [at('2026-11-25T01:00:00Z', 'new'), at('2026-11-20T01:00:00Z', 'old')]
    assert.deepEqual(
      expiredBackups(backups, { daily: 0, monthly: 0 }).map((b) => b.id),
      ['old']
    )
    assert.deepEqual(expiredBackups([], { daily: 1, monthly: 1 }), [])
  })
})
