import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, rename, rm, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The console's sources (console/) and where their build goes (git-ignored tmp/console). */
export const CONSOLE_SOURCE = fileURLToPath(new URL('../../console', import.meta.url))
export const CONSOLE_OUTPUT = fileURLToPath(new URL('../../tmp/console', import.meta.url))

async function modifiedAt(path: string) {
  const info = await stat(path)
  return info.mtimeMs
}

/** The newest modification time under a folder (the console's sources are a few dozen files). */
async function newestIn(folder: string): Promise<number> {
  let newest = 0
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? await newestIn(path) : await modifiedAt(path))
  }
  return newest
}

/**
 * Whether the built console is missing or older than any of its sources;
 * with `sources: false`, only whether it is missing (console/ is not read).
 */
export async function consoleIsStale(options: { sources?: boolean } = {}) {
  const index = join(CONSOLE_OUTPUT, 'index.html')
  if (!existsSync(index)) return true
  if (options.sources === false || !existsSync(CONSOLE_SOURCE)) return false
  return (await modifiedAt(index)) < (await newestIn(CONSOLE_SOURCE))
}

/**
 * `vite build` in a child process (vite sets NODE_ENV and keeps rollup busy:
 * neither belongs in the server), into a fresh folder that then replaces the
 * old output, so that another process never serves a half-written build.
 */
async function build() {
  const vite = join(
    createRequire(import.meta.url).resolve('vite/package.json'),
    '..',
    'bin',
    'vite.js'
  )
  const fresh = `${CONSOLE_OUTPUT}-${process.pid}-${randomBytes(4).toString('hex')}`
  const old = `${fresh}-old`
  try {
    await run(
      process.execPath,
      [
        vite,
        'build',
        '--config',
        join(CONSOLE_SOURCE, 'vite.config.ts'),
        '--outDir',
        fresh,
        '--emptyOutDir',
      ],
      { env: { ...process.env, NODE_ENV: 'production' }, timeout: 120_000 }
    )
    if (existsSync(CONSOLE_OUTPUT)) await rename(CONSOLE_OUTPUT, old)
    // Another process may have put its own fresh build in place meanwhile: that one serves.
    await rename(fresh, CONSOLE_OUTPUT).catch((error) => {
      if (!existsSync(join(CONSOLE_OUTPUT, 'index.html'))) throw error
    })
  } finally {
    await rm(fresh, { recursive: true, force: true })
    await rm(old, { recursive: true, force: true })
  }
}

let building: Promise<void> | null = null

/** Builds the console when its output is missing or stale; concurrent callers share one build. */
export function ensureConsoleBuilt(options: { sources?: boolean } = {}): Promise<void> {
  building ??= (async () => {
    if (await consoleIsStale(options)) await build()
  })().finally(() => {
    building = null
  })
  return building
}
