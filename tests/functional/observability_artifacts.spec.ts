import { readFileSync } from 'node:fs'
import { test } from '@japa/runner'

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')

/*
 * The alert rules and the Grafana dashboard in deploy/ query Oryne's own
 * metrics: every series they name must be one GET /metrics serves, so a
 * renamed metric cannot leave an alert silently watching nothing.
 */
test.group('Observability artefacts', () => {
  test('every metric the alert rules and the dashboard query is served at /metrics', async ({
    client,
    assert,
  }) => {
    await client.get('/health/live')
    const served = new Set(
      [...(await client.get('/metrics')).text().matchAll(/^(oryne_[a-z0-9_]+)/gm)].map(
        (match) => match[1]
      )
    )
    const dashboard = JSON.parse(read('deploy/grafana/oryne.json'))
    const expressions = [
      read('deploy/prometheus/alerts.yml'),
      ...dashboard.panels.flatMap((panel: any) => panel.targets.map((target: any) => target.expr)),
    ].join('\n')
    const queried = new Set([...expressions.matchAll(/\b(oryne_[a-z0-9_]+)/g)].map((m) => m[1]))
    assert.isAbove(queried.size, 4)
    for (const metric of queried) assert.isTrue(served.has(metric), `${metric} is not served`)
  })
})
