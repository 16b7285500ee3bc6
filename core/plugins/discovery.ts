import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { PluginCandidate } from './catalog.js'

async function importManifest(file: string, source: string): Promise<PluginCandidate> {
  try {
    const module = await import(pathToFileURL(file).href)
    return { source, manifest: module.default }
  } catch (error) {
    return { source, loadError: (error as Error).message.split('\n')[0] }
  }
}

/** Folders below `root` that hold a plugin.ts (or plugin.js), sorted by name. */
async function folderPlugins(root: string, appRoot: string): Promise<PluginCandidate[]> {
  if (!existsSync(root)) return []
  const entries = await readdir(root, { withFileTypes: true })
  const folders = entries.filter((entry) => entry.isDirectory())
  const found: PluginCandidate[] = []
  for (const folder of folders.sort((a, b) => a.name.localeCompare(b.name))) {
    const file = ['plugin.ts', 'plugin.js']
      .map((name) => join(root, folder.name, name))
      .find(existsSync)
    if (file) found.push(await importManifest(file, file.slice(appRoot.length + 1)))
  }
  return found
}

/**
 * npm packages the application depends on that declare themselves Oryne plugins:
 * `"oryne": { "plugin": "./dist/plugin.js" }` in their package.json. Only
 * declared dependencies are read, so discovery does not walk node_modules.
 */
async function packagePlugins(appRoot: string): Promise<PluginCandidate[]> {
  const pkg = JSON.parse(await readFile(join(appRoot, 'package.json'), 'utf8'))
  const names = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })
  const found: PluginCandidate[] = []
  for (const name of names.sort()) {
    const directory = join(appRoot, 'node_modules', name)
    let manifestPath: unknown
    try {
      manifestPath = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')).oryne
        ?.plugin
    } catch {
      continue
    }
    if (typeof manifestPath === 'string') {
      found.push(await importManifest(resolve(directory, manifestPath), `npm:${name}`))
    }
  }
  return found
}

/**
 * Every plugin Oryne can see: the folders of plugins/, folders of the extra
 * roots in ORYNE_PLUGIN_PATHS (colon-separated), and npm packages.
 */
export async function discoverPlugins(appRootUrl: URL): Promise<PluginCandidate[]> {
  const appRoot = fileURLToPath(appRootUrl).replace(/\/$/, '')
  const extra = (process.env.ORYNE_PLUGIN_PATHS ?? '')
    .split(':')
    .filter(Boolean)
    .map((path) => (isAbsolute(path) ? path : join(appRoot, path)))
  const roots = [join(appRoot, 'plugins'), ...extra]
  const fromFolders = await Promise.all(roots.map((root) => folderPlugins(root, appRoot)))
  const fromPackages = await packagePlugins(appRoot)
  return [...fromFolders.flat(), ...fromPackages]
}
