import { test } from '@japa/runner'
import type { Command } from 'commander'
import fc from 'fast-check'
import { buildProgram } from '#cli/main'
import { availablePlugins } from '#cli/plugin_commands'
import { runOryne } from '#tests/support/cli'

/*
 * Property-based fuzzing of the `oryne` CLI: the program object runs, in this
 * process (runOryne; a child only for what cannot run here), argument lists
 * built from its own command tree — known commands and options with hostile
 * values, unknown options, stray arguments. Every run must end with a
 * meaningful exit code (0 done, 1 failed with an error code, 2 usage) and
 * never print a stack trace; an unknown option is always a usage error (2).
 * Long-running commands (up, serve, worker, scheduler) are left out (they do
 * not exit by themselves), and so are those that write into the project or
 * run other tests (LEFT_OUT).
 */

/** A run in process costs milliseconds, not an application start-up: 100 runs, where 16 child processes were affordable. */
const RUNS = Number(process.env.FUZZ_CLI_RUNS) || 100
const SEED = Number(process.env.FUZZ_SEED) || 20261125
const LONG_RUNNING = new Set(['up', 'serve', 'worker', 'scheduler'])
/** Commands that write into the project (scaffolds, generated migrations) or run another test suite. */
const LEFT_OUT = new Set(['plugin new', 'plugin make-migration', 'plugin test'])
const STACK = /\n\s+at .+:\d+:\d+|\.ts:\d+:\d+/

type CommandPath = { path: string[]; options: string[]; arguments: number }

function commandPaths(command: Command, prefix: string[] = []): CommandPath[] {
  return command.commands.flatMap((child) => {
    const path = [...prefix, child.name()]
    if (LONG_RUNNING.has(path[0]) || LEFT_OUT.has(path.join(' '))) return []
    const own: CommandPath = {
      path,
      options: child.options.map((option) => option.long!).filter(Boolean),
      arguments: child.registeredArguments.length,
    }
    return [own, ...commandPaths(child, path)]
  })
}

const hostile = fc.constantFrom(
  '',
  "'; DROP TABLE tenants; --",
  '../../../etc/passwd',
  '-1',
  '99999999999999999999',
  '😀'.repeat(20),
  'a'.repeat(300),
  '-',
  '$(reboot)',
  'null',
  '\u0000'.replace('\u0000', 'NUL')
)
const value = fc.oneof(
  hostile,
  fc.string({ maxLength: 12 }).filter((s) => !s.includes('\u0000'))
)

test.group('Fuzzing the CLI', () => {
  test('every argument list ends with 0, 1 or 2 and no stack trace; unknown options are usage errors', async ({
    assert,
  }) => {
    // Plugins' commands too (`oryne ai train`, the fixtures'), as `oryne` registers them.
    const paths = commandPaths(buildProgram(await availablePlugins()))
    assert.isAbove(paths.length, 20)
    const env = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL }
    const failures: string[] = []
    const invocation = fc
      .record({
        command: fc.constantFrom(...paths),
        values: fc.array(value, { maxLength: 4 }),
        unknown: fc.option(fc.constantFrom('--no-such-flag', '--tenant-id-x', '-Z'), {
          nil: undefined,
        }),
        pick: fc.nat(),
        json: fc.boolean(),
      })
      .map(({ command, values, unknown, pick, json }) => {
        // An unknown option right after the command: later, an option expecting a value would take it as that value.
        const args = [
          ...command.path,
          ...(unknown ? [unknown] : []),
          ...values.slice(0, command.arguments),
        ]
        if (command.options.length) args.push(command.options[pick % command.options.length])
        args.push(...values.slice(command.arguments))
        if (json) args.push('--json')
        return { args, unknown: Boolean(unknown) }
      })
    await fc.assert(
      fc.asyncProperty(invocation, async ({ args, unknown }) => {
        const result = await runOryne(args, env, 120_000)
        const label = `oryne ${JSON.stringify(args)} -> ${result.code}`
        if (![0, 1, 2].includes(result.code ?? -1)) failures.push(`${label}\n${result.stderr}`)
        else if (unknown && result.code !== 2 && !args.includes('--help'))
          failures.push(`${label}: an unknown option must be a usage error`)
        if (STACK.test(result.stderr) || STACK.test(result.stdout))
          failures.push(`${label} printed a stack trace:\n${result.stderr.slice(0, 500)}`)
        return true
      }),
      { numRuns: RUNS, seed: SEED }
    )
    assert.deepEqual(failures, [])
  }).timeout(900_000)
})
