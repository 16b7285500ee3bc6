import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { EXIT, reportFailure } from './output.js'
import { registerUp } from './commands/up.js'
import { registerServe } from './commands/serve.js'
import { registerScheduler, registerWorker } from './commands/worker.js'
import { registerDoctor } from './commands/doctor.js'
import { registerJobs } from './commands/jobs.js'
import { registerMigrate } from './commands/migrate.js'
import { registerBackup } from './commands/backup.js'
import { registerPlugin } from './commands/plugin.js'
import { registerTenant } from './commands/tenant/index.js'
import { registerUser } from './commands/user.js'
import { registerPlatformAdmin } from './commands/platform_admin.js'
import { registerSearch } from './commands/search.js'
import { registerCollection } from './commands/collection.js'
import type { AvailablePlugin } from '#core/plugins/catalog'
import {
  availablePlugins,
  pluginCommandGroups,
  pluginCommandsWanted,
  registerPluginCommands,
  registerPluginGroups,
} from './plugin_commands.js'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

/**
 * Command modules import only what needs no booted application; anything that
 * reads a container service (db, jobs) is imported inside the action, after boot.
 */
/**
 * Builds the `oryne` program: `noun verb` commands, `--help` at every level,
 * and `oryne <plugin> <verb>` for the commands of `plugins`.
 */
export function buildProgram(
  plugins: AvailablePlugin[] = [],
  groups: Array<{ name: string; description: string }> = []
) {
  const program = new Command('oryne')
    .description('Oryne: multi-tenant platform for schools, colleges and universities')
    .version(pkg.version, '-v, --version', 'print the Oryne version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true })
    // Options after a subcommand belong to it (`migrate status --tenant` vs `migrate --tenant`).
    .enablePositionalOptions()
    .exitOverride()

  registerUp(program)
  registerServe(program)
  registerWorker(program)
  registerScheduler(program)
  registerDoctor(program)
  registerMigrate(program)
  registerBackup(program)
  registerJobs(program)
  registerPlugin(program)
  registerTenant(program)
  registerUser(program)
  registerPlatformAdmin(program)
  registerSearch(program)
  registerCollection(program)
  registerPluginCommands(program, plugins)
  registerPluginGroups(program, groups)

  // Every nested command exits through the same override (usage errors -> 2).
  const override = (command: Command) => {
    command.exitOverride()
    command.commands.forEach(override)
  }
  override(program)
  return program
}

export async function main(argv: string[]) {
  let program = buildProgram()
  try {
    // Reading every plugin's manifest costs seconds: only when the command may be a plugin's.
    const wanted = pluginCommandsWanted(program, argv.slice(2))
    if (wanted === 'all') program = buildProgram(await availablePlugins())
    if (wanted === 'list') program = buildProgram([], await pluginCommandGroups())
    await program.parseAsync(argv)
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version exit 0; every other commander error is a usage error.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage
      return
    }
    reportFailure(error, argv.includes('--json'))
  }
}
