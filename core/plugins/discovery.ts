import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { PluginCandidate } from './catalog.js'

const MIGRATION_FILE = /^\d{4}_[a-z0-9_]+\.(ts|js)$/
const CODE_FILE = /^[^.].*(?<!\.d)\.(ts|js)$/

async function importDefault(file: string) {
  const module = await import(pathToFileURL(file).href)
  return module.default
}

/** Code files of a folder next to the manifest, sorted by name (`.ts` preferred over a same-named `.js`). */
async function codeFiles(directory: string, pattern: RegExp): Promise<string[]> {
  if (!existsSync(directory)) return []
  const entries = await readdir(directory)
  const names = entries.filter((name) => pattern.test(name)).sort()
  const stems = new Set(names.filter((name) => name.endsWith('.ts')).map((n) => n.slice(0, -3)))
  return names
    .filter((name) => name.endsWith('.ts') || !stems.has(name.slice(0, -3)))
    .map((name) => join(directory, name))
}

/**
 * Fills what the manifest leaves out from the plugin's folder, by convention:
 * `migrations/NNNN_*.ts` (default exports, in file order), `resources/*.ts`
 * (every exported resource declaration), `routes.ts` and `commands.ts`
 * (default exports).
 */
async function withConventions(manifest: Record<string, any>, directory: string) {
  const filled = { ...manifest }
  if (filled.migrations === undefined) {
    const files = await codeFiles(join(directory, 'migrations'), MIGRATION_FILE)
    if (files.length) filled.migrations = await Promise.all(files.map(importDefault))
  }
  if (filled.resources === undefined) {
    const files = await codeFiles(join(directory, 'resources'), CODE_FILE)
    const resources = []
    for (const file of files) {
      const exported = Object.values(await import(pathToFileURL(file).href))
      resources.push(
        ...exported.filter((value: any) => value && typeof value === 'object' && value.fields)
      )
    }
    if (resources.length) filled.resources = resources
  }
  for (const key of ['routes', 'commands']) {
    if (filled[key] !== undefined) continue
    const file = [`${key}.ts`, `${key}.js`].map((name) => join(directory, name)).find(existsSync)
    if (file) filled[key] = await importDefault(file)
  }
  return filled
}

/** Loads one plugin's manifest (and what it leaves to convention); failures become `loadError`. */
export async function importManifest(file: string, source: string): Promise<PluginCandidate> {
  const directory = dirname(file)
  try {
    const manifest = await importDefault(file)
    if (!manifest || typeof manifest !== 'object') return { source, directory, manifest }
    return { source, directory, manifest: await withConventions(manifest, directory) }
  } catch (error) {
    return { source, directory, loadError: (error as Error).message.split('\n')[0] }
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
    if (file)
      found.push({
        name: folder.name,
        ...(await importManifest(file, file.slice(appRoot.length + 1))),
      })
  }
  return found
}

/**
 * npm packages the application depends on that declare themselves Oryne plugins:
 * `"oryne": { "plugin": "./dist/plugin.js" }` in their package.json. Only
 * declared dependencies are read, so discovery does not walk node_modules;
 * outside production devDependencies count too, so that a plugin being
 * developed can be linked in with `npm install --save-dev ../my-plugin`.
 */
async function packagePlugins(appRoot: string): Promise<PluginCandidate[]> {
  const pkg = JSON.parse(await readFile(join(appRoot, 'package.json'), 'utf8'))
  const development = process.env.NODE_ENV !== 'production' ? pkg.devDependencies : {}
  const names = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...development })
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
      found.push({
        name,
        ...(await importManifest(resolve(directory, manifestPath), `npm:${name}`)),
      })
    }
  }
  return found
}

/** The folders searched for plugin folders: plugins/ and those of ORYNE_PLUGIN_PATHS (colon-separated). */
export function pluginRoots(appRoot: string): string[] {
  const extra = (process.env.ORYNE_PLUGIN_PATHS ?? '')
    .split(':')
    .filter(Boolean)
    .map((path) => (isAbsolute(path) ? path : join(appRoot, path)))
  return [join(appRoot, 'plugins'), ...extra]
}

/**
 * Every plugin Oryne can see: the folders of plugins/, folders of the extra
 * roots in ORYNE_PLUGIN_PATHS (colon-separated), and npm packages.
 */
export async function discoverPlugins(appRootUrl: URL): Promise<PluginCandidate[]> {
  const appRoot = fileURLToPath(appRootUrl).replace(/\/$/, '')
  const fromFolders = await Promise.all(
    pluginRoots(appRoot).map((root) => folderPlugins(root, appRoot))
  )
  const fromPackages = await packagePlugins(appRoot)
  return [...fromFolders.flat(), ...fromPackages]
}
