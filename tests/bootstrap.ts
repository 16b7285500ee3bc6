import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { listen } from '#core/http/listen'
import { japaPlugins } from '#core/plugins/test_runner'

export const plugins: Config['plugins'] = await japaPlugins()

export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [
    async () => {
      const { runPlatformMigrations } = await import('#core/database/platform_migrations')
      await runPlatformMigrations(app)
    },
  ],
  teardown: [
    async () => {
      // The contract (docs/api.md): every answer the tests received matched the OpenAPI document.
      if (process.env.ORYNE_CONFORMANCE !== '1') return
      const { conformanceViolations } = await import('#core/openapi/conformance')
      const found = conformanceViolations()
      if (!found.length) return
      const lines = [...new Set(found.map((v) => `  ${v.operation} → ${v.problem} (${v.url})`))]
      // Printed and failing the run after Japa's summary (a hook that throws would hide the summary).
      process.stderr.write(
        `\n✖ Conformance: ${found.length} answer(s) do not match the OpenAPI document (docs/api.md):\n${lines.join('\n')}\n`
      )
      process.exitCode = 1
    },
  ],
}

/** Functional and plugin suites talk HTTP to the real server, listening on the run's HOST:PORT. */
export const configureSuite: Config['configureSuite'] = (suite) => {
  if (suite.name === 'functional' || suite.name === 'plugins') {
    return suite.setup(async () => {
      await listen(app, { host: process.env.HOST!, port: Number(process.env.PORT) })
    })
  }
}
