import { readFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import type { ApplicationService } from '@adonisjs/core/types'
import { printJson, printTable } from '../../output.js'

/**
 * Authoring commands read code, not data: they boot the application (plugin
 * manifests import the SDK, which needs it) but start no PostgreSQL or Redis.
 * In a process that already booted one (the test runner), they use it, as
 * openRuntime does: a second would take over the process-wide app service;
 * its shutdown belongs to whoever started it.
 */
async function withCode<T>(fn: (app: ApplicationService) => Promise<T>): Promise<T> {
  const { default: running } = await import('@adonisjs/core/services/app')
  if (running?.isReady) return fn(running)
  const { bootApp } = await import('#core/runtime/ignite')
  const app = await bootApp('console')
  try {
    return await fn(app)
  } finally {
    await app.terminate()
  }
}

/** Every discovered plugin with its folder and manifest (unavailable ones too, when they load). */
async function sources(app: ApplicationService) {
  const { discoverPlugins } = await import('#core/plugins/discovery')
  const candidates = await discoverPlugins(app.appRoot)
  const loaded = candidates.filter((c) => c.manifest && typeof c.manifest === 'object')
  const byName = new Map(loaded.map((c) => [(c.manifest as { name: string }).name, c]))
  const { E_PLUGIN_NOT_FOUND } = await import('#core/errors')
  const source = (name: string) => {
    const candidate = byName.get(name)
    if (!candidate?.directory) throw new E_PLUGIN_NOT_FOUND([name])
    return {
      manifest: candidate.manifest as import('#core/plugins/define_plugin').PluginManifest,
      directory: candidate.directory,
      resourcesOf: (plugin: string) =>
        ((byName.get(plugin)?.manifest as any)?.resources ?? []) as any[],
    }
  }
  return { byName, source }
}

/** `new`, `make-migration`, `check`, `test`: writing a plugin. */
export function registerPluginAuthoring(plugin: Command) {
  plugin
    .command('new <name>')
    .description('scaffold a working plugin: manifest, one resource, its migration, a test')
    .option('--dir <folder>', 'where to create it', 'plugins')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { dir: string; json?: boolean }) => {
      await withCode(async (app) => {
        const { scaffoldPlugin } = await import('#core/plugins/scaffold')
        const { byName } = await sources(app)
        const appRoot = fileURLToPath(app.appRoot)
        const root = isAbsolute(options.dir) ? options.dir : join(appRoot, options.dir)
        const pkg = JSON.parse(await readFile(join(appRoot, 'package.json'), 'utf8'))
        const result = await scaffoldPlugin({
          name,
          root,
          hostVersion: pkg.version,
          taken: (candidate) => byName.get(candidate)?.source,
        })
        if (options.json) return printJson({ ok: true, ...result })
        process.stdout.write(
          `Created ${result.directory}\n${result.files.map((f) => `  ${f}`).join('\n')}\n` +
            `Next: oryne plugin test ${name}   (its folder must be under plugins/ or ORYNE_PLUGIN_PATHS)\n`
        )
      })
    })

  plugin
    .command('make-migration <name>')
    .description(
      "generate the migration from the difference between the plugin's resources and its snapshot"
    )
    .option('--allow-unsafe', 'also write changes that could fail or lose data on existing rows')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { allowUnsafe?: boolean; json?: boolean }) => {
      await withCode(async (app) => {
        const { makeMigration } = await import('#core/plugins/workshop')
        const plugins = await sources(app)
        const source = plugins.source(name)
        const plan = await makeMigration(source, { allowUnsafe: options.allowUnsafe })
        if (options.json) return printJson({ ok: true, ...plan, changes: undefined })
        if (!plan.file) {
          process.stdout.write(`No resource changes in ${name}; migration checksums recorded.\n`)
          return
        }
        process.stdout.write(
          `Wrote ${plan.file}\n${plan.summary.map((s) => `  ${s}`).join('\n')}\n`
        )
        for (const drop of plan.drops) process.stdout.write(`Warning: ${drop}\n`)
      })
    })

  plugin
    .command('check [name]')
    .description(
      'fail (exit 1) when resources and migrations disagree (un-migrated changes, migrations edited after the snapshot) or a custom route is not described for the OpenAPI document'
    )
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: { json?: boolean }) => {
      await withCode(async (app) => {
        const { checkPlugin, undescribedRoutes } = await import('#core/plugins/workshop')
        const { E_PLUGIN_MIGRATIONS_STALE, E_PLUGIN_ROUTES_UNDESCRIBED } =
          await import('#core/errors')
        const { byName, source } = await sources(app)
        const names = name ? [name] : [...byName.keys()].sort()
        const results = []
        for (const each of names) {
          results.push({ plugin: each, problems: await checkPlugin(source(each)) })
        }
        const failing = results.filter((r) => r.problems.length)
        if (failing.length) {
          throw new E_PLUGIN_MIGRATIONS_STALE([failing.map((r) => r.plugin).join(', ')], {
            details: failing.flatMap((r) =>
              r.problems.map((message) => ({ field: r.plugin, message }))
            ),
          })
        }
        const routes = names.map((each) => ({
          plugin: each,
          problems: undescribedRoutes(source(each).manifest),
        }))
        const undescribed = routes.filter((r) => r.problems.length)
        if (undescribed.length) {
          throw new E_PLUGIN_ROUTES_UNDESCRIBED([undescribed.map((r) => r.plugin).join(', ')], {
            details: undescribed.flatMap((r) =>
              r.problems.map((message) => ({ field: r.plugin, message }))
            ),
          })
        }
        if (options.json) return printJson({ ok: true, plugins: results })
        printTable(
          ['plugin', 'resources and migrations'],
          results.map((r) => [r.plugin, 'agree'])
        )
      })
    })

  plugin
    .command('test <name>')
    .description("run a plugin's own tests (tests/**/*.spec.ts) against a throwaway database")
    .option(
      '--files <fragment>',
      'only test files whose path contains this (repeatable)',
      (v, p: string[] = []) => [...p, v]
    )
    .action(async (name: string, options: { files?: string[] }) => {
      const { runPluginTests } = await import('#core/plugins/test_runner')
      await runPluginTests({ plugin: name, files: options.files })
    })
}
