import type { Command } from 'commander'
import { registerPluginAuthoring } from './plugin/authoring.js'
import { registerPluginLifecycle } from './plugin/lifecycle.js'

/** `oryne plugin ...`: per-tenant lifecycle (list, enable, disable, settings, uninstall) and authoring tools. */
export function registerPlugin(program: Command) {
  const plugin = program
    .command('plugin')
    .description('installed plugins, their state per tenant, and tools to write them')
  registerPluginLifecycle(plugin)
  registerPluginAuthoring(plugin)
}
