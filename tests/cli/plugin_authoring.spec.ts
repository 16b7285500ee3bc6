import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from '@japa/runner'
import { runOryne, runOryneProcess } from '#tests/support/cli'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A folder under tmp/ on ORYNE_PLUGIN_PATHS for this test only, removed afterwards. */
async function scratchRoot(cleanup: (fn: () => Promise<void>) => void) {
  const relative = `tmp/plugin-authoring-${randomBytes(4).toString('hex')}`
  await mkdir(join(ROOT, relative), { recursive: true })
  cleanup(() => rm(join(ROOT, relative), { recursive: true, force: true }))
  const env = {
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    ORYNE_PLUGIN_PATHS: `${process.env.ORYNE_PLUGIN_PATHS}:${relative}`,
  }
  return { relative, absolute: join(ROOT, relative), env }
}

test.group('oryne plugin: authoring', () => {
  test("every built-in plugin's migrations agree with its resources and its snapshot", async ({
    assert,
  }) => {
    // Only plugins/ (no test fixtures): what ships must pass the check its authors are told to run.
    const checked = await runOryne(['plugin', 'check', '--json'], {
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      ORYNE_PLUGIN_PATHS: '',
    })
    assert.equal(checked.code, 0, checked.stdout + checked.stderr)
    const { plugins } = JSON.parse(checked.stdout) as { plugins: Array<{ plugin: string }> }
    assert.includeMembers(
      plugins.map((p) => p.plugin),
      ['ai', 'erp', 'estore', 'events', 'hostel', 'library', 'lms', 'transport']
    )
  }).timeout(60_000)

  test("a scaffolded plugin's own test passes at once", async ({ assert, cleanup }) => {
    const scratch = await scratchRoot(cleanup)
    // `oryne --help` lists plugins' command groups from an index it keeps: a new plugin shows at once.
    const before = await runOryneProcess(['--help'], scratch.env)
    assert.notMatch(before.stdout, /^\s+book-club\s/m)
    const created = await runOryne(
      ['plugin', 'new', 'book-club', '--dir', scratch.relative, '--json'],
      scratch.env
    )
    assert.equal(created.code, 0, created.stdout + created.stderr)
    assert.sameMembers(JSON.parse(created.stdout).files, [
      'plugin.ts',
      'resources/items.ts',
      'commands.ts',
      'routes.ts',
      'ui/index.tsx',
      'ui/messages.ts',
      'tests/book_club.spec.ts',
      'migrations/0001_create_book_club_items.ts',
      'migrations/.snapshot.json',
    ])
    for (const file of ['plugin.ts', 'commands.ts', 'routes.ts']) {
      const source = await readFile(join(scratch.absolute, 'book-club', file), 'utf8')
      assert.deepEqual(
        [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]),
        ['@oryne/sdk'],
        file
      )
    }
    // Its web app page and messages use the app's kit only (docs/web.md, "A plugin's pages").
    for (const file of ['ui/index.tsx', 'ui/messages.ts']) {
      const source = await readFile(join(scratch.absolute, 'book-club', file), 'utf8')
      assert.deepEqual(
        [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]),
        ['@oryne/web'],
        file
      )
    }

    const after = await runOryneProcess(['--help'], scratch.env)
    assert.match(after.stdout, /^\s+book-club\s+Book Club for institutions \(plugin book-club\)/m)

    // A real process: `plugin test` runs the plugin's own suite on a throwaway database.
    const tested = await runOryneProcess(['plugin', 'test', 'book-club'], scratch.env, 110_000)
    assert.equal(tested.code, 0, tested.stdout + tested.stderr)
    assert.match(tested.stdout, /3 passed/)

    const again = await runOryne(
      ['plugin', 'new', 'book-club', '--dir', scratch.relative],
      scratch.env
    )
    assert.equal(again.code, 1)
    assert.match(again.stderr, /ERR_PLUGIN_EXISTS/)
    const reserved = await runOryne(
      ['plugin', 'new', 'admin', '--dir', scratch.relative],
      scratch.env
    )
    assert.equal(reserved.code, 1)
    assert.match(reserved.stderr, /reserved by the core API/)
  }).timeout(180_000)

  test('make-migration follows the resources; check fails until it has, and on edited migrations', async ({
    assert,
    cleanup,
  }) => {
    const scratch = await scratchRoot(cleanup)
    const oryne = (...args: string[]) => runOryne(['plugin', ...args], scratch.env)
    // Real processes once the plugin's files are edited: this process keeps the modules it
    // imported first (ES modules are cached for good), a new `oryne` reads the files as they are.
    const fresh = (...args: string[]) => runOryneProcess(['plugin', ...args], scratch.env)
    assert.equal((await oryne('new', 'reading-log', '--dir', scratch.relative)).code, 0)
    const dir = join(scratch.absolute, 'reading-log')
    assert.equal((await oryne('check', 'reading-log')).code, 0)

    const resource = join(dir, 'resources/items.ts')
    const source = await readFile(resource, 'utf8')
    await writeFile(
      resource,
      source.replace(
        'done: field.boolean({ default: false }),',
        'done: field.boolean({ default: false }),\n    pages: field.integer({ required: true }),'
      )
    )
    const stale = await fresh('check', 'reading-log', '--json')
    assert.equal(stale.code, 1)
    const error = JSON.parse(stale.stdout).error
    assert.equal(error.code, 'ERR_PLUGIN_MIGRATIONS_STALE')
    assert.deepEqual(error.details, [
      {
        field: 'reading-log',
        message: 'not migrated yet: add column reading_log_items.pages integer',
      },
    ])

    const unsafe = await fresh('make-migration', 'reading-log', '--json')
    assert.equal(unsafe.code, 1)
    assert.equal(JSON.parse(unsafe.stdout).error.code, 'ERR_PLUGIN_MIGRATION_UNSAFE')

    await writeFile(
      resource,
      source.replace(
        'done: field.boolean({ default: false }),',
        'done: field.boolean({ default: false }),\n    pages: field.integer({ required: true, default: 0 }),'
      )
    )
    const made = await fresh('make-migration', 'reading-log', '--json')
    assert.equal(made.code, 0, made.stdout + made.stderr)
    assert.equal(JSON.parse(made.stdout).name, '0002_alter_reading_log_items')
    const migration = join(dir, 'migrations/0002_alter_reading_log_items.ts')
    assert.include(
      await readFile(migration, 'utf8'),
      "table.integer('pages').notNullable().defaultTo(0)"
    )
    assert.equal((await fresh('check', 'reading-log')).code, 0)

    await writeFile(
      migration,
      (await readFile(migration, 'utf8')).replace('.defaultTo(0)', '.defaultTo(1)')
    )
    const edited = await fresh('check', 'reading-log', '--json')
    assert.equal(edited.code, 1)
    assert.deepEqual(JSON.parse(edited.stdout).error.details, [
      {
        field: 'reading-log',
        message:
          'migration 0002_alter_reading_log_items was edited after the snapshot (checksum differs)',
      },
    ])
    await writeFile(
      migration,
      (await readFile(migration, 'utf8')).replace('.defaultTo(1)', '.defaultTo(0)')
    )

    // A custom route without its OpenAPI description fails the check, naming the route.
    const routes = join(dir, 'routes.ts')
    await writeFile(
      routes,
      (await readFile(routes, 'utf8')).replace(
        'export default function routes(router: Router) {',
        "export default function routes(router: Router) {\n  router.post('/archive', async () => {})"
      )
    )
    const undescribed = await fresh('check', 'reading-log', '--json')
    assert.equal(undescribed.code, 1, undescribed.stdout + undescribed.stderr)
    const refusal = JSON.parse(undescribed.stdout).error
    assert.equal(refusal.code, 'ERR_PLUGIN_ROUTES_UNDESCRIBED')
    assert.deepEqual(refusal.details, [
      {
        field: 'reading-log',
        message:
          'route POST /api/v1/reading-log/archive is not described for the OpenAPI document (.describe({ summary, body, status, errors }))',
      },
    ])
  }).timeout(180_000)
})
