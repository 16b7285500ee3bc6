/*
 * Test runner entry (`npm test`). Starts real PostgreSQL and Redis for the run
 * (see tests/support/services.ts), then runs the Japa suites against them.
 */
process.env.NODE_ENV = 'test'
process.env.LOG_LEVEL ??= 'silent'

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
    process.exitCode = 1
    await services.stop().catch(() => {})
    prettyPrintError(error)
  })
