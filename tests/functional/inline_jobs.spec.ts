import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import logger from '@adonisjs/core/services/logger'
import { JobsService } from '#core/jobs/jobs_service'
import { InlineDriver } from '#core/jobs/inline_driver'
import { defineJob } from '#core/jobs/define_job'

/** Jobs without Redis (`oryne up` on a machine with no redis-server): same rules, in this process. */
test.group('Inline jobs (no Redis)', () => {
  test('run in process with retries and backoff; exhausted jobs are listed and retryable', async ({
    assert,
  }) => {
    const service = new JobsService(new InlineDriver(logger), logger)
    const attempts: number[] = []
    defineJob({
      name: 'test.inline_flaky',
      queue: 'test-inline',
      attempts: 3,
      backoff: 50,
      handle: (_data, context) => {
        attempts.push(context.attempt)
        if (context.attempt < 3) throw new Error('not yet')
      },
    })
    defineJob({
      name: 'test.inline_doomed',
      queue: 'test-inline',
      attempts: 2,
      backoff: 20,
      handle: () => {
        throw new Error('never')
      },
    })
    await service.work(['test-inline'])
    await service.dispatch('test.inline_flaky', {}, { tenantId: null })
    const doomed = await service.dispatch('test.inline_doomed', { n: 1 }, { tenantId: null })
    for (
      let i = 0;
      i < 100 && (attempts.length < 3 || !(await service.failed('test-inline')).length);
      i++
    ) {
      await sleep(20)
    }
    assert.deepEqual(attempts, [1, 2, 3])
    const failed = await service.failed('test-inline')
    assert.lengthOf(failed, 1)
    assert.equal(failed[0].id, doomed)
    assert.equal(failed[0].failed_reason, 'never')
    assert.equal(failed[0].attempts_made, 2)
    const [status] = await service.status(['test-inline'])
    assert.equal(status.failed, 1)
    await service.retry('test-inline', doomed)
    assert.lengthOf(await service.failed('test-inline'), 0)
    await service.close()
  })
})
