/*
 * Test runner entry (`npm test`). Starts real PostgreSQL and Redis for the run
 * (see tests/support/services.ts), then runs the Japa suites against them.
 */
process.env.NODE_ENV = 'test'
process.env.LOG_LEVEL ??= 'silent'
process.env.ORYNE_BASE_DOMAIN ??= 'oryne.test'

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
  .run(() => run())
  .catch(async (error) => {
    prettyPrintError(error)
    await services.stop().catch(() => {})
    // The booted application still holds connections: leave now rather than hang.
    process.exit(1)
  })
