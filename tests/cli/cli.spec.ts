import { test } from '@japa/runner'
import { readFileSync } from 'node:fs'
import { runOryne, runOryneProcess } from '#tests/support/cli'
import { enableUnloadable, forgetUnloadable } from '#tests/support/broken_plugins'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))

/** The run's own services, so child processes never start their own. */
const services = () => ({
  DATABASE_URL: process.env.DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL,
})

test.group('oryne CLI basics', () => {
  test('--help lists every top-level command and exits 0', async ({ assert }) => {
    const result = await runOryne(['--help'])
    assert.equal(result.code, 0)
    for (const command of ['up', 'serve', 'worker', 'doctor', 'migrate', 'jobs']) {
      assert.match(result.stdout, new RegExp(`^\\s+${command}\\b`, 'm'))
    }
  })

  test('--help works at every level', async ({ assert }) => {
    for (const args of [
      ['jobs', '--help'],
      ['migrate', '--help'],
      ['jobs', 'failed', '--help'],
      ['up', '--help'],
    ]) {
      const result = await runOryne(args)
      assert.equal(result.code, 0, args.join(' '))
      assert.match(result.stdout, /^Usage: oryne /m)
    }
  })

  test('--version prints the package version', async ({ assert }) => {
    // a real process: bin/oryne.js itself, the entry scripts probe with --version
    const result = await runOryneProcess(['--version'])
    assert.equal(result.code, 0)
    assert.equal(result.stdout.trim(), pkg.version)
  })

  test('usage errors exit 2', async ({ assert }) => {
    const unknownCommand = await runOryne(['enrol-everyone'])
    assert.equal(unknownCommand.code, 2)
    assert.match(unknownCommand.stderr, /unknown command 'enrol-everyone'/)

    const unknownOption = await runOryne(['doctor', '--colour'])
    assert.equal(unknownOption.code, 2)

    const missingArgument = await runOryne(['jobs', 'failed'])
    assert.equal(missingArgument.code, 2)
  })
})

test.group('oryne doctor', () => {
  test('--json reports every check and exits 0 when the required ones pass', async ({ assert }) => {
    const result = await runOryne(['doctor', '--json'], services())
    assert.equal(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.isTrue(report.ok)
    const byName = Object.fromEntries(report.checks.map((c: { name: string }) => [c.name, c]))
    assert.sameMembers(Object.keys(byName), [
      'node',
      'postgresql',
      'redis',
      'storage',
      'migrations',
      'plugins',
      'pg_dump',
    ])
    assert.equal(byName.node.status, 'ok')
    assert.equal(byName.postgresql.status, 'ok')
    assert.isAtLeast(Number(byName.postgresql.meta.version.split('.')[0]), 15)
    assert.equal(byName.postgresql.meta.source, 'external')
    assert.equal(byName.redis.status, 'ok')
    assert.equal(byName.storage.status, 'ok')
    assert.isTrue(byName.node.required)
    assert.isFalse(byName.pg_dump.required)
    // The test run's invalid fixture plugins (broken, future, ...) are listed; no tenant enabled one.
    assert.isTrue(byName.plugins.required)
    assert.equal(byName.plugins.status, 'warn')
    assert.include(
      byName.plugins.meta.unavailable.map((plugin: { name: string }) => plugin.name),
      'broken'
    )
  })

  test('lists a plugin that cannot load, and fails once a tenant has it enabled', async ({
    assert,
    cleanup,
  }) => {
    // a real process: its plugin host sees only the fixture that throws on import
    const env = { ...services(), ORYNE_PLUGIN_PATHS: 'tests/fixtures/broken-plugins' }
    const unused = await runOryneProcess(['doctor', '--json'], env)
    assert.equal(unused.code, 0, unused.stdout)
    const warned = JSON.parse(unused.stdout).checks.find(
      (c: { name: string }) => c.name === 'plugins'
    )
    assert.equal(warned.status, 'warn')
    assert.match(
      warned.message,
      /exploding \(tests\/fixtures\/broken-plugins\/exploding\/plugin\.ts\)/
    )
    assert.match(warned.message, /@oryne\/not-installed-anywhere/)

    const slug = await enableUnloadable('exploding')
    cleanup(() => forgetUnloadable('exploding'))
    const used = await runOryneProcess(['doctor'], env)
    assert.equal(used.code, 1, used.stdout)
    assert.match(used.stdout, new RegExp(`plugins .*FAILED.*exploding.*\\[${slug}\\]`))
    assert.match(used.stdout, /A required check failed/)
  })

  test('exits 1 and names the failing check when PostgreSQL is unreachable', async ({ assert }) => {
    // a real process: doctor's family, started on a DATABASE_URL this process does not have
    const result = await runOryneProcess(['doctor', '--json'], {
      ...services(),
      DATABASE_URL: 'postgres://oryne:oryne@127.0.0.1:1/oryne',
    })
    assert.equal(result.code, 1)
    const report = JSON.parse(result.stdout)
    assert.isFalse(report.ok)
    const postgres = report.checks.find((c: { name: string }) => c.name === 'postgresql')
    assert.equal(postgres.status, 'fail')
    assert.match(postgres.message, /ECONNREFUSED/)
  })
})

test.group('production configuration', () => {
  test('refuses to start without DATABASE_URL and REDIS_URL, naming both', async ({ assert }) => {
    // a real process: NODE_ENV=production, which the test process is not
    const result = await runOryneProcess(['serve'], {
      NODE_ENV: 'production',
      DATABASE_URL: '',
      REDIS_URL: '',
    })
    assert.equal(result.code, 1)
    assert.match(result.stderr, /ERR_CONFIG_MISSING/)
    assert.match(result.stderr, /DATABASE_URL and REDIS_URL must be set/)
  })

  test('names only the missing one', async ({ assert }) => {
    // a real process: NODE_ENV=production, which the test process is not
    const result = await runOryneProcess(['migrate', '--json'], {
      NODE_ENV: 'production',
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: '',
    })
    assert.equal(result.code, 1)
    const body = JSON.parse(result.stdout)
    assert.equal(body.error.code, 'ERR_CONFIG_MISSING')
    assert.match(body.error.message, /^REDIS_URL must be set/)
  })
})
