import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { runOryne, runOryneProcess } from '#tests/support/cli'
import { activeTenant } from '#tests/support/tenants'
import { recordInteractions } from '#plugins/ai/services/interactions'
import { syntheticInteractions } from '#plugins/ai/training/synthetic'

/* `oryne ai`: evaluate, train, list and promote a tenant's models, as a platform admin's script would. */

/*
 * The commands run in this process, on its queues: the one job queued here
 * (`train` without --wait) is only checked for being queued, and whichever
 * worker may train it later changes nothing this file asserts.
 */
const oryne = (...args: string[]) => runOryne(['ai', ...args], {}, 120_000)

test.group('oryne ai', (group) => {
  let school: Tenant
  let plain: Tenant
  group.setup(async () => {
    ;[school, plain] = await Promise.all([activeTenant(), activeTenant()])
    const plugins = await app.container.make('oryne.plugins')
    await plugins.enable(school, ['ai'], { actor: 'test', withDependencies: true })
    await tenantContext.run(school, async () => {
      const users = await withTenantDb(async (trx) => {
        const rows = await trx
          .insertQuery()
          .table('users')
          .multiInsert(
            Array.from({ length: 80 }, (_, i) => ({
              email: `u${i}@${school.slug}.example`,
              name: `U ${i}`,
            }))
          )
          .returning('id')
        return rows.map((row) => String(row.id))
      })
      await recordInteractions(
        syntheticInteractions(users, { items: 80, groups: 4, perUser: 8 }),
        'test'
      )
    })
  })

  test('evaluate prints precision, recall and NDCG at 10 of the model next to the popularity baseline', async ({
    assert,
  }) => {
    const json = await oryne('evaluate', 'recommendations', '--tenant', school.slug, '--json')
    assert.equal(json.code, 0, json.stderr)
    const evaluation = JSON.parse(json.stdout)
    const [model, baseline] = evaluation.rows
    assert.equal(model.name, 'model (implicit ALS)')
    assert.equal(baseline.name, 'popularity baseline')
    assert.sameMembers(Object.keys(model.metrics), [
      'precision_at_10',
      'recall_at_10',
      'ndcg_at_10',
    ])
    assert.isAbove(model.metrics.ndcg_at_10, baseline.metrics.ndcg_at_10)

    const table = await oryne('evaluate', 'recommendations', '--tenant', school.slug)
    assert.equal(table.code, 0, table.stderr)
    assert.include(table.stdout, 'ndcg_at_10')
    assert.include(table.stdout, 'popularity baseline')
  })

  test('train --wait trains, registers and promotes; models lists it; promote refuses what does not exist', async ({
    assert,
  }) => {
    // A real process: training loads the trainer and ONNX Runtime on its own, as `oryne ai train` does.
    const trained = await runOryneProcess(
      ['ai', 'train', 'recommendations', '--tenant', school.slug, '--wait', '--json'],
      {},
      120_000
    )
    assert.equal(trained.code, 0, trained.stderr)
    const outcome = JSON.parse(trained.stdout)
    assert.isTrue(outcome.promoted)
    assert.equal(outcome.model.version, 1)

    const models = await oryne('models', '--tenant', school.slug, '--json')
    assert.equal(models.code, 0, models.stderr)
    const [model] = JSON.parse(models.stdout).models
    assert.include(model, {
      kind: 'recommendations',
      version: 1,
      status: 'promoted',
      source: 'trained',
    })
    assert.isAbove(model.size_bytes, 0)
    assert.exists(model.training_window.from)

    const again = await oryne('promote', 'recommendations', '1', '--tenant', school.slug, '--json')
    assert.equal(again.code, 0, again.stderr)
    const missing = await oryne(
      'promote',
      'recommendations',
      '42',
      '--tenant',
      school.slug,
      '--json'
    )
    assert.equal(missing.code, 1)
    assert.equal(JSON.parse(missing.stdout).error.code, 'ERR_AI_NOT_FOUND')

    const queued = await oryne('train', 'recommendations', '--tenant', school.slug, '--json')
    assert.equal(queued.code, 0, queued.stderr)
    assert.isTrue(JSON.parse(queued.stdout).queued)
  })

  test('unknown kinds, tenants without the module and missing options fail with their codes', async ({
    assert,
  }) => {
    const kind = await oryne('train', 'weather', '--tenant', school.slug, '--wait', '--json')
    assert.equal(kind.code, 1)
    assert.equal(JSON.parse(kind.stdout).error.code, 'ERR_AI_UNKNOWN_KIND')
    const disabled = await oryne('models', '--tenant', plain.slug, '--json')
    assert.equal(disabled.code, 1)
    assert.equal(JSON.parse(disabled.stdout).error.code, 'ERR_PLUGIN_DISABLED')
    const usage = await oryne('models')
    assert.equal(usage.code, 2)
  })
})
