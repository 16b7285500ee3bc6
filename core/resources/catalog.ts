import type { PluginManifest } from '../plugins/define_plugin.js'
import { compileResource, resourceProblems, type ResourceModel } from './model.js'

/**
 * Every resource of the available plugins, compiled once. A plugin whose
 * declarations have problems gets none of its resources compiled; the
 * problems are kept (and logged at boot) naming plugin, resource and field.
 */
export class ResourceCatalog {
  #models = new Map<string, ResourceModel>()
  #byPlugin = new Map<string, ResourceModel[]>()
  readonly problems: Array<{ plugin: string; problem: string }> = []

  constructor(plugins: PluginManifest[]) {
    const declared = new Set(
      plugins.flatMap((plugin) =>
        Array.isArray(plugin.resources)
          ? plugin.resources.map((resource) => `${plugin.name}.${resource?.name}`)
          : []
      )
    )
    // Resources a `personal: 'subject'` reference may name: those with a subject of their own.
    const withSubject = new Set(
      plugins.flatMap((plugin) =>
        Array.isArray(plugin.resources)
          ? plugin.resources
              .filter((resource) =>
                Object.values(resource?.fields ?? {}).some(
                  (field) => field?.options?.personal === 'subject'
                )
              )
              .map((resource) => `${plugin.name}.${resource.name}`)
          : []
      )
    )
    for (const plugin of plugins) {
      const problems = resourceProblems(
        plugin.name,
        plugin.resources,
        declared,
        Object.keys(plugin.dependencies ?? {}),
        withSubject
      )
      if (problems.length) {
        for (const problem of problems) this.problems.push({ plugin: plugin.name, problem })
        continue
      }
      const models = (plugin.resources ?? []).map((resource) =>
        compileResource(plugin.name, resource)
      )
      this.#byPlugin.set(plugin.name, models)
      for (const model of models) this.#models.set(model.key, model)
    }
  }

  /** A resource by `<plugin>.<resource>`. */
  get(key: string): ResourceModel | undefined {
    return this.#models.get(key)
  }

  ofPlugin(plugin: string): ResourceModel[] {
    return this.#byPlugin.get(plugin) ?? []
  }

  all(): ResourceModel[] {
    return [...this.#models.values()]
  }
}

const catalogs = new WeakMap<object, ResourceCatalog>()

/** The catalog of a plugin host's available plugins, compiled on first use. */
export function resourceCatalogOf(host: {
  available(): Array<{ manifest: PluginManifest }>
}): ResourceCatalog {
  let catalog = catalogs.get(host)
  if (!catalog) {
    catalog = new ResourceCatalog(host.available().map((entry) => entry.manifest))
    catalogs.set(host, catalog)
  }
  return catalog
}
