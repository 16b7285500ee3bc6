/*
 * `npm run build`: the production build in build/. TypeScript compiled to
 * JavaScript (tsconfig.build.json), plus what runs beside it: package.json
 * and the lockfile (for `npm ci --omit=dev`), .npmrc, public/, the SDK
 * package pointing at its compiled entry, the non-TypeScript files of the
 * compiled folders (plugin snapshots, templates) and the admin console's
 * assets (tmp/console, as the server expects them). Then: `cd build && npm ci --omit=dev &&
 * NODE_ENV=production node bin/server.js`.
 */
import { spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { reexecOnPinnedNode } from './node24.js'

if (!reexecOnPinnedNode(import.meta.url)) {
  const root = fileURLToPath(new URL('../', import.meta.url))
  const out = join(root, 'build')
  const started = performance.now()
  rmSync(out, { recursive: true, force: true })

  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
    { stdio: 'inherit' }
  )
  if (tsc.status !== 0) {
    console.error('The TypeScript build failed.')
    process.exit(tsc.status ?? 1)
  }

  const copy = (from, to = from) => {
    if (!existsSync(join(root, from))) return
    mkdirSync(dirname(join(out, to)), { recursive: true })
    cpSync(join(root, from), join(out, to), { recursive: true })
  }
  for (const file of ['package.json', 'package-lock.json', '.npmrc', 'public', 'README.md'])
    copy(file)
  // The lockfile names the fixture plugin package the tests install; npm ci needs it to exist.
  copy('tests/fixtures/npm')

  // Data files next to the compiled code (JSON snapshots, templates).
  const data = (folder) => {
    if (!existsSync(join(root, folder))) return
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || /\.(ts|js)$/.test(entry.name)) continue
      const file = relative(root, join(entry.parentPath, entry.name))
      if (!file.split('/').includes('tests')) copy(file)
    }
  }
  for (const folder of ['cli', 'config', 'core', 'database', 'plugins', 'start']) data(folder)

  const sdk = JSON.parse(readFileSync(join(root, 'packages/sdk/package.json'), 'utf8'))
  sdk.exports = Object.fromEntries(
    Object.entries(sdk.exports).map(([key, path]) => [key, path.replace(/\.ts$/, '.js')])
  )
  writeFileSync(join(out, 'packages/sdk/package.json'), `${JSON.stringify(sdk, null, 2)}\n`)

  // The admin console's and the web app's assets, built by Vite (a build-time dependency) where
  // the server looks for them. The web app bundles the built-in plugins' ui/ modules.
  for (const [front, label] of [
    ['console', 'console'],
    ['web', 'web app'],
  ]) {
    if (!existsSync(join(root, front, 'vite.config.ts'))) continue
    const vite = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        join(root, front, 'vite.config.ts'),
        '--outDir',
        join(out, 'tmp', front),
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } }
    )
    if (vite.status !== 0) {
      console.error(`The ${label} build failed.`)
      process.exit(vite.status ?? 1)
    }
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(`Built into build/ in ${seconds} s.`)
  console.log('Run: cd build && npm ci --omit=dev && NODE_ENV=production node bin/server.js')
}
