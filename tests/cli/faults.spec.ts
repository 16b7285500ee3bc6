import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import getPort from 'get-port'
import { signedInAs } from '#tests/support/access'
import { startOryne } from '#tests/support/cli'
import { startFaultProxy, type FaultProxy } from '#tests/support/fault_proxy'
import { activeTenant } from '#tests/support/tenants'

type Outcome = {
  kind: 'write' | 'read'
  key: string
  status: number
  code?: string
  ms: number
  at: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The same URL with host:port replaced by the proxy's. */
function through(url: string, proxy: FaultProxy) {
  const parsed = new URL(url)
  parsed.host = proxy.address
  return parsed.toString()
}

/*
 * Faults under load: an `oryne serve` process reaches PostgreSQL and Redis
 * through TCP proxies the test cuts and restores (established connections
 * reset, new ones refused — what a crash and restart of the server looks like
 * to its clients). Four clients keep writing and reading meanwhile.
 */
test.group('Faults under load', () => {
  for (const service of ['PostgreSQL', 'Redis'] as const) {
    const title =
      service === 'PostgreSQL'
        ? 'PostgreSQL going away: every request fails fast with 503 and a code, recovers by itself, nothing half-written'
        : 'Redis going away: reads and writes go on, queueing a job fails fast with 503, no queued job is lost'
    test(title, async ({ assert, cleanup }) => {
      const tenant = await activeTenant()
      const host = await app.container.make('oryne.plugins')
      await host.enable(tenant, ['erp'], { actor: 'test' })
      const token = await signedInAs(tenant, `ops@${tenant.slug}.example`, ['TenantAdmin'])

      const database = new URL(process.env.DATABASE_URL!)
      const redis = new URL(process.env.REDIS_URL!)
      const proxies = {
        PostgreSQL: await startFaultProxy({ host: database.hostname, port: Number(database.port) }),
        Redis: await startFaultProxy({ host: redis.hostname, port: Number(redis.port) }),
      }
      cleanup(async () => {
        await proxies.PostgreSQL.close()
        await proxies.Redis.close()
      })
      const port = await getPort()
      const server = startOryne(['serve', '--port', String(port), '--host', '127.0.0.1'], {
        DATABASE_URL: through(process.env.DATABASE_URL!, proxies.PostgreSQL),
        REDIS_URL: through(process.env.REDIS_URL!, proxies.Redis),
      })
      cleanup(async () => void (await server.stop('SIGKILL')))
      const worker = startOryne(['worker'], {
        LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'warn',
        DATABASE_URL: through(process.env.DATABASE_URL!, proxies.PostgreSQL),
        REDIS_URL: through(process.env.REDIS_URL!, proxies.Redis),
      })
      cleanup(async () => void (await worker.stop('SIGKILL')))
      await server.waitFor(/listening on/, 90_000)
      await worker.waitFor(/Oryne worker/, 90_000)

      const base = `http://127.0.0.1:${port}/api/v1/erp/students`
      const headers = {
        'authorization': `Bearer ${token}`,
        'x-tenant-id': tenant.slug,
        'content-type': 'application/json',
      }
      /** A CSV import: a queued job the worker runs. */
      const importStudents = async (prefix: string) => {
        const form = new FormData()
        const csv = `enrollment_no,first_name,last_name\n${prefix}-1,Job,One\n${prefix}-2,Job,Two\n`
        form.append('file', new Blob([csv], { type: 'text/csv' }), 'students.csv')
        const begun = Date.now()
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/erp/imports/students`, {
          method: 'POST',
          headers: { 'authorization': headers.authorization, 'x-tenant-id': tenant.slug },
          body: form,
          signal: AbortSignal.timeout(15_000),
        })
        const body = (await response.json()) as any
        return {
          status: response.status,
          code: body.error?.code,
          id: body.data?.id,
          ms: Date.now() - begun,
        }
      }
      const importStatus = async (id: string) => {
        for (let i = 0; i < 200; i++) {
          const response = await fetch(`http://127.0.0.1:${port}/api/v1/erp/imports/${id}`, {
            headers,
          })
          const status = ((await response.json()) as any).data?.status
          if (status === 'completed' || status === 'failed') return status
          await sleep(100)
        }
        return 'unfinished'
      }
      const queuedBefore = await importStudents('JB')
      assert.equal(queuedBefore.status, 202)

      const outcomes: Outcome[] = []
      const started = Date.now()
      let running = true
      let sequence = 0
      const client = async (id: number) => {
        while (running) {
          const write = sequence % 2 === 0
          const key = `F-${id}-${sequence++}`
          const begun = Date.now()
          let status = 0
          let code: string | undefined
          try {
            const response = await fetch(write ? base : `${base}?per_page=5`, {
              method: write ? 'POST' : 'GET',
              headers,
              body: write
                ? JSON.stringify({ enrollment_no: key, first_name: 'Fault', last_name: 'Tolerant' })
                : undefined,
              signal: AbortSignal.timeout(15_000),
            })
            status = response.status
            const body = (await response.json().catch(() => null)) as any
            code = body?.error?.code
          } catch {
            status = -1
          }
          outcomes.push({
            kind: write ? 'write' : 'read',
            key,
            status,
            code,
            ms: Date.now() - begun,
            at: begun - started,
          })
          await sleep(50)
        }
      }
      const clients = Promise.all([1, 2, 3, 4].map(client))

      await sleep(3000)
      const cutAt = Date.now() - started
      await proxies[service].cut()
      await sleep(1500)
      const queuedDuring = await importStudents('JD').catch(() => ({
        status: -1,
        code: undefined,
        id: undefined,
        ms: 0,
      }))
      await sleep(4500)
      const restoredAt = Date.now() - started
      await proxies[service].restore()
      await sleep(10_000)
      running = false
      await clients

      const before = outcomes.filter((o) => o.at + o.ms < cutAt)
      // Requests that began a second after the cut and ended before the restore: the outage as clients saw it.
      const during = outcomes.filter((o) => o.at > cutAt + 1000 && o.at + o.ms < restoredAt)
      // Recovery within 5 seconds of the restore, without restarting anything.
      const after = outcomes.filter((o) => o.at > restoredAt + 5000)
      const summary = JSON.stringify({
        before: before.length,
        during: during.map((o) => `${o.kind} ${o.status} ${o.code} ${o.ms}ms`).slice(0, 20),
        after: after.map((o) => `${o.kind} ${o.status} ${o.code}`).slice(0, 20),
      })
      assert.isAbove(before.length, 4, summary)
      assert.isTrue(
        before.every((o) => o.status === 200 || o.status === 201),
        summary
      )
      assert.isAbove(during.length, 4, summary)
      if (service === 'PostgreSQL') {
        // Nothing works without the database: every request says so at once.
        for (const outcome of during) {
          assert.equal(outcome.status, 503, summary)
          assert.equal(outcome.code, 'ERR_SERVICE_UNAVAILABLE', summary)
          assert.isBelow(outcome.ms, 3000, summary)
        }
      } else {
        // Reads and writes do not need Redis (rate limits fall back to per-process counters) ...
        for (const outcome of during) {
          assert.oneOf(outcome.status, [200, 201], summary)
          assert.isBelow(outcome.ms, 2000, summary)
        }
      }
      // ... but queueing a job does: refused at once, and no import is left waiting for a job that does not exist.
      assert.equal(queuedDuring.status, 503, JSON.stringify(queuedDuring))
      assert.equal(queuedDuring.code, 'ERR_SERVICE_UNAVAILABLE')
      assert.isBelow(queuedDuring.ms, 3000)
      const stuck = await db.rawQuery(
        `SELECT count(*)::int AS n FROM "${tenant.schema_name}".erp_imports WHERE status = 'queued' AND id <> ?`,
        [queuedBefore.id]
      )
      assert.equal(stuck.rows[0].n, 0)
      assert.isAbove(after.length, 4, summary)
      assert.isTrue(
        after.every((o) => o.status === 200 || o.status === 201),
        summary
      )

      // Every write the API confirmed is stored, with the audit entry of its transaction.
      const schema = tenant.schema_name
      const rows = await db.rawQuery(
        `SELECT s.enrollment_no, count(a.id) AS audited FROM "${schema}".erp_students s
           LEFT JOIN "${schema}".audit_log a ON a.subject = 'erp.students:' || s.id
          WHERE s.enrollment_no LIKE 'F-%' GROUP BY s.enrollment_no`
      )
      const stored = new Map<string, number>(
        rows.rows.map((row: any) => [row.enrollment_no, Number(row.audited)])
      )
      for (const outcome of outcomes.filter((o) => o.kind === 'write' && o.status === 201))
        assert.isTrue(stored.has(outcome.key), `${outcome.key} was confirmed but is not stored`)
      for (const [key, audited] of stored) assert.isAbove(audited, 0, `${key} has no audit entry`)

      // No job lost: the one queued before the outage and one queued after it both ran.
      const queuedAfter = await importStudents('JA')
      assert.equal(queuedAfter.status, 202)
      const jobLog = () =>
        worker
          .output()
          .split('\n')
          .filter((line) => !line.includes('queue error'))
          .join('\n')
      assert.equal(await importStatus(queuedBefore.id), 'completed', jobLog())
      assert.equal(await importStatus(queuedAfter.id), 'completed', jobLog())

      assert.equal(await server.stop('SIGTERM'), 0)
      assert.equal(await worker.stop('SIGTERM'), 0)
    }).timeout(180_000)
  }
})
