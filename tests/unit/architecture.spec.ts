import { test } from '@japa/runner'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import app from '@adonisjs/core/services/app'
import { findCycles, importGraph, type ImportEdge } from '#tests/support/import_graph'
import { foreignTableMentions, tableOwners } from '#tests/support/plugin_tables'

/**
 * The house rules of docs/plugins.md and DESIGN.md, read off the import graph.
 * Boundary rules count every import, type-only and dynamic ones included: a
 * type from a plugin is still core knowing the plugin. Cycles count runtime
 * imports only; see the cycle test for why.
 */
const SOURCES = ['core', 'cli', 'start', 'config', 'bin', 'plugins', 'packages', 'web']
const SDK = ['packages/sdk/index.ts']
const SDK_TESTING = 'packages/sdk/testing.ts'

const graph = importGraph(app.makePath(), SOURCES)
const show = (edge: ImportEdge) =>
  `${edge.from}:${edge.line} imports '${edge.specifier}'${edge.to ? ` (${edge.to})` : ''}${edge.kind === 'static' ? '' : ` [${edge.kind}]`}`
const ownerOf = (path: string) => /^plugins\/([^/]+)\//.exec(path)?.[1]

async function declaredDependencies(plugin: string): Promise<string[]> {
  const manifest = await import(pathToFileURL(app.makePath('plugins', plugin, 'plugin.ts')).href)
  return Object.keys(manifest.default.dependencies ?? {})
}

test.group('Architecture', () => {
  test('every import of a repository module resolves', ({ assert }) => {
    const broken = graph.filter(
      (edge) =>
        !edge.to &&
        (edge.specifier.startsWith('.') || edge.specifier.startsWith('#')) &&
        // Stylesheets are the bundler's (the web app and the console import theirs).
        !edge.specifier.endsWith('.css')
    )
    assert.deepEqual(broken.map(show), [], 'imports that resolve to no file')
  })

  test('adonisrc.ts names only folders that exist', async ({ assert }) => {
    const { default: rc } = await import(pathToFileURL(app.makePath('adonisrc.ts')).href)
    const missing = Object.entries(rc.directories as Record<string, string>)
      .filter(([, folder]) => !existsSync(app.makePath(folder)))
      .map(([key, folder]) => `${key}: ${folder}`)
    assert.deepEqual(missing, [])
  })

  test('core reads the environment through config/, not start/env', ({ assert }) => {
    const offending = graph.filter(
      (edge) =>
        edge.from.startsWith('core/') &&
        edge.to === 'start/env.ts' &&
        // Booting is what loads and validates the environment.
        edge.from !== 'core/runtime/ignite.ts'
    )
    assert.deepEqual(offending.map(show), [])
  })

  test('core imports no plugin and nothing under tests/', ({ assert }) => {
    const offending = graph.filter(
      (edge) =>
        edge.from.startsWith('core/') &&
        (edge.to?.startsWith('plugins/') || edge.to?.startsWith('tests/'))
    )
    assert.deepEqual(
      offending.map(show),
      [],
      'core must reach plugins through the host, and never tests/'
    )
  })

  test('a plugin imports only the SDK, its own files and its dependencies’ index.ts', async ({
    assert,
  }) => {
    const plugins = readdirSync(app.makePath('plugins'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
    const allowed = new Map<string, Set<string>>()
    for (const plugin of plugins) {
      const dependencies = await declaredDependencies(plugin)
      allowed.set(
        plugin,
        new Set([...SDK, ...dependencies.map((name) => `plugins/${name}/index.ts`)])
      )
    }

    const offending = graph.filter((edge) => {
      const plugin = ownerOf(edge.from)
      if (!plugin || !edge.to) return false
      if (ownerOf(edge.to) === plugin || allowed.get(plugin)!.has(edge.to)) return false
      return !(edge.to === SDK_TESTING && edge.from.startsWith(`plugins/${plugin}/tests/`))
    })
    assert.deepEqual(
      offending.map(show),
      [],
      'plugins may import @oryne/sdk (@oryne/sdk/testing in tests/), their own files, and the index.ts of plugins their manifest depends on'
    )
  })

  /**
   * docs/plugins.md, "Using another plugin": a plugin reads another plugin's
   * data through what that plugin's index.ts exports (row rules, subqueries,
   * relations, lookups), never by naming its tables. The one exception is
   * a migration naming the tables of a declared dependency, in a foreign key
   * or a view: a schema dependency PostgreSQL itself records. The owner of a
   * table is the plugin whose migrations create it.
   */
  test('a plugin names no table of another plugin, but in migrations over its dependencies', async ({
    assert,
  }) => {
    // The scan sees what it should: owners from the migrations, the allowed foreign keys.
    assert.equal(tableOwners(app.makePath()).get('erp_students'), 'erp')
    const mentions = foreignTableMentions(app.makePath())
    assert.isTrue(
      mentions.some((m) => m.file.startsWith('plugins/library/migrations/') && m.owner === 'erp')
    )
    const dependencies = new Map<string, string[]>()
    const offending: string[] = []
    for (const mention of mentions) {
      if (!dependencies.has(mention.plugin))
        dependencies.set(mention.plugin, await declaredDependencies(mention.plugin))
      if (mention.migration && dependencies.get(mention.plugin)!.includes(mention.owner)) continue
      offending.push(`${mention.file}:${mention.line} names ${mention.table} (${mention.owner})`)
    }
    assert.deepEqual(
      offending,
      [],
      "read another plugin's tables through its index.ts exports (docs/plugins.md, Using another plugin)"
    )
  })

  /**
   * The web app's side (docs/web.md): a plugin's ui/ is bundled into the
   * browser, so it speaks only `@oryne/web` and Preact, and no server code
   * loads it; the app itself reaches plugins only through the bundler's
   * virtual module and the server only through the API.
   */
  test('plugin UI modules and the web app stay on their side of the API', ({ assert }) => {
    const BROWSER_PACKAGES = new Set(['@oryne/web', 'preact', 'preact/hooks'])
    const uiOf = (path: string) => /^plugins\/[^/]+\/ui\//.exec(path)?.[0]
    const offending = graph.filter((edge) => {
      const ui = uiOf(edge.from)
      // Its own stylesheets (`./desk.css`) are the bundler's: relative, so inside ui/.
      if (ui && edge.specifier.startsWith('./') && edge.specifier.endsWith('.css')) return false
      if (ui) return edge.to ? !edge.to.startsWith(ui) : !BROWSER_PACKAGES.has(edge.specifier)
      if (edge.to && uiOf(edge.to)) return true
      if (edge.from.startsWith('web/'))
        return Boolean(edge.to && !edge.to.startsWith('web/') && edge.kind !== 'type')
      return false
    })
    assert.deepEqual(
      offending.map(show),
      [],
      'ui/ modules import @oryne/web, preact and their own ui/ files; nothing else imports them; web/ imports no server module'
    )
  })

  /**
   * Core services are container bindings, made with what they need and
   * resolved where needed (core/providers): no module-level `useX`/`setX`
   * that fills a global after import, nor an exported `let` someone reassigns.
   * (Async `set…` functions are domain writes, e.g. notification preferences.)
   */
  test('core exports no use…/set… setters of module-level state', ({ assert }) => {
    const SETTER = /^export function ((?:use|set)[A-Z]\w*)|^export let (\w+)/gm
    const files = [...new Set(graph.map((edge) => edge.from))].filter(
      (path) => path.startsWith('core/') && path.endsWith('.ts')
    )
    const offending = files.flatMap((path) =>
      [...readFileSync(app.makePath(path), 'utf8').matchAll(SETTER)].map(
        (match) => `${path}: ${match[1] ?? `let ${match[2]}`}`
      )
    )
    assert.isAbove(files.length, 100, 'the import graph covers core')
    assert.deepEqual(
      offending,
      [],
      'make it a container binding (core/providers/oryne_provider.ts)'
    )
  })

  /**
   * Type-only imports are erased by the compiler, so they are left out. A
   * dynamic import() of a fixed path counts like a static one: deferring it
   * hides a cycle from load order (that is how rbac/authorize ↔ auth/api_keys
   * survived) but the two modules still need each other. Loading late for
   * start-up time (CLI commands, ONNX) never needs a cycle, and the loader's
   * computed paths (plugin files) are not fixed paths.
   */
  test('runtime imports form no cycle', ({ assert }) => {
    const cycles = findCycles(graph.filter((edge) => edge.kind !== 'type'))
    assert.deepEqual(
      cycles.map((cycle) => cycle.join('\n  -> ')),
      [],
      'import cycles (break them with a third module, a passed-in dependency, or `import type`)'
    )
  })
})
