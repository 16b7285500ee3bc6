import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import app from '@adonisjs/core/services/app'
import { FrontEnd } from '../utils/front_end.js'

/** The web app's sources (web/) and where their build goes (git-ignored tmp/web). */
export const WEB_SOURCE = fileURLToPath(new URL('../../web', import.meta.url))
export const WEB_OUTPUT = fileURLToPath(new URL('../../tmp/web', import.meta.url))

const UI_MODULES = ['ui/index.tsx', 'ui/index.ts', 'ui/index.js']

/**
 * The UI module of every available plugin that has one (`ui/index.tsx` next to
 * its manifest), by plugin name: built-in, folder and npm plugins alike. The
 * web app bundles each as a chunk of its own, loaded when the tenant enabled it.
 */
export async function pluginUiModules(): Promise<Record<string, string>> {
  const plugins = await app.container.make('oryne.plugins')
  const modules: Record<string, string> = {}
  for (const { manifest, directory } of plugins.available()) {
    const file = directory && UI_MODULES.map((name) => join(directory, name)).find(existsSync)
    if (file) modules[manifest.name] = file
  }
  return modules
}

const CATALOGUES = ['ui/messages.ts', 'ui/messages.js']

/**
 * The message catalogues of every available plugin that has one
 * (`ui/messages.ts`), by plugin name: also of a plugin with no UI code, whose
 * catalogue names its generated views' resources, fields and enum values.
 */
export async function pluginCatalogues(): Promise<Record<string, string>> {
  const plugins = await app.container.make('oryne.plugins')
  const catalogues: Record<string, string> = {}
  for (const { manifest, directory } of plugins.available()) {
    const file = directory && CATALOGUES.map((name) => join(directory, name)).find(existsSync)
    if (file) catalogues[manifest.name] = file
  }
  return catalogues
}

export const webFrontEnd = new FrontEnd({
  source: WEB_SOURCE,
  output: WEB_OUTPUT,
  watched: async () =>
    [...Object.values(await pluginUiModules()), ...Object.values(await pluginCatalogues())].map(
      (file) => join(file, '..')
    ),
  env: async () => ({
    ORYNE_WEB_PLUGINS: JSON.stringify(await pluginUiModules()),
    ORYNE_WEB_MESSAGES: JSON.stringify(await pluginCatalogues()),
  }),
})
