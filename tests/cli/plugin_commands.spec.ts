import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { buildCatalog } from '#core/plugins/catalog'
import type { Tenant } from '#core/tenancy/types'
import { runOryne, runOryneProcess } from '#tests/support/cli'
import { activeTenant } from '#tests/support/tenants'

/*
 * `oryne <plugin> <verb>`: commands a plugin contributes through its manifest
 * (the fixture tally's commands.ts), run with the runtime core commands get.
 */

const env = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL }

test.group('oryne <plugin> <verb>', (group) => {
  let school: Tenant
  let plain: Tenant
  group.setup(async () => {
    ;[school, plain] = await Promise.all([activeTenant(), activeTenant()])
    const plugins = await app.container.make('oryne.plugins')
    await plugins.enable(school, ['tally'], { actor: 'test' })
  })

  test('oryne --help lists the plugins that bring commands, and each lists its verbs', async ({
    assert,
  }) => {
    const help = await runOryne(['--help'])
    assert.equal(help.code, 0, help.stderr)
    assert.match(help.stdout, /^\s+tally\s.*Counts of what an institution holds/m)
    assert.match(help.stdout, /^\s+ai\s/m)
    // A plugin without commands adds no group.
    assert.notMatch(help.stdout, /^\s+notes\s/m)

    const verbs = await runOryne(['tally', '--help'])
    assert.equal(verbs.code, 0, verbs.stderr)
    assert.match(verbs.stdout, /users \[options\]\s+count a tenant's users/)
    assert.match(verbs.stdout, /echo \[options\] <words\.\.\.>/)
  })

  test("a command runs in the tenant's context, prints JSON with --json, and sets its exit code", async ({
    assert,
  }) => {
    const json = await runOryne(['tally', 'users', '--tenant', school.slug, '--json'])
    assert.equal(json.code, 0, json.stderr)
    // The tenant's admin, created with it: counted in its own schema.
    assert.deepEqual(JSON.parse(json.stdout), { ok: true, tenant: school.slug, users: 1 })

    const text = await runOryne(['tally', 'users', '--tenant', school.slug])
    assert.equal(text.code, 0, text.stderr)
    assert.equal(text.stdout, `${school.slug} has 1 user(s).\n`)

    const short = await runOryne(['tally', 'users', '--tenant', school.slug, '--at-least', '2'])
    assert.equal(short.code, 1)
    assert.equal(short.stdout, `${school.slug} has 1 user(s).\n`)

    const platform = await runOryne(['tally', 'echo', 'hello', 'world', '--json'])
    assert.equal(platform.code, 0, platform.stderr)
    assert.deepEqual(JSON.parse(platform.stdout), {
      ok: true,
      words: ['hello', 'world'],
      tenant: null,
    })
  })

  test('tenants without the plugin, unknown tenants, bad values and usage errors fail with their codes', async ({
    assert,
  }) => {
    const disabled = await runOryne(['tally', 'users', '--tenant', plain.slug, '--json'])
    assert.equal(disabled.code, 1)
    assert.equal(JSON.parse(disabled.stdout).error.code, 'ERR_PLUGIN_DISABLED')

    const unknown = await runOryne(['tally', 'users', '--tenant', 'no-such-school', '--json'])
    assert.equal(unknown.code, 1)
    assert.equal(JSON.parse(unknown.stdout).error.code, 'ERR_TENANT_NOT_FOUND')

    const bad = await runOryne(['tally', 'users', '--tenant', school.slug, '--at-least', 'x'])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /ERR_VALIDATION/)

    assert.equal((await runOryne(['tally', 'users'])).code, 2, 'no --tenant')
    assert.equal((await runOryne(['tally', 'sing'])).code, 2, 'no such verb')
    assert.equal((await runOryne(['nonsense'])).code, 2, 'no such command or plugin')
  })

  test('a real oryne process finds, boots and runs the command', async ({ assert }) => {
    const run = await runOryneProcess(
      ['tally', 'users', '--tenant', school.slug, '--json'],
      env,
      120_000
    )
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), { ok: true, tenant: school.slug, users: 1 })
  }).timeout(150_000)

  test('a manifest whose commands are malformed makes the plugin unavailable, naming the field', async ({
    assert,
  }) => {
    const manifest = (commands: unknown) => ({
      name: 'clumsy',
      version: '1.0.0',
      host: '^0.1.0',
      commands,
    })
    const run = () => {}
    const catalog = await buildCatalog(
      [
        { source: 'a', manifest: manifest({ name: 'x' }) },
        {
          source: 'b',
          manifest: {
            ...manifest([
              { name: 'Import', description: 'x', run },
              { name: 'sync', description: '', run },
              { name: 'sync', description: 'again', run: 'no', tenant: 'yes' },
            ]),
            name: 'clumsy-two',
          },
        },
      ],
      '0.1.0'
    )
    const reasons = (name: string) => {
      const entry = catalog.get(name)!
      return entry.available ? [] : entry.reasons
    }
    assert.deepEqual(reasons('clumsy'), [
      'commands: must be an array of commands (definePluginCommand)',
    ])
    assert.deepEqual(reasons('clumsy-two'), [
      'commands.0.name: must be a kebab-case verb (e.g. "import")',
      'commands.sync.description: must be a text for --help',
      'commands.sync: declared twice',
      'commands.sync.run: must be a function',
      'commands.sync.tenant: must be true or false',
    ])
  })
})
