import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))
const repository = join(root, '..')

/**
 * The plugins' UI modules to bundle, by plugin name: the server names them in
 * ORYNE_WEB_PLUGINS (every available plugin with a ui/index.tsx, built-in,
 * folder or npm); a build without it (npm run build:web, the production build)
 * takes the built-in plugins' (plugins/<name>/ui/index.tsx).
 */
function pluginModules(): Record<string, string> {
  if (process.env.ORYNE_WEB_PLUGINS) return JSON.parse(process.env.ORYNE_WEB_PLUGINS)
  const plugins = join(repository, 'plugins')
  const modules: Record<string, string> = {}
  for (const name of readdirSync(plugins)) {
    const file = ['index.tsx', 'index.ts'].map((entry) => join(plugins, name, 'ui', entry))
    const found = file.find(existsSync)
    if (found) modules[name] = found
  }
  return modules
}

/**
 * The plugins' message catalogues (ui/messages.ts), by plugin name: those the
 * server names in ORYNE_WEB_MESSAGES (a plugin with no UI code may have one,
 * for its generated views), else the built-in plugins'.
 */
function pluginCatalogues(): Record<string, string> {
  if (process.env.ORYNE_WEB_MESSAGES) return JSON.parse(process.env.ORYNE_WEB_MESSAGES)
  const plugins = join(repository, 'plugins')
  const catalogues: Record<string, string> = {}
  for (const name of readdirSync(plugins)) {
    const file = ['messages.ts', 'messages.js']
      .map((entry) => join(plugins, name, 'ui', entry))
      .find(existsSync)
    if (file) catalogues[name] = file
  }
  return catalogues
}

/** Loaders by plugin name, as module source: each import is a chunk of its own. */
function loaders(files: Array<[string, string]>) {
  const entries = files.map(
    ([name, file]) => `  ${JSON.stringify(name)}: () => import(${JSON.stringify(file)}),`
  )
  return `{\n${entries.join('\n')}\n}`
}

/**
 * `virtual:oryne-plugins`: per plugin, a loader of its UI module (pages and
 * widgets, loaded when first shown) and of its message catalogues
 * (ui/messages.ts, small, loaded at sign-in for the navigation's labels).
 */
function pluginUi(): Plugin {
  const id = 'virtual:oryne-plugins'
  return {
    name: 'oryne-plugin-ui',
    resolveId: (source) => (source === id ? `\0${id}` : null),
    load(source) {
      if (source !== `\0${id}`) return null
      const modules = Object.entries(pluginModules())
      const messages = Object.entries(pluginCatalogues())
      return [
        `export const modules = ${loaders(modules)}`,
        `export const messages = ${loaders(messages)}`,
      ].join('\n')
    },
  }
}

/**
 * The web app's build (docs/web.md). Served by Oryne at /app; the output goes
 * to tmp/web (git-ignored). Preact through esbuild's JSX, as the console.
 */
export default defineConfig({
  root,
  base: '/app/',
  logLevel: 'warn',
  publicDir: join(root, 'public'),
  plugins: [pluginUi()],
  resolve: {
    alias: {
      '@oryne/web': join(root, 'src/sdk.ts'),
    },
    dedupe: ['preact'],
  },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: join(repository, 'tmp/web'),
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
  },
})
