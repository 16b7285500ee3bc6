/*
 * Test runner entry (`npm test`). Starts real PostgreSQL and Redis for the run
 * (see tests/support/services.ts), then runs the Japa suites against them.
 */
process.env.NODE_ENV = 'test'
process.env.LOG_LEVEL ??= 'silent'
process.env.ORYNE_BASE_DOMAIN ??= 'oryne.test'
// Fixture plugins (tests/fixtures/plugins) are installed for the test run, child processes included.
process.env.ORYNE_PLUGIN_PATHS ??= 'tests/fixtures/plugins'

import { prettyPrintError } from '@adonisjs/core'
import { configure, processCLIArgs, run } from '@japa/runner'
import { createIgnitor } from '#core/runtime/ignite'
import { startTestServices } from '#tests/support/services'

const services = await startTestServices()

createIgnitor()
  .testRunner()
  .configure(async (app) => {
    const { runnerHooks, ...config } = await import('../tests/bootstrap.js')
    processCLIArgs(process.argv.splice(2))
    configure({
      ...app.rcFile.tests,
      ...config,
      setup: runnerHooks.setup,
      teardown: [...runnerHooks.teardown, () => app.terminate(), () => services.stop()],
    })
  })
  .run(async (app) => {
    await run()
    // Japa skips the teardown hooks when it cannot even plan the run (unknown suite, bad filter).
    await app.terminate()
    await services.stop()
  })
  .catch(async (error) => {
    await prettyPrintError(error)
    setTimeout(() => process.exit(1), 5000).unref()
    await services.stop().catch(() => {})
    // The booted application still holds connections: leave now rather than hang.
    process.exit(1)
  })
