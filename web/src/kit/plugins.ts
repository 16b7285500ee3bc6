import type { ComponentType } from 'preact'
import { messages, modules } from 'virtual:oryne-plugins'
import type { Location } from './router.js'
import { addCatalogues, type Catalogues } from './i18n.js'

/** What a plugin page gets: the named segments of its pattern, and where the app is. */
export type PageProps = { params: Record<string, string>; location: Location }
/** What a home-page widget gets: its declaration (id and title). */
export type WidgetProps = { id: string; title: string }

/**
 * A plugin's UI module (ui/index.tsx, default export): pages by path pattern
 * below /app/<plugin>/ (`desk`, `loans/:id`) and home-page widgets by the id
 * its manifest declares. Its strings are in ui/messages.ts (defineMessages).
 */
export type PluginUiModule = {
  pages?: Record<string, ComponentType<PageProps>>
  widgets?: Record<string, ComponentType<WidgetProps>>
}

export function definePluginUi(module: PluginUiModule): PluginUiModule {
  return module
}

/** A plugin's catalogues (ui/messages.ts, default export): `{ en: {...}, ar: {...} }`, keys prefixed by the plugin's name. */
export function defineMessages<const T extends Record<string, string>>(catalogues: {
  en: T
  [language: string]: Record<keyof T, string>
}): Catalogues {
  return catalogues
}

const loaded = new Map<string, Promise<PluginUiModule | null>>()

/** The UI module of `plugin`, loaded once (its own chunk); null when the plugin has none. */
export function pluginUi(plugin: string): Promise<PluginUiModule | null> {
  let module = loaded.get(plugin)
  if (!module) {
    const load = Object.hasOwn(modules, plugin) ? modules[plugin] : undefined
    module = load
      ? load().then((imported) => imported.default as PluginUiModule)
      : Promise.resolve(null)
    loaded.set(plugin, module)
  }
  return module
}

const catalogued = new Set<string>()

/** Loads the catalogues of these plugins (once each), before their labels are shown. */
export async function loadPluginMessages(plugins: string[]) {
  const wanted = plugins.filter(
    (plugin) => !catalogued.has(plugin) && Object.hasOwn(messages, plugin)
  )
  const imported = await Promise.all(wanted.map((plugin) => messages[plugin]()))
  imported.forEach((module, index) => {
    catalogued.add(wanted[index])
    addCatalogues(module.default as Catalogues)
  })
}
