/*
 * Test runner entry (`npm test`). Starts real PostgreSQL and Redis for the run
 * (see tests/support/services.ts), then runs the Japa suites against them.
 *
 * `npm test` and `npm test -- <suite> [<suite>…]` share the suites' spec files
 * out between parallel processes (tests/support/parallel_run.ts; ORYNE_TEST_JOBS,
 * default 3); `npm test -- compat` runs the compatibility set that way. Any
 * other Japa argument (`--files`, `--tests`, `--groups`, …) runs in this one
 * process, as Japa usually does.
 */
process.env.NODE_ENV = 'test'
process.env.LOG_LEVEL ??= 'silent'
process.env.ORYNE_BASE_DOMAIN ??= 'oryne.test'
// Fixture plugins (tests/fixtures/plugins) are installed for the test run, child processes included.
process.env.ORYNE_PLUGIN_PATHS ??= 'tests/fixtures/plugins'
// The tests' stand-in gateways, webhook receivers and GNS listen on loopback, which outbound calls refuse
// unless allowed (tests/functional/outbound.spec.ts checks the refusal with its own setting).
process.env.ORYNE_OUTBOUND_ALLOW ??= '127.0.0.1/32'
// Every answer the tests receive is checked against the OpenAPI document (docs/api.md); ORYNE_CONFORMANCE=0 turns it off.
process.env.ORYNE_CONFORMANCE ??= '1'

import { fileURLToPath } from 'node:url'
import { prettyPrintError } from '@adonisjs/core'
import { configure, processCLIArgs, run } from '@japa/runner'
import rc from '../adonisrc.js'
import { createIgnitor } from '#core/runtime/ignite'
import { startTestServices } from '#tests/support/services'
import { COMPATIBILITY_SET, suiteFiles } from '#tests/support/test_plan'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const args = process.argv.slice(2)
const jobs = Math.max(1, Number(process.env.ORYNE_TEST_JOBS) || 3)
const suites = rc.tests?.suites ?? []
const onlySuiteNames = args.every((arg) => arg === 'compat' || suites.some((s) => s.name === arg))

if (onlySuiteNames && (jobs > 1 || args.includes('compat'))) {
  const { runInParallel } = await import('#tests/support/parallel_run')
  const all = await suiteFiles(suites, ROOT)
  const chosen = args.includes('compat')
    ? all
        .map((suite) => ({
          ...suite,
          files: suite.files.filter((f) => COMPATIBILITY_SET.includes(f)),
        }))
        .filter((suite) => suite.files.length)
    : all.filter((suite) => !args.length || args.includes(suite.name))
  process.exitCode = await runInParallel({ root: ROOT, suites: chosen, jobs }).catch(
    async (error) => {
      await prettyPrintError(error)
      return 1
    }
  )
} else {
  await runHere()
}

async function runHere() {
  const services = await startTestServices()
  await createIgnitor()
    .testRunner()
    .configure(async (app) => {
      const { runnerHooks, ...config } = await import('../tests/bootstrap.js')
      processCLIArgs(args)
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
}
