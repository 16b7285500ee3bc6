import { test } from '@japa/runner'
import jobs from '#core/services/jobs'
import type { BullDriver } from '#core/jobs/bull_driver'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'

/** The repeatable jobs bull keeps for the LMS's due-soon sweep, by key. */
async function dueSoonKeys() {
  const queue = (jobs.driver as BullDriver).queue('default')
  const repeatable = await queue.getRepeatableJobs()
  return repeatable
    .filter((job) => job.name === 'lms.assignment_due_soon')
    .map((job) => job.id as string)
}

test.group('Plugin schedules', () => {
  test("enabling a plugin starts its per-tenant schedules; disabling stops them, only that tenant's", async ({
    client,
    assert,
  }) => {
    const [a, b] = [await activeTenant(), await activeTenant()]
    for (const tenant of [a, b]) {
      const enabled = await client
        .post(`/api/v1/platform/tenants/${tenant.slug}/plugins/lms/enable`)
        .bearerToken(PLATFORM_TOKEN())
        .json({})
      enabled.assertStatus(200)
    }
    const keys = await dueSoonKeys()
    assert.includeMembers(keys, [`lms.${a.id}`, `lms.${b.id}`])

    const disabled = await client
      .post(`/api/v1/platform/tenants/${a.slug}/plugins/lms/disable`)
      .bearerToken(PLATFORM_TOKEN())
      .json({})
    disabled.assertStatus(200)
    const after = await dueSoonKeys()
    assert.notInclude(after, `lms.${a.id}`)
    assert.include(after, `lms.${b.id}`)
  })
})
