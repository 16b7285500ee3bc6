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

export const webFrontEnd = new FrontEnd({
  source: WEB_SOURCE,
  output: WEB_OUTPUT,
  watched: async () => Object.values(await pluginUiModules()).map((file) => join(file, '..')),
  env: async () => ({ ORYNE_WEB_PLUGINS: JSON.stringify(await pluginUiModules()) }),
})
