import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import { listen } from '#core/http/listen'

export const plugins: Config['plugins'] = [assert(), apiClient(), pluginAdonisJS(app)]

export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [
    async () => {
      const { runPlatformMigrations } = await import('#core/database/platform_migrations')
      await runPlatformMigrations(app)
    },
  ],
  teardown: [],
}

/** Functional suites talk HTTP to the real server, listening on the run's HOST:PORT. */
export const configureSuite: Config['configureSuite'] = (suite) => {
  if (suite.name === 'functional') {
    return suite.setup(async () => {
      await listen(app, { host: process.env.HOST!, port: Number(process.env.PORT) })
    })
  }
}
