import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import type { AvailablePlugin } from '#core/plugins/catalog'
import type { PluginCommand, PluginCommandContext } from '#core/plugins/define_plugin'
import type { Tenant } from '#core/tenancy/types'
import { cliActor } from './actor.js'
import { EXIT, printJson, printTable } from './output.js'
import { withRuntime, type Runtime } from './runtime.js'

/*
 * `oryne <plugin> <verb>`: the commands plugins contribute through their
 * manifests (`commands`, or `commands.ts` next to the manifest). They are
 * found the way the plugin host finds plugins, without booting the
 * application, and only when the command line asks for something that is not
 * a core command (or for the top-level help, which lists them).
 */

const APP_ROOT = new URL('../', import.meta.url)
const pkg = JSON.parse(readFileSync(new URL('package.json', APP_ROOT), 'utf8'))

/**
 * The plugins this installation can use, from their manifests: the plugin
 * host's catalog, read on an application created but not booted (plugin
 * modules register boot hooks on it; openRuntime boots that one).
 */
export async function availablePlugins(): Promise<AvailablePlugin[]> {
  const [{ default: app }, { createIgnitor }, { discoverPlugins }, { buildCatalog }] =
    await Promise.all([
      import('@adonisjs/core/services/app'),
      import('#core/runtime/ignite'),
      import('#core/plugins/discovery'),
      import('#core/plugins/catalog'),
    ])
  if (!app) createIgnitor().createApp('console')
  const catalog = await buildCatalog(await discoverPlugins(APP_ROOT), pkg.version)
  return [...catalog.values()].filter((entry): entry is AvailablePlugin => entry.available)
}

/** Whether `args` may name a plugin command: no core command comes first, or the top-level help is asked for. */
export function wantsPluginCommands(program: Command, args: string[]) {
  const first = args.find((arg) => !arg.startsWith('-'))
  if (first === undefined || first === 'help') return true
  return !program.commands.some((command) => command.name() === first)
}

/**
 * Adds one `oryne <plugin>` group per plugin with commands. A plugin named
 * like a core command (a name the catalog does not reserve) keeps its
 * commands out of the CLI rather than shadowing core's.
 */
export function registerPluginCommands(program: Command, plugins: AvailablePlugin[]) {
  for (const { manifest } of plugins) {
    if (!manifest.commands?.length) continue
    if (program.commands.some((command) => command.name() === manifest.name)) continue
    const group = program
      .command(manifest.name)
      .description(`${manifest.description ?? manifest.name} (plugin ${manifest.name})`)
    for (const definition of manifest.commands) {
      const command = group.command(definition.name).description(definition.description)
      if (definition.tenant !== false) command.requiredOption('--tenant <slug>', 'the tenant')
      command.option('--json', 'print JSON')
      definition.define?.(command)
      command.action((...params: unknown[]) =>
        runPluginCommand(manifest.name, definition, params.at(-1) as Command)
      )
    }
  }
}

/** The tenant named by `--tenant`: it exists, has a schema that may be used, and enabled the plugin. */
async function enabledTenant(runtime: Runtime, plugin: string, slug: string): Promise<Tenant> {
  const host = await runtime.app.container.make('oryne.plugins')
  const tenancy = await runtime.app.container.make('oryne.tenancy')
  const { E_PLUGIN_DISABLED, E_TENANT_NOT_READY } = await import('#core/errors')
  const tenant = await tenancy.registry.findOrFail(slug)
  if (tenant.status !== 'active' && tenant.status !== 'suspended')
    throw new E_TENANT_NOT_READY([tenant.slug, tenant.status])
  if (!(await host.isEnabled(tenant.id, plugin))) throw new E_PLUGIN_DISABLED([plugin])
  return tenant
}

async function runPluginCommand(
  plugin: string,
  definition: PluginCommand<boolean>,
  command: Command
) {
  const options = command.opts()
  const json = Boolean(options.json)
  await withRuntime(async (runtime) => {
    // The booted host decides, not the catalog read for --help: a plugin it cannot load says why.
    const host = await runtime.app.container.make('oryne.plugins')
    host.plugin(plugin)
    const tenant =
      definition.tenant === false ? null : await enabledTenant(runtime, plugin, options.tenant)
    const context: PluginCommandContext<boolean> = {
      args: command.processedArgs,
      options,
      tenant,
      json,
      actor: cliActor(),
      print(data, human) {
        if (json) return printJson({ ok: true, ...data })
        if (human) return human()
        for (const [key, value] of Object.entries(data))
          process.stdout.write(
            `${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}\n`
          )
      },
      table: printTable,
      write: (text) => void process.stdout.write(text),
      fail() {
        process.exitCode = EXIT.failed
      },
    }
    if (!tenant) return definition.run(context)
    const { tenantContext } = await import('#core/tenancy/context')
    return tenantContext.run(tenant, () => definition.run(context))
  })
}
