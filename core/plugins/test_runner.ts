import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Config } from '@japa/runner/types'
import { E_VALIDATION } from '../errors.js'

/** The Japa plugins of every Oryne test run: assertions, the API client, the booted application. */
export async function japaPlugins(): Promise<NonNullable<Config['plugins']>> {
  const [{ assert }, { apiClient }, { pluginAdonisJS }, { default: app }] = await Promise.all([
    import('@japa/assert'),
    import('@japa/api-client'),
    import('@japa/plugin-adonisjs'),
    import('@adonisjs/core/services/app'),
  ])
  return [assert(), apiClient(), pluginAdonisJS(app)]
}

/** The plugin's `tests/**\/*.spec.{ts,js}` files, narrowed to those containing one of `fragments`. */
async function specFiles(directory: string, fragments: string[]): Promise<string[]> {
  const root = join(directory, 'tests')
  if (!existsSync(root)) return []
  const names = await readdir(root, { recursive: true })
  return names
    .filter((name) => /\.spec\.(ts|js)$/.test(name))
    .filter((name) => !fragments.length || fragments.some((fragment) => name.includes(fragment)))
    .sort()
    .map((name) => join(root, name))
}

/**
 * Runs a plugin's own Japa tests the way the repository's functional suite
 * runs: a throwaway database (and Redis prefix) for the run, the platform
 * schema migrated, Oryne booted with every discovered plugin and listening on
 * HOST:PORT for the API client. Sets the exit code (1 when a test failed).
 */
export async function runPluginTests(options: { plugin: string; files?: string[] }) {
  process.env.NODE_ENV = 'test'
  // A plugin's stand-in gateways and receivers listen on loopback, which outbound calls refuse unless allowed.
  process.env.ORYNE_OUTBOUND_ALLOW ??= '127.0.0.1/32'
  const { startTestServices } = await import('../runtime/test_services.js')
  const services = await startTestServices()
  const { configure, run } = await import('@japa/runner')
  const { createIgnitor } = await import('../runtime/ignite.js')

  await createIgnitor()
    .testRunner()
    .run(async (app) => {
      try {
        const plugins = await app.container.make('oryne.plugins')
        plugins.plugin(options.plugin)
        const directory = plugins.directory(options.plugin)!
        const specs = await specFiles(directory, options.files ?? [])
        if (!specs.length) {
          throw new E_VALIDATION([], {
            details: [
              { field: 'files', rule: 'exists', message: `no tests/**/*.spec.ts in ${directory}` },
            ],
          })
        }
        configure({
          files: () => specs.map((file) => pathToFileURL(file)),
          plugins: await japaPlugins(),
          timeout: 60_000,
          forceExit: false,
          setup: [
            async () => {
              const { runPlatformMigrations } = await import('../database/platform_migrations.js')
              const { listen } = await import('../http/listen.js')
              await runPlatformMigrations(app)
              await listen(app, { host: process.env.HOST!, port: Number(process.env.PORT) })
            },
          ],
        })
        await run()
      } finally {
        await app.terminate()
        await services.stop()
      }
    })
}
