import { test } from '@japa/runner'
import getPort from 'get-port'
import { runOryne, startOryne } from '#tests/support/cli'
import { activeTenant } from '#tests/support/tenants'

const services = () => ({
  DATABASE_URL: process.env.DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL,
})

test.group('oryne plugin', () => {
  test('enable and disable take effect at once in a server that was already running', async ({
    assert,
    cleanup,
  }) => {
    const tenant = await activeTenant()
    const port = await getPort()
    const server = startOryne(['serve', '--port', String(port), '--host', '127.0.0.1'], services())
    cleanup(async () => void (await server.stop('SIGKILL')))
    await server.waitFor(/listening on/)
    const notes = () =>
      fetch(`http://127.0.0.1:${port}/api/v1/notes/notes`, {
        headers: { 'x-tenant-id': tenant.slug },
      })

    const before = await notes()
    assert.equal(before.status, 404)
    assert.equal(((await before.json()) as any).error.code, 'ERR_PLUGIN_DISABLED')

    const enabled = await runOryne(
      ['plugin', 'enable', 'notes', '--tenant', tenant.slug, '--json'],
      services()
    )
    assert.equal(enabled.code, 0, enabled.stderr)
    assert.deepEqual(JSON.parse(enabled.stdout).enabled, ['notes'])
    assert.equal((await notes()).status, 200)

    const disabled = await runOryne(
      ['plugin', 'disable', 'notes', '--tenant', tenant.slug],
      services()
    )
    assert.equal(disabled.code, 0, disabled.stderr)
    assert.match(disabled.stdout, /its data is kept/)
    assert.equal((await notes()).status, 404)
    assert.equal(await server.stop('SIGTERM'), 0)
  }).timeout(120_000)

  test('list shows availability with reasons, and the state for a tenant', async ({ assert }) => {
    const tenant = await activeTenant()
    const all = await runOryne(['plugin', 'list', '--json'], services())
    assert.equal(all.code, 0, all.stderr)
    const byName = Object.fromEntries(
      JSON.parse(all.stdout).map((p: { name: string }) => [p.name, p])
    )
    assert.isTrue(byName.notes.available)
    assert.isFalse(byName.broken.available)
    assert.match(byName.broken.reasons[0], /^version: /)

    await runOryne(['plugin', 'enable', 'notes-tags', '--tenant', tenant.slug], services())
    const forTenant = await runOryne(
      ['plugin', 'list', '--tenant', tenant.slug, '--json'],
      services()
    )
    const states = Object.fromEntries(
      JSON.parse(forTenant.stdout).map((p: { name: string; status: string }) => [p.name, p.status])
    )
    assert.equal(states.notes, 'enabled')
    assert.equal(states['notes-tags'], 'enabled')
    assert.equal(states.future, 'not_installed')
  })

  test('--no-deps refuses and names the missing dependencies; errors exit 1 with their codes', async ({
    assert,
  }) => {
    const tenant = await activeTenant()
    const refused = await runOryne(
      ['plugin', 'enable', 'notes-tags', '--tenant', tenant.slug, '--no-deps', '--json'],
      services()
    )
    assert.equal(refused.code, 1)
    const body = JSON.parse(refused.stdout)
    assert.equal(body.error.code, 'ERR_PLUGIN_DEPENDENCIES_MISSING')
    assert.deepEqual(body.error.details.missing, ['notes'])

    const unknown = await runOryne(
      ['plugin', 'enable', 'ghost', '--tenant', tenant.slug],
      services()
    )
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /ERR_PLUGIN_NOT_FOUND/)

    const usage = await runOryne(['plugin', 'enable', 'notes'], services())
    assert.equal(usage.code, 2)
  })
})
