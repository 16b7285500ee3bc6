import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { MetricSources } from '#core/observability/metrics'

test.group('Metrics', () => {
  test('GET /metrics exposes request durations by route and status, and process metrics', async ({
    client,
    assert,
  }) => {
    await client.get('/health/live')
    await client.get('/api/v1/missing')
    const response = await client.get('/metrics')
    response.assertStatus(200)
    assert.include(response.header('content-type'), 'text/plain')
    const text = response.text()
    assert.match(
      text,
      /oryne_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} [1-9]/
    )
    assert.match(
      text,
      /oryne_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} [1-9]/
    )
    assert.match(text, /oryne_process_resident_memory_bytes \d+/)
    assert.match(text, /oryne_nodejs_eventloop_lag_seconds/)
    // Alerting on tenants behind on migrations reads this gauge.
    assert.match(text, /oryne_tenant_migrations\{state="up_to_date"\} \d+/)
    assert.match(text, /oryne_tenant_migrations\{state="behind"\} \d+/)
    assert.match(text, /oryne_tenant_migrations\{state="failed"\} \d+/)
  })

  test('a burst of scrapes counts the fleet once', async ({ client, assert, cleanup }) => {
    let counted = 0
    const standard = await app.container.make('oryne.metric_sources')
    app.container.bindValue(
      'oryne.metric_sources',
      new MetricSources(standard.queueCounts, async () => {
        counted++
        return { up_to_date: 40 + counted, behind: 2, failed: 1 }
      })
    )
    cleanup(() => app.container.bindValue('oryne.metric_sources', standard))

    const first = await client.get('/metrics')
    const burst = await Promise.all([1, 2, 3].map(() => client.get('/metrics')))
    for (const response of [first, ...burst]) {
      response.assertStatus(200)
      assert.match(response.text(), /oryne_tenant_migrations\{state="up_to_date"\} 41\n/)
      assert.match(response.text(), /oryne_tenant_migrations\{state="behind"\} 2\n/)
    }
    assert.equal(counted, 1)
  })
})
