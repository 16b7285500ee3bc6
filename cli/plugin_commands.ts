import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
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
 * a core command. The top-level help lists them from a small index written
 * after each such discovery (below), so that `oryne --help` imports no plugin.
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
  const available = [...catalog.values()].filter(
    (entry): entry is AvailablePlugin => entry.available
  )
  await saveIndex(available)
  return available
}

/**
 * What `args` needs of the plugins: nothing (a core command comes first),
 * their command groups for the top-level help (`oryne`, `oryne --help`,
 * `oryne help`), or their commands (anything else).
 */
export function pluginCommandsWanted(program: Command, args: string[]): 'none' | 'list' | 'all' {
  const words = args.filter((arg) => !arg.startsWith('-'))
  if (!words.length || (words.length === 1 && words[0] === 'help')) return 'list'
  if (words[0] === 'help') return 'all'
  return program.commands.some((command) => command.name() === words[0]) ? 'none' : 'all'
}

/*
 * The index of command groups: each plugin with commands, its name and
 * description, kept in node_modules/.cache beside the TypeScript transforms.
 * It is valid while the files it was read from are: the plugin folders and
 * npm packages discovery would read (their manifest and commands file, path,
 * size and modification time) and package.json. Anything else changed is
 * caught when a plugin command runs, which discovers afresh.
 */
type GroupIndex = { stamp: string; groups: Array<{ name: string; description: string }> }
const INDEX = fileURLToPath(new URL('node_modules/.cache/oryne-cli/plugin-commands.json', APP_ROOT))

function indexStamp(roots: string[]) {
  const hash = createHash('sha256')
  const stat = (file: string) => {
    if (!existsSync(file)) return
    const { size, mtimeMs } = statSync(file)
    hash.update(`${file}:${size}:${mtimeMs}\n`)
  }
  const root = fileURLToPath(APP_ROOT)
  stat(join(root, 'package.json'))
  for (const pluginRoot of roots) {
    if (!existsSync(pluginRoot)) continue
    for (const entry of readdirSync(pluginRoot, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name)
    )) {
      if (!entry.isDirectory()) continue
      for (const file of ['plugin.ts', 'plugin.js', 'commands.ts', 'commands.js'])
        stat(join(pluginRoot, entry.name, file))
    }
  }
  for (const name of Object.keys({
    ...pkg.dependencies,
    ...pkg.optionalDependencies,
    ...pkg.devDependencies,
  }))
    stat(join(root, 'node_modules', name, 'package.json'))
  hash.update(process.env.NODE_ENV === 'production' ? 'production' : 'development')
  return hash.digest('hex')
}

async function stampNow() {
  const { pluginRoots } = await import('#core/plugins/discovery')
  return indexStamp(pluginRoots(fileURLToPath(APP_ROOT).replace(/\/$/, '')))
}

function groupsOf(plugins: AvailablePlugin[]) {
  return plugins
    .filter(({ manifest }) => manifest.commands?.length)
    .map(({ manifest }) => ({ name: manifest.name, description: groupDescription(manifest) }))
}

const groupDescription = (manifest: AvailablePlugin['manifest']) =>
  `${manifest.description ?? manifest.name} (plugin ${manifest.name})`

/** Records the groups just discovered; a read-only install simply goes without the index. */
async function saveIndex(plugins: AvailablePlugin[]) {
  try {
    const index: GroupIndex = { stamp: await stampNow(), groups: groupsOf(plugins) }
    mkdirSync(join(INDEX, '..'), { recursive: true })
    // Written aside and renamed: a process reading it at the same time sees the old or the new.
    const temporary = `${INDEX}.${process.pid}`
    writeFileSync(temporary, JSON.stringify(index))
    renameSync(temporary, INDEX)
  } catch {}
}

/** The plugins' command groups for the top-level help: from the index while it is valid, else discovered. */
export async function pluginCommandGroups(): Promise<GroupIndex['groups']> {
  try {
    const index: GroupIndex = JSON.parse(readFileSync(INDEX, 'utf8'))
    if (index.stamp === (await stampNow())) return index.groups
  } catch {}
  return groupsOf(await availablePlugins())
}

/** Lists the groups in the top-level help; each one's verbs are read when it is asked for. */
export function registerPluginGroups(program: Command, groups: GroupIndex['groups']) {
  for (const group of groups) {
    if (program.commands.some((command) => command.name() === group.name)) continue
    program.command(group.name).description(group.description)
  }
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
    const group = program.command(manifest.name).description(groupDescription(manifest))
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
